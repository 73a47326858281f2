//! The "Create key" form and the copy-once dialog that shows the new secret.

use crate::api;
use crate::components::{Dialog, TextField};
use leptos::prelude::*;
use leptos::task::spawn_local;
use sluice_contract::api_keys::{CreateApiKey, CreatedApiKey};

#[component]
pub fn CreateKeyForm(
    /// Called after a key was created, so the list reloads.
    on_created: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    // What went wrong that is not the name's fault (the API limit, the network).
    let form_error = RwSignal::new(None::<String>);
    // One Idempotency-Key per key the admin means to create: a resubmit after a network error
    // or a refusal reuses it, so the server creates one key, not two. A new name is a new key.
    let attempt = RwSignal::new(None::<(String, String)>);
    let pending = RwSignal::new(false);
    let created = RwSignal::new(None::<CreatedApiKey>);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let request = CreateApiKey { name: name.get_untracked().trim().to_string() };
        if let Err(errors) = request.validate() {
            error.set(errors.get("name").map(str::to_string));
            return;
        }
        error.set(None);
        form_error.set(None);
        pending.set(true);
        let action_key = match attempt.get_untracked() {
            Some((for_name, key)) if for_name == request.name => key,
            _ => {
                let key = api::idempotency_key();
                attempt.set(Some((request.name.clone(), key.clone())));
                key
            }
        };
        spawn_local(async move {
            let result = api::api_keys::create(&request, &action_key).await;
            pending.try_set(false);
            match result {
                Ok(new_key) => {
                    attempt.try_set(None);
                    name.try_set(String::new());
                    created.try_set(Some(new_key));
                    on_created.run(());
                }
                Err(e) => match e.field("name") {
                    Some(why) => drop(error.try_set(Some(why))),
                    None => drop(form_error.try_set(Some(e.user_message()))),
                },
            }
        });
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
            {move || {
                form_error
                    .get()
                    .map(|message| view! { <p class="form-error" role="alert" data-testid="create-key-error">{message}</p> })
            }}
        </section>
        {move || {
            created
                .get()
                .map(|new_key| {
                    view! {
                        <SecretDialog new_key on_close=Callback::new(move |_| created.set(None)) />
                    }
                })
        }}
    }
}

/// Shows a new key's secret once, with a Copy button.
#[component]
fn SecretDialog(new_key: CreatedApiKey, on_close: Callback<()>) -> impl IntoView {
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
}

async fn copy_text(text: &str) -> bool {
    let promise = window().navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}
