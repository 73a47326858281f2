//! Admin > Integrations > Webhooks: the switch, endpoints and their health, the delivery log,
//! one delivery's attempts, and the event catalog. One lazy chunk for the whole area.

mod create;
mod deliveries;
mod delivery;
mod endpoints;
mod events;
mod filters;
mod overview;
mod retry_failed;
mod secret;

use crate::api;
use crate::routes::Page;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_params_map};

/// Picks the page of the area from the path (the router sends every webhooks path here).
#[component]
pub fn WebhooksArea() -> impl IntoView {
    let pathname = use_location().pathname;
    let params = use_params_map();
    let page = Memo::new(move |_| {
        let path = pathname.get();
        match params.with(|p| p.get("id")) {
            Some(id) => Page::WebhookDelivery(id),
            None if path == Page::WebhookDeliveries.path() => Page::WebhookDeliveries,
            None if path == Page::WebhookEvents.path() => Page::WebhookEvents,
            None => Page::Webhooks,
        }
    });
    view! {
        <div class="page-head" data-testid="webhooks-page">
            <p class="breadcrumb">"Admin › Integrations"</p>
            <h1>"Webhooks"</h1>
        </div>
        <AreaTabs page />
        {move || match page.get() {
            Page::WebhookDeliveries => view! { <deliveries::DeliveriesPage /> }.into_any(),
            Page::WebhookDelivery(id) => view! { <delivery::DeliveryPage id /> }.into_any(),
            Page::WebhookEvents => view! { <events::EventsPage /> }.into_any(),
            _ => view! { <overview::OverviewPage /> }.into_any(),
        }}
    }
}

#[component]
fn AreaTabs(page: Memo<Page>) -> impl IntoView {
    let tab = move |target: Page, label: &'static str, testid: &'static str| {
        let current = {
            let target = target.clone();
            move || {
                let here = page.get();
                let on =
                    here == target || (target == Page::WebhookDeliveries && matches!(here, Page::WebhookDelivery(_)));
                on.then_some("page")
            }
        };
        view! {
            <a class="tab" href=target.path() aria-current=current data-testid=testid>
                {label}
            </a>
        }
    };
    view! {
        <nav class="tabs" aria-label="Webhooks">
            {tab(Page::Webhooks, "Endpoints", "tab-endpoints")}
            {tab(Page::WebhookDeliveries, "Delivery log", "tab-deliveries")}
            {tab(Page::WebhookEvents, "Event catalog", "tab-events")}
        </nav>
    }
}

/// Calls `on_change` on every `webhooks` event while the calling component lives.
fn watch_webhooks(on_change: impl Fn(api::webhooks::WebhooksChanged) + 'static) {
    let stream = StoredValue::new_local(api::webhooks::watch(on_change));
    on_cleanup(move || drop(stream.try_update_value(Option::take)));
}

/// `2025-11-24T19:03:11Z` as the browser's clock puts it in words for an admin.
fn when(at: &Option<String>) -> String {
    at.as_deref().map(crate::components::exact_utc).unwrap_or_else(|| "never".into())
}

/// JSON indented for reading, by the browser's own serializer.
fn pretty<T: serde::Serialize>(value: &T) -> String {
    let compact = api::encode(value).unwrap_or_default();
    js_sys::JSON::parse(&compact)
        .ok()
        .and_then(|v| js_sys::JSON::stringify_with_replacer_and_space(&v, &wasm_bindgen::JsValue::NULL, &2.into()).ok())
        .map(String::from)
        .unwrap_or(compact)
}

#[cfg(test)]
mod tests;
