//! Admin > Integrations: Autotask, HubSpot, Salesforce and Apollo.io — each with its status,
//! its last successful call and last error, its usage against the provider's limit, and paused
//! syncs; one page per integration to fix credentials, test, and schedule syncs.
//! Two lazy chunks (`pages/lazy.rs`): the list, and one integration.

mod activity;
mod credentials;
mod detail;
mod steps;
mod syncs;
mod usage;

pub use detail::{CredentialsPage, IntegrationPage, SyncsPage};
pub use usage::{meter_text, usage_level, UsageBar};

use crate::api;
use crate::components::{EmptyState, RelativeTime};
use crate::pages::load::{show, updating, Loader, Words};
use crate::routes::Page;
use api::integrations::IntegrationsChanged;
use leptos::prelude::*;
use sluice_contract::integrations::{IntegrationDetail, IntegrationStatus, IntegrationSummary, Provider};
use sluice_contract::Page as ListPage;

/// One integration's page data, keyed on the provider in the URL.
type IntegrationLoader = Loader<Provider, IntegrationDetail>;

#[component]
pub fn IntegrationsPage() -> impl IntoView {
    let list = Loader::new(|| (), |(), cancel| api::integrations::list(cancel));
    // Status, usage and runs change on the server: look again, coalesced.
    watch(move |_| list.refresh());
    let now = ticking_now();
    view! {
        <div class="page-head" data-testid="integrations-page">
            <p class="breadcrumb">"Admin"</p>
            <h1>"Integrations" {updating(list)}</h1>
            <p class="lede">
                "The CRM, PSA and enrichment services Sluice syncs with: whether each works, when it last answered, and how much of the provider's API limit its syncs use. Outgoing events are under "
                <a href=Page::Webhooks.path()>"Webhooks"</a> "."
            </p>
        </div>
        <section class="section" aria-labelledby="providers-heading">
            <h2 id="providers-heading" class="visually-hidden">"Providers"</h2>
            {show(
                list,
                Words { loading: "Loading integrations…", failed: "The integrations could not be loaded." },
                |d: &ListPage<IntegrationSummary>| d.items.is_empty(),
                || view! {
                    <EmptyState title="No integrations available">
                        <p>"Autotask, HubSpot, Salesforce and Apollo.io appear here once this tenant can connect to them."</p>
                    </EmptyState>
                }.into_any(),
                move |data| {
                    let items = Signal::derive(move || data.get().items);
                    view! { <IntegrationTable items now /> }.into_any()
                },
            )}
        </section>
    }
}

#[component]
fn IntegrationTable(#[prop(into)] items: Signal<Vec<IntegrationSummary>>, now: Signal<f64>) -> impl IntoView {
    view! {
        <table class="table integrations-table" data-testid="integration-table">
            <caption class="visually-hidden">"Integrations"</caption>
            <thead>
                <tr>
                    <th scope="col">"Integration"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Last successful call"</th>
                    <th scope="col">"Last error"</th>
                    <th scope="col">"Usage of the provider's limit"</th>
                    <th scope="col">"Syncs"</th>
                </tr>
            </thead>
            <tbody>
                <For each=move || items.get() key=row_key let:i>
                    <IntegrationRow i now />
                </For>
            </tbody>
        </table>
    }
}

#[component]
fn IntegrationRow(i: IntegrationSummary, now: Signal<f64>) -> impl IntoView {
    let href = Page::Integration(i.provider).path();
    let issues = (i.open_issues > 0).then(|| {
        let link = issues_link(i.provider.name());
        let n = i.open_issues;
        view! { <a class="small" href=link data-testid="open-issues">{plural(n.into(), "open issue", "open issues")}</a> }
    });
    view! {
        <tr data-testid="integration-row" data-provider=i.provider.as_str()>
            <th scope="row">
                <a href=href>{i.name.clone()}</a>
                <div class="muted small">{i.category.as_str()}</div>
            </th>
            <td>
                <StatusBadge status=i.status label=i.status_label.clone() />
                <div>{issues}</div>
            </td>
            <td>
                {match i.last_success_at {
                    Some(at) => view! { <RelativeTime at=iso(at) now testid="last-success" /> }.into_any(),
                    None => view! { <span class="muted" data-testid="last-success">"never"</span> }.into_any(),
                }}
            </td>
            <td class="small">
                {match (i.last_error.clone(), i.last_error_at) {
                    (Some(error), at) => view! {
                        <div class="danger-text" data-testid="last-error">{error}</div>
                        {at.map(|at| view! { <RelativeTime at=iso(at) now /> })}
                    }.into_any(),
                    (None, _) => view! { <span class="muted" data-testid="last-error">"none"</span> }.into_any(),
                }}
            </td>
            <td>
                {match i.usage.clone() {
                    Some(usage) => view! { <UsageBar usage compact=true /> }.into_any(),
                    None => view! { <span class="muted">"—"</span> }.into_any(),
                }}
            </td>
            <td data-testid="paused-syncs">
                {if i.paused_syncs > 0 {
                    view! { <span class="badge badge-warn">{format!("{} paused", i.paused_syncs)}</span> }.into_any()
                } else {
                    view! { <span class="muted">"none paused"</span> }.into_any()
                }}
            </td>
        </tr>
    }
}

/// Redraw a row when anything it shows changed (written out: `{:?}` would weigh on the chunk).
fn row_key(i: &IntegrationSummary) -> String {
    let usage = i.usage.as_ref();
    format!(
        "{}|{}|{}|{}|{}|{}|{}|{}",
        i.provider.as_str(),
        i.status_label,
        i.last_success_at.unwrap_or(0),
        i.last_error.as_deref().unwrap_or(""),
        usage.map_or(0, |u| u.used),
        usage.map_or(0, |u| u.limit),
        i.open_issues,
        i.paused_syncs,
    )
}

/// The status in words, coloured by how urgent it is (the words carry it, not the colour).
#[component]
pub fn StatusBadge(
    status: IntegrationStatus,
    /// The server's words for it (`status.label(expiresInDays)`): "Expiring in 2 days".
    label: String,
) -> impl IntoView {
    let class = match status {
        IntegrationStatus::Connected => "badge badge-ok",
        IntegrationStatus::NeedsAttention | IntegrationStatus::CredentialExpired => "badge badge-error",
        IntegrationStatus::Expiring => "badge badge-warn",
        IntegrationStatus::Disabled | IntegrationStatus::NotConfigured => "badge badge-muted",
    };
    view! { <span class=class data-testid="status-badge">{label}</span> }
}

/// Tools > Issues, showing this integration's active issues.
pub(crate) fn issues_link(provider_label: &str) -> String {
    let qs = api::query_string([("area", Some("integrations".to_string())), ("q", Some(provider_label.to_string()))]);
    Page::Issues.with_query(&qs)
}

/// Calls `on_change` on every `integrations` event while the calling component lives.
fn watch(on_change: impl Fn(IntegrationsChanged) + 'static) {
    let stream = StoredValue::new_local(api::integrations::watch(on_change));
    on_cleanup(move || drop(stream.try_update_value(Option::take)));
}

/// The time now (Unix ms), ticking every 30 s so "3 min ago" stays true.
fn ticking_now() -> Signal<f64> {
    let now = RwSignal::new(api::now_ms());
    let tick = move || {
        now.try_set(api::now_ms());
    };
    if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_secs(30)) {
        on_cleanup(move || handle.clear());
    }
    now.into()
}

/// Unix ms as RFC 3339, by the browser's clock code.
pub(crate) fn iso(ms: u64) -> String {
    String::from(js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64)).to_iso_string())
}

/// Unix ms as `2026-11-24` (UTC).
pub(crate) fn day(ms: u64) -> String {
    iso(ms).chars().take(10).collect()
}

fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
