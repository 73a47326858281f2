//! The delivery log's filters: read from the URL and written back to it, so a filtered log is
//! a link, a reload keeps it, and Back undoes the last change.

use crate::pages::url_filters::{is_default, navigate_with, non_empty, UrlFilters};
use crate::routes::Page;
use leptos::prelude::*;
use sluice_contract::webhooks::{DeliveryQuery, DeliveryStatus, Endpoint};

/// Rows per request: a screenful and then some, well under the server's 200.
pub const PAGE_SIZE: u32 = 100;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filters {
    pub status: Option<String>,
    pub event_type: Option<String>,
    pub endpoint_id: Option<String>,
    /// RFC 3339, as the server takes it.
    pub since: Option<String>,
    pub event_id: Option<String>,
}

impl UrlFilters for Filters {
    fn page() -> Page {
        Page::WebhookDeliveries
    }

    fn from_params(get: &dyn Fn(&str) -> Option<String>) -> Self {
        Filters {
            status: get("status"),
            event_type: get("eventType"),
            endpoint_id: get("endpointId"),
            since: get("since"),
            event_id: get("eventId"),
        }
    }

    fn params(&self) -> Vec<(&'static str, Option<String>)> {
        vec![
            ("status", self.status.clone()),
            ("eventType", self.event_type.clone()),
            ("endpointId", self.endpoint_id.clone()),
            ("since", self.since.clone()),
            ("eventId", self.event_id.clone()),
        ]
    }
}

impl Filters {
    pub fn query(&self, cursor: Option<String>) -> DeliveryQuery {
        DeliveryQuery {
            status: self.status.clone(),
            event_type: self.event_type.clone(),
            endpoint_id: self.endpoint_id.clone(),
            event_id: self.event_id.clone(),
            since: self.since.clone(),
            until: None,
            limit: Some(PAGE_SIZE),
            cursor,
        }
    }
}

/// `2025-11-24T19:03:00Z` ↔ the `datetime-local` input's `2025-11-24T19:03` (read as UTC).
pub fn since_to_input(since: &str) -> String {
    since.chars().take(16).collect()
}

pub fn input_to_since(input: &str) -> Option<String> {
    let input = input.trim();
    (input.len() >= 16).then(|| format!("{}:00Z", &input[..16]))
}

/// Status, endpoint and since apply at once; event type and event id on Enter (Apply).
#[component]
pub fn FilterBar(
    filters: Memo<Filters>,
    /// The endpoints to choose from.
    #[prop(into)]
    endpoints: Signal<Vec<Endpoint>>,
) -> impl IntoView {
    let go = move |change: Box<dyn FnOnce(&mut Filters)>| navigate_with(filters, change);
    let event_type = RwSignal::new(String::new());
    let event_id = RwSignal::new(String::new());
    // Follow the URL when it changes by Back/Forward or a link.
    Effect::new(move |_| {
        filters.with(|f| {
            event_type.set(f.event_type.clone().unwrap_or_default());
            event_id.set(f.event_id.clone().unwrap_or_default());
        })
    });
    let on_apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (t, i) = (event_type.get_untracked(), event_id.get_untracked());
        go(Box::new(move |f| {
            f.event_type = non_empty(t);
            f.event_id = non_empty(i);
        }));
    };
    let status = move || filters.with(|f| f.status.clone().unwrap_or_default());
    let endpoint = move || filters.with(|f| f.endpoint_id.clone().unwrap_or_default());
    let since = move || filters.with(|f| f.since.as_deref().map(since_to_input).unwrap_or_default());
    view! {
        <form class="filter-bar" role="search" aria-label="Filter deliveries" on:submit=on_apply>
            <label class="filter">
                <span>"Status"</span>
                <select
                    data-testid="filter-status"
                    prop:value=status
                    on:change=move |ev| { let v = event_target_value(&ev); go(Box::new(move |f| f.status = non_empty(v))) }
                >
                    <option value="" selected=move || status().is_empty()>"Any"</option>
                    {DeliveryStatus::ALL
                        .into_iter()
                        .map(|s| view! { <option value=s.as_str() selected=move || status() == s.as_str()>{s.label()}</option> })
                        .collect_view()}
                </select>
            </label>
            <label class="filter">
                <span>"Endpoint"</span>
                <select
                    data-testid="filter-endpoint"
                    prop:value=endpoint
                    on:change=move |ev| { let v = event_target_value(&ev); go(Box::new(move |f| f.endpoint_id = non_empty(v))) }
                >
                    <option value="" selected=move || endpoint().is_empty()>"Any"</option>
                    {move || {
                        let mut list: Vec<(String, String)> = endpoints.get().into_iter().map(|e| (e.id, e.url)).collect();
                        // A filtered endpoint not (or not yet) in the list still shows as chosen.
                        let current = endpoint();
                        if !current.is_empty() && !list.iter().any(|(id, _)| *id == current) {
                            list.push((current.clone(), current));
                        }
                        list.into_iter()
                            .map(|(id, url)| {
                                let selected = { let id = id.clone(); move || endpoint() == id };
                                view! { <option value=id selected=selected>{url}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            </label>
            <label class="filter">
                <span>"Since (UTC)"</span>
                <input
                    type="datetime-local"
                    data-testid="filter-since"
                    prop:value=since
                    on:change=move |ev| { let v = event_target_value(&ev); go(Box::new(move |f| f.since = input_to_since(&v))) }
                />
            </label>
            <label class="filter">
                <span>"Event type"</span>
                <input type="text" data-testid="filter-event-type" placeholder="issue.opened"
                    prop:value=move || event_type.get() on:input=move |ev| event_type.set(event_target_value(&ev)) />
            </label>
            <label class="filter">
                <span>"Event id"</span>
                <input type="text" data-testid="filter-event-id"
                    prop:value=move || event_id.get() on:input=move |ev| event_id.set(event_target_value(&ev)) />
            </label>
            <button type="submit" class="button" data-testid="apply-filters">"Apply"</button>
            {move || (!filters.with(is_default)).then(|| view! { <a href=Page::WebhookDeliveries.path() data-testid="clear-filters">"Clear filters"</a> })}
        </form>
    }
}
