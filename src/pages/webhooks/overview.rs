//! The landing page: is anything being sent at all, and the endpoints with their health.

use super::create::create_endpoint_dialog;
use super::endpoints::EndpointTable;
use super::watch_webhooks;
use crate::api;
use crate::components::EmptyState;
use crate::pages::load::{show, updating, Loader, Words};
use crate::pages::submit::{form_error, Submit};
use leptos::prelude::*;
use sluice_contract::webhooks::{Endpoint, WebhookOverview, WebhookSettings};
use sluice_contract::Page;

#[component]
pub fn OverviewPage() -> impl IntoView {
    let overview = Loader::new(|| (), |(), cancel| api::webhooks::overview(cancel));
    let endpoints = Loader::new(|| (), |(), cancel| api::webhooks::endpoints(None, cancel));
    // Deliveries change health and counts: look again, coalesced.
    watch_webhooks(move |_| {
        overview.refresh();
        endpoints.refresh();
    });
    let adding = RwSignal::new(false);
    let changed = Callback::new(move |_| {
        overview.refresh();
        endpoints.refresh();
    });
    view! {
        <section class="section" aria-labelledby="switch-heading" data-testid="webhooks-overview">
            <h2 id="switch-heading" class="visually-hidden">"Sending"</h2>
            {show(
                overview,
                Words { loading: "Loading webhook settings…", failed: "The webhook settings could not be loaded." },
                |_| false,
                || ().into_any(),
                move |data| view! { <Switch data on_saved=Callback::new(move |o| overview.update(|d| *d = o)) /> }.into_any(),
            )}
        </section>
        <section class="section" aria-labelledby="endpoints-heading">
            <div class="section-head">
                <h2 id="endpoints-heading">"Endpoints" {updating(endpoints)}</h2>
                <button
                    type="button"
                    class="button button-primary"
                    data-testid="add-endpoint"
                    on:click=move |_| adding.set(true)
                >
                    "Add endpoint"
                </button>
            </div>
            {show(
                endpoints,
                Words { loading: "Loading endpoints…", failed: "The endpoints could not be loaded." },
                |page: &Page<Endpoint>| page.items.is_empty(),
                || {
                    view! {
                        <EmptyState title="No webhook endpoints yet">
                            <p>
                                "Add the URL that should receive events. Each endpoint then shows whether it is active, how its deliveries went over the last 24 hours, and every attempt in the delivery log."
                            </p>
                        </EmptyState>
                    }
                    .into_any()
                },
                move |page| {
                    let items = Signal::derive(move || page.get().items);
                    view! { <EndpointTable endpoints=items loader=endpoints on_changed=changed /> }.into_any()
                },
            )}
        </section>
        {move || {
            adding.get().then(|| create_endpoint_dialog(Callback::new(move |_| adding.set(false)), changed))
        }}
    }
}

/// "Webhooks enabled", how many endpoints would receive events, and — when nothing will be
/// sent — why, in one plain sentence.
#[component]
fn Switch(data: Signal<WebhookOverview>, on_saved: Callback<WebhookOverview>) -> impl IntoView {
    let save =
        Submit::new(
            |settings: WebhookSettings, key| async move { api::webhooks::save_settings(&settings, &key).await },
        );
    Effect::new(move |_| {
        if let Some(saved) = save.done().get() {
            on_saved.run(saved);
        }
    });
    let enabled = move || data.with(|d| d.settings.enabled);
    let toggle = move |_| {
        let mut settings = data.with_untracked(|d| d.settings.clone());
        settings.enabled = !settings.enabled;
        save.dispatch(settings);
    };
    let summary = move || {
        data.with(|d| {
            let mut text = format!("{} of {} endpoints active", d.active_endpoints, d.total_endpoints);
            if d.queued > 0 {
                text.push_str(&format!(" · {} deliveries queued", d.queued));
            }
            text
        })
    };
    let nothing_sent = move || data.with(nothing_sent_reason);
    view! {
        <div class="switch-row">
            <button
                type="button"
                role="switch"
                class="switch"
                id="webhooks-enabled"
                aria-checked=move || enabled().to_string()
                aria-busy=move || save.pending().get().to_string()
                disabled=move || save.pending().get()
                data-testid="webhooks-switch"
                on:click=toggle
            >
                <span class="switch-knob" aria-hidden="true"></span>
                <span class="switch-label">"Webhooks enabled"</span>
            </button>
            <span class="muted" data-testid="webhooks-summary">{summary}</span>
        </div>
        {move || {
            nothing_sent()
                .map(|why| {
                    view! {
                        <p class="nothing-sent" role="status" data-testid="nothing-sent">
                            <strong>"Nothing will be sent. "</strong>
                            {why}
                        </p>
                    }
                })
        }}
        {form_error(save.error())}
    }
}

/// Why no event would leave Sluice right now, or `None` when some endpoint would get them.
pub(super) fn nothing_sent_reason(d: &WebhookOverview) -> Option<String> {
    if !d.settings.enabled {
        return Some(
            "Webhooks are turned off for this tenant, so no endpoint receives events. Turn on “Webhooks enabled” to start sending."
                .into(),
        );
    }
    match (d.active_endpoints, d.total_endpoints) {
        (0, 0) => Some("There is no endpoint yet: add one below to start receiving events.".into()),
        (0, n) => Some(format!(
            "None of the {n} endpoints is active: each is paused or was disabled after failing. Enable one below."
        )),
        _ => None,
    }
}
