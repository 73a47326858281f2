//! "Add endpoint": URL, description, which events, custom headers; then its secret, once.

use super::secret::SecretBody;
use crate::api;
use crate::components::{Dialog, TextField};
use crate::pages::load::Loader;
use crate::pages::submit::{form_error, Submit};
use leptos::prelude::*;
use sluice_contract::webhooks::{CustomHeader, NewEndpoint, MAX_CUSTOM_HEADERS};

crate::pages::part::lazy_part! {
    pub fn create_endpoint_dialog(on_close: Callback<()>, on_created: Callback<()>) in endpoint_dialogs {
        view! { <CreateEndpointDialog on_close on_created /> }
    }
}

#[component]
pub fn CreateEndpointDialog(
    on_close: Callback<()>,
    /// Called once the endpoint exists, so the list shows it.
    on_created: Callback<()>,
) -> impl IntoView {
    let url = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let all_types = RwSignal::new(true);
    let chosen = RwSignal::new(Vec::<String>::new());
    let headers = RwSignal::new(Vec::<(RwSignal<String>, RwSignal<String>)>::new());
    let create =
        Submit::new(|endpoint: NewEndpoint, key| async move { api::webhooks::create_endpoint(&endpoint, &key).await });
    Effect::new(move |_| {
        if create.done().with(Option::is_some) {
            on_created.run(());
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let custom_headers = headers
            .get_untracked()
            .into_iter()
            .map(|(n, v)| CustomHeader { name: n.get_untracked().trim().to_string(), value: v.get_untracked() })
            .filter(|h| !h.name.is_empty())
            .collect();
        create.dispatch(NewEndpoint {
            url: url.get_untracked().trim().to_string(),
            description: description.get_untracked().trim().to_string(),
            event_types: if all_types.get_untracked() { Vec::new() } else { chosen.get_untracked() },
            custom_headers,
        });
    };
    let pending = create.pending();
    move || {
        match create.done().get() {
        Some(created) => view! {
            <Dialog title="Endpoint added" on_close testid="create-endpoint-dialog">
                <p>"Sluice now sends events to " <code>{created.endpoint.url.clone()}</code> "."</p>
                <SecretBody
                    secret=created.secret
                    note="Deliveries carry webhook-id, webhook-timestamp and webhook-signature headers (Standard Webhooks).".to_string()
                />
                <div class="dialog-actions">
                    <button type="button" class="button button-primary" data-testid="secret-stored" on:click=move |_| on_close.run(())>
                        "I have stored it"
                    </button>
                </div>
            </Dialog>
        }
        .into_any(),
        None => view! {
            <Dialog title="Add endpoint" on_close testid="create-endpoint-dialog">
                <form on:submit=on_submit novalidate data-testid="create-endpoint-form">
                    <TextField id="endpoint-url" label="URL" input_type="url" value=url error=create.field("url") disabled=pending />
                    <TextField id="endpoint-description" label="Description" value=description error=create.field("description") disabled=pending />
                    <EventTypesField all_types chosen error=create.field("eventTypes") />
                    <HeadersField headers error=create.field("customHeaders") />
                    {form_error(create.error())}
                    <div class="dialog-actions">
                        <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                        <button type="submit" class="button button-primary" data-testid="create-endpoint" disabled=move || pending.get()>
                            {move || if pending.get() { "Adding…" } else { "Add endpoint" }}
                        </button>
                    </div>
                </form>
            </Dialog>
        }
        .into_any(),
    }
    }
}

/// All event types, or a list chosen from the catalog.
#[component]
fn EventTypesField(
    all_types: RwSignal<bool>,
    chosen: RwSignal<Vec<String>>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let catalog = Loader::new(|| (), |(), cancel| api::webhooks::event_types(cancel));
    let toggle = move |name: String| {
        chosen.update(|c| match c.iter().position(|n| *n == name) {
            Some(at) => drop(c.remove(at)),
            None => c.push(name),
        })
    };
    view! {
        <fieldset class="field" data-testid="event-types" aria-describedby=move || error.get().map(|_| "event-types-error")>
            <legend>"Events"</legend>
            <label class="choice">
                <input type="radio" name="event-scope" prop:checked=move || all_types.get() on:change=move |_| all_types.set(true) />
                "All event types, including ones added later"
            </label>
            <label class="choice">
                <input type="radio" name="event-scope" data-testid="event-scope-some" prop:checked=move || !all_types.get() on:change=move |_| all_types.set(false) />
                "Only these:"
            </label>
            {move || {
                (!all_types.get())
                    .then(|| {
                        let types = catalog.data.get().unwrap_or_default();
                        let loading = catalog.data.with(Option::is_none);
                        view! {
                            <div class="choices">
                                {loading.then(|| view! { <p class="loading">"Loading the catalog…"</p> })}
                                {types
                                    .into_iter()
                                    .map(|t| {
                                        let name = t.name.clone();
                                        let checked = { let name = name.clone(); move || chosen.with(|c| c.contains(&name)) };
                                        view! {
                                            <label class="choice" title=t.description.clone()>
                                                <input type="checkbox" value=name.clone() prop:checked=checked on:change=move |_| toggle(name.clone()) />
                                                <code>{t.name.clone()}</code>
                                            </label>
                                        }
                                    })
                                    .collect_view()}
                            </div>
                        }
                    })
            }}
            {move || error.get().map(|m| view! { <p class="field-error" id="event-types-error" data-testid="field-error">{m}</p> })}
        </fieldset>
    }
}

/// Up to ten name/value pairs sent with every delivery (e.g. an auth header for the receiver).
#[component]
fn HeadersField(
    headers: RwSignal<Vec<(RwSignal<String>, RwSignal<String>)>>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let add = move |_| headers.update(|h| h.push((RwSignal::new(String::new()), RwSignal::new(String::new()))));
    view! {
        <fieldset class="field" aria-describedby=move || error.get().map(|_| "custom-headers-error")>
            <legend>"Custom headers"</legend>
            {move || {
                headers
                    .get()
                    .into_iter()
                    .enumerate()
                    .map(|(i, (name, value))| {
                        view! {
                            <div class="header-row">
                                <input aria-label=format!("Header {} name", i + 1) placeholder="Name" data-testid="header-name"
                                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                                <input aria-label=format!("Header {} value", i + 1) placeholder="Value" data-testid="header-value"
                                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
                                <button type="button" class="button button-quiet" aria-label=format!("Remove header {}", i + 1)
                                    on:click=move |_| headers.update(|h| { h.remove(i); })>"Remove"</button>
                            </div>
                        }
                    })
                    .collect_view()
            }}
            <button type="button" class="button" data-testid="add-header" on:click=add
                disabled=move || headers.with(|h| h.len() >= MAX_CUSTOM_HEADERS)>"Add header"</button>
            {move || error.get().map(|m| view! { <p class="field-error" id="custom-headers-error" data-testid="field-error">{m}</p> })}
        </fieldset>
    }
}
