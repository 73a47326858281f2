//! Settings > API keys: list, create (secret shown once), revoke.

use super::create_key::CreateKeyForm;
use crate::api;
use crate::components::{ApiKeyTable, Dialog, EmptyState, ErrorPanel};
use leptos::either::EitherOf4;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sluice_contract::api_keys::ApiKey;

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let keys = LocalResource::new(api::api_keys::list);
    let reload = Callback::new(move |_| keys.refetch());
    let refreshing = RwSignal::new(false);
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
            <h2 id="keys-heading">
                "Keys"
                {move || refreshing.try_get().unwrap_or(false).then(|| view! { <span class="muted small">" Updating…"</span> })}
            </h2>
            <Transition
                fallback=|| view! { <p class="loading" data-testid="api-keys-loading">"Loading API keys…"</p> }
                set_pending=refreshing.write_only()
            >
                {move || Suspend::new(async move {
                    match keys.await {
                        Ok(page) if page.items.is_empty() => EitherOf4::A(view! {
                            <EmptyState title="No API keys yet">
                                <p>
                                    "Keys you create above will appear here with when they were last used. Revoke a key the moment a program no longer needs it."
                                </p>
                            </EmptyState>
                        }),
                        Ok(page) => EitherOf4::B(view! { <ApiKeyTable keys=page.items on_revoke /> }),
                        // The admin left the page: it is going away, not failing.
                        Err(api::ApiError::Cancelled) => EitherOf4::D(view! { <p class="loading">"Loading API keys…"</p> }),
                        Err(error) => EitherOf4::C(view! {
                            <ErrorPanel
                                title="The API keys could not be loaded."
                                message=error.user_message()
                                on_retry=reload
                            />
                        }),
                    }
                })}
            </Transition>
        </section>
        {move || {
            revoking
                .get()
                .map(|key| {
                    view! {
                        <RevokeDialog
                            key
                            on_close=Callback::new(move |_| revoking.set(None))
                            on_revoked=Callback::new(move |_| {
                                revoking.set(None);
                                keys.refetch();
                            })
                        />
                    }
                })
        }}
    }
}

/// "Revoke <name>?" with the consequence spelled out.
#[component]
fn RevokeDialog(key: ApiKey, on_close: Callback<()>, on_revoked: Callback<()>) -> impl IntoView {
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    // One key per dialog: a retried or double-clicked revoke is done once.
    let action_key = api::idempotency_key();
    let id = key.id.clone();
    let revoke = move |_| {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        let id = id.clone();
        let action_key = action_key.clone();
        spawn_local(async move {
            let result = api::api_keys::revoke(&id, &action_key).await;
            pending.try_set(false);
            match result {
                Ok(_) => on_revoked.run(()),
                Err(e) => drop(error.try_set(Some(e.user_message()))),
            }
        });
    };
    view! {
        <Dialog title=format!("Revoke “{}”?", key.name) on_close testid="revoke-dialog">
            <p>
                "Programs using the key " <code>{key.prefix.clone()} "…"</code>
                " will be refused at once. This cannot be undone; create a new key if you need one again."
            </p>
            {move || error.get().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
            <div class="dialog-actions">
                <button type="button" class="button" on:click=move |_| on_close.run(())>
                    "Cancel"
                </button>
                <button
                    type="button"
                    class="button button-danger"
                    data-testid="confirm-revoke"
                    disabled=move || pending.get()
                    on:click=revoke
                >
                    {move || if pending.get() { "Revoking…" } else { "Revoke key" }}
                </button>
            </div>
        </Dialog>
    }
}
