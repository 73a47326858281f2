//! A signing secret, shown once with Copy: after creating an endpoint or rotating its secret.

use crate::components::Dialog;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn SecretShown(
    title: String,
    /// `whsec_…`, shown this once.
    secret: String,
    /// What to do with it (and what happens to the old one, after a rotation).
    note: String,
    on_close: Callback<()>,
) -> impl IntoView {
    view! {
        <Dialog title on_close testid="secret-dialog">
            <SecretBody secret note />
            <div class="dialog-actions">
                <button type="button" class="button button-primary" data-testid="secret-stored" on:click=move |_| on_close.run(())>
                    "I have stored it"
                </button>
            </div>
        </Dialog>
    }
}

/// The secret with its Copy button and the "you won't see this again" warning.
#[component]
pub fn SecretBody(secret: String, note: String) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let to_copy = secret.clone();
    let copy = move |_| {
        let text = to_copy.clone();
        spawn_local(async move {
            let promise = window().navigator().clipboard().write_text(&text);
            let ok = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
            copied.try_set(Some(ok));
        });
    };
    view! {
        <p class="warning-text">
            <strong>"You won't see this secret again."</strong>
            " Copy it now: your receiver verifies each delivery's "
            <code>"webhook-signature"</code>
            " with it."
        </p>
        <div class="secret-row">
            <input class="secret" readonly aria-label="Signing secret" data-testid="endpoint-secret" value=secret />
            <button type="button" class="button" data-testid="copy-endpoint-secret" on:click=copy>
                "Copy"
            </button>
        </div>
        <p class="small" role="status">
            {move || match copied.get() {
                Some(true) => "Copied to the clipboard.",
                Some(false) => "Copying failed: select the secret and copy it by hand.",
                None => "",
            }}
        </p>
        <p class="small" data-testid="secret-note">{note}</p>
    }
}
