//! Settings > API keys: list, create (secret shown once), revoke.

use super::create_key::CreateKeyForm;
use crate::api;
use crate::components::{ApiKeyTable, ConfirmDialog, EmptyState};
use crate::pages::load::{show, updating, Loader, Words};
use crate::pages::submit::Submit;
use leptos::prelude::*;
use sluice_contract::api_keys::ApiKey;
use sluice_contract::Page;

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let keys = Loader::new(|| (), |(), _| api::api_keys::list());
    let reload = Callback::new(move |_| keys.refresh());
    let revoking = RwSignal::new(None::<ApiKey>);
    let on_revoke = Callback::new(move |key: ApiKey| revoking.set(Some(key)));

    view! {
        <div class="page-head">
            <p class="breadcrumb">"Settings"</p>
            <h1>"API keys"</h1>
            <p class="lede">
                "Programs use these keys as " <code>"Authorization: Bearer <key>"</code>
                ". Every key acts for the whole tenant and counts against its API limit."
            </p>
        </div>
        <CreateKeyForm on_created=reload />
        <section class="section" aria-labelledby="keys-heading">
            <h2 id="keys-heading">"Keys" {updating(keys)}</h2>
            {show(
                keys,
                Words { loading: "Loading API keys…", failed: "The API keys could not be loaded." },
                |page: &Page<ApiKey>| page.items.is_empty(),
                || {
                    view! {
                        <EmptyState title="No API keys yet">
                            <p>
                                "Keys you create above will appear here with when they were last used. Revoke a key the moment a program no longer needs it."
                            </p>
                        </EmptyState>
                    }
                    .into_any()
                },
                move |page| view! { {move || view! { <ApiKeyTable keys=page.get().items on_revoke /> }} }.into_any(),
            )}
        </section>
        {move || {
            revoking
                .get()
                .map(|key| {
                    let on_revoked = Callback::new(move |_| {
                        revoking.set(None);
                        keys.refresh();
                    });
                    revoke_dialog(key, Callback::new(move |_| revoking.set(None)), on_revoked)
                })
        }}
    }
}

crate::pages::part::lazy_part! {
    fn revoke_dialog(key: ApiKey, on_close: Callback<()>, on_revoked: Callback<()>) in api_key_dialogs {
        view! { <RevokeDialog key on_close on_revoked /> }
    }
}

/// "Revoke <name>?" with the consequence spelled out.
#[component]
fn RevokeDialog(key: ApiKey, on_close: Callback<()>, on_revoked: Callback<()>) -> impl IntoView {
    let id = key.id.clone();
    let revoke = Submit::new(move |(), action_key| {
        let id = id.clone();
        async move { api::api_keys::revoke(&id, &action_key).await }
    });
    Effect::new(move |_| {
        if revoke.done().get().is_some() {
            on_revoked.run(());
        }
    });
    view! {
        <ConfirmDialog
            title=format!("Revoke “{}”?", key.name)
            testid="revoke-dialog"
            confirm_label="Revoke key"
            pending_label="Revoking…"
            confirm_testid="confirm-revoke"
            pending=revoke.pending()
            error=revoke.error()
            on_close
            on_confirm=Callback::new(move |_| revoke.dispatch(()))
        >
            <p>
                "Programs using the key " <code>{key.prefix.clone()} "…"</code>
                " will be refused at once. This cannot be undone; create a new key if you need one again."
            </p>
        </ConfirmDialog>
    }
}
