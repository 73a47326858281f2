//! The "Create key" form and the copy-once dialog that shows the new secret.

use crate::api;
use crate::components::{Dialog, TextField};
use crate::pages::submit::{form_error, Submit};
use leptos::prelude::*;
use leptos::task::spawn_local;
use sluice_contract::api_keys::{CreateApiKey, CreatedApiKey};

#[component]
pub fn CreateKeyForm(
    /// Called after a key was created, so the list reloads.
    on_created: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    // What the console itself finds wrong before sending.
    let invalid = RwSignal::new(None::<String>);
    let created = RwSignal::new(None::<CreatedApiKey>);
    let create = Submit::new(|request: CreateApiKey, key| async move { api::api_keys::create(&request, &key).await });
    let pending = create.pending();
    let (server_field, server_error) = (create.field("name"), create.error());
    let error = Signal::derive(move || invalid.get().or_else(|| server_field.get()));
    // A failure that is not the name's (the API limit, the network) is the form's, not the field's.
    let form_failure = Signal::derive(move || if server_field.get().is_some() { None } else { server_error.get() });
    Effect::new(move |_| {
        if let Some(new_key) = create.done().get() {
            name.set(String::new());
            created.set(Some(new_key));
            on_created.run(());
        }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = CreateApiKey { name: name.get_untracked().trim().to_string() };
        invalid.set(request.validate().err().and_then(|errors| errors.get("name").map(str::to_string)));
        if invalid.get_untracked().is_none() {
            create.dispatch(request);
        }
    };

    view! {
        <section class="section" aria-labelledby="create-key-heading">
            <h2 id="create-key-heading">"Create a key"</h2>
            <form class="inline-form" on:submit=on_submit novalidate data-testid="create-key-form">
                <TextField
                    id="key-name"
                    label="Name"
                    value=name
                    error=error
                    disabled=pending
                />
                <button
                    type="submit"
                    class="button button-primary"
                    data-testid="create-key"
                    disabled=move || pending.get()
                >
                    {move || if pending.get() { "Creating…" } else { "Create key" }}
                </button>
            </form>
            {form_error(form_failure)}
        </section>
        {move || {
            created
                .get()
                .map(|new_key| secret_dialog(new_key, Callback::new(move |_| created.set(None))))
        }}
    }
}

crate::pages::part::lazy_part! {
    fn secret_dialog(new_key: CreatedApiKey, on_close: Callback<()>) in api_key_dialogs {
        view! { <SecretDialog new_key on_close /> }
    }
}

/// Shows a new key's secret once, with a Copy button.
#[component]
fn SecretDialog(new_key: CreatedApiKey, on_close: Callback<()>) -> impl IntoView {
    // A retried create is answered from the server's record, which never holds the secret.
    if let Some(why) = new_key.secret_withheld.clone() {
        return view! {
            <Dialog title=format!("Key “{}” created", new_key.key.name) on_close testid="secret-dialog">
                <p class="warning-text" data-testid="secret-withheld">{why}</p>
                <div class="dialog-actions">
                    <button type="button" class="button button-primary" on:click=move |_| on_close.run(())>
                        "Close"
                    </button>
                </div>
            </Dialog>
        }
        .into_any();
    }
    let copied = RwSignal::new(None::<bool>);
    let secret = new_key.secret.clone();
    let copy = move |_| {
        let secret = secret.clone();
        spawn_local(async move {
            let ok = copy_text(&secret).await;
            copied.try_set(Some(ok));
        });
    };
    view! {
        <Dialog title=format!("Key “{}” created", new_key.key.name) on_close testid="secret-dialog">
            <p class="warning-text">
                <strong>"You won't see this again."</strong>
                " Copy the key now and store it where the program can read it."
            </p>
            <div class="secret-row">
                <input
                    class="secret"
                    readonly
                    aria-label="New API key"
                    data-testid="secret"
                    value=new_key.secret.clone()
                />
                <button type="button" class="button" data-testid="copy-secret" on:click=copy>
                    "Copy"
                </button>
            </div>
            <p class="small" role="status">
                {move || match copied.get() {
                    Some(true) => "Copied to the clipboard.",
                    Some(false) => "Copying failed: select the key and copy it by hand.",
                    None => "",
                }}
            </p>
            <div class="dialog-actions">
                <button type="button" class="button button-primary" on:click=move |_| on_close.run(())>
                    "I have stored it"
                </button>
            </div>
        </Dialog>
    }
    .into_any()
}

async fn copy_text(text: &str) -> bool {
    let promise = window().navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}
