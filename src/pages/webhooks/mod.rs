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

/// Each page of the area is its own lazy chunk (`pages/lazy.rs`), so landing on one does not
/// download the others. They share the heading and the tabs.
#[component]
fn Frame(page: Page, children: Children) -> impl IntoView {
    view! {
        <div class="page-head" data-testid="webhooks-page">
            <p class="breadcrumb">"Admin › Integrations"</p>
            <h1>"Webhooks"</h1>
        </div>
        <AreaTabs page />
        {children()}
    }
}

/// `/webhooks`: the switch and the endpoints.
#[component]
pub fn WebhooksPage() -> impl IntoView {
    view! { <Frame page=Page::Webhooks><overview::OverviewPage /></Frame> }
}

/// `/webhooks/deliveries`: the delivery log.
#[component]
pub fn DeliveriesPage() -> impl IntoView {
    view! { <Frame page=Page::WebhookDeliveries><deliveries::DeliveriesPage /></Frame> }
}

/// `/webhooks/deliveries/{id}`: one delivery and its attempts.
#[component]
pub fn DeliveryPage(id: String) -> impl IntoView {
    view! {
        <Frame page=Page::WebhookDelivery(id.clone())>
            <delivery::DeliveryPage id />
        </Frame>
    }
}

/// `/webhooks/events`: the event catalog.
#[component]
pub fn EventsPage() -> impl IntoView {
    view! { <Frame page=Page::WebhookEvents><events::EventsPage /></Frame> }
}

#[component]
fn AreaTabs(page: Page) -> impl IntoView {
    let tab = |target: Page, label: &'static str, testid: &'static str| {
        let on = page == target || (target == Page::WebhookDeliveries && matches!(page, Page::WebhookDelivery(_)));
        let current = on.then_some("page");
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
