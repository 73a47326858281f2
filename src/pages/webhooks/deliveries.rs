//! The delivery log: every event on its way to every endpoint, newest first, filtered by the
//! URL, live, and windowed so ten thousand rows stay smooth.

use super::filters::{FilterBar, Filters};
use super::retry_failed::retry_failed_dialog;
use super::watch_webhooks;
use crate::api;
use crate::components::{short_time, EmptyState, WindowedList};
use crate::pages::load::{show, updating, Loader, Words};
use crate::pages::url_filters::{is_default, use_url_filters};
use crate::routes::Page;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sluice_contract::webhooks::{Delivery, DeliveryStatus};
use sluice_contract::Page as ListPage;
use std::collections::HashSet;

type Log = ListPage<Delivery>;

/// A live refresh brings the newest page; rows loaded further down stay below it.
pub(super) fn merge(old: &Log, fresh: Log) -> Log {
    let fresh_ids: HashSet<&str> = fresh.items.iter().map(|d| d.id.as_str()).collect();
    let overlaps = old.items.iter().any(|d| fresh_ids.contains(d.id.as_str()));
    if !overlaps {
        // More than a page arrived since (or nothing was shown): start from the fresh page.
        return fresh;
    }
    let older: Vec<Delivery> = old.items.iter().filter(|d| !fresh_ids.contains(d.id.as_str())).cloned().collect();
    let next_cursor = if older.is_empty() { fresh.next_cursor } else { old.next_cursor.clone() };
    let mut items = fresh.items;
    items.extend(older);
    ListPage { items, next_cursor }
}

fn status_class(status: DeliveryStatus) -> &'static str {
    match status {
        DeliveryStatus::Succeeded => "badge badge-ok",
        DeliveryStatus::Failed => "badge badge-error",
        DeliveryStatus::Retrying => "badge badge-warn",
        DeliveryStatus::Pending => "badge badge-muted",
    }
}

/// The last outcome in a few words: "HTTP 200", "timed out after 15 s".
fn outcome(d: &Delivery) -> String {
    match (&d.last_error, d.last_status_code) {
        (Some(e), _) => e.clone(),
        (None, Some(code)) => format!("HTTP {code}"),
        (None, None) => "Not attempted yet".into(),
    }
}

#[component]
pub fn DeliveriesPage() -> impl IntoView {
    let filters = use_url_filters::<Filters>();
    let log = Loader::new(
        move || filters.get(),
        |f: Filters, cancel| async move { api::webhooks::deliveries(&f.query(None), cancel).await },
    )
    .merge_with(merge);
    watch_webhooks(move |_| log.refresh());
    let endpoints = Loader::new(|| (), |(), cancel| api::webhooks::endpoints(None, cancel));
    let endpoint_list = Signal::derive(move || endpoints.data.get().map(|p| p.items).unwrap_or_default());

    // The next page, when the admin scrolls to the end (or presses Load more).
    let more = RwSignal::new(false);
    let load_more = Callback::new(move |_| {
        let Some(cursor) = log.data.with_untracked(|d| d.as_ref().and_then(|p| p.next_cursor.clone())) else { return };
        if more.get_untracked() {
            return;
        }
        more.set(true);
        let wanted = filters.get_untracked();
        spawn_local(async move {
            let result = api::webhooks::deliveries(&wanted.query(Some(cursor)), api::CancelToken::new()).await;
            more.try_set(false);
            // The filters changed meanwhile: this page belongs to another list.
            if filters.try_get_untracked().as_ref() != Some(&wanted) {
                return;
            }
            match result {
                Ok(page) => log.update(|log| {
                    let known: HashSet<String> = log.items.iter().map(|d| d.id.clone()).collect();
                    log.items.extend(page.items.into_iter().filter(|d| !known.contains(&d.id)));
                    log.next_cursor = page.next_cursor;
                }),
                Err(api::ApiError::Cancelled) => {}
                Err(e) => drop(log.error.try_set(Some(e))),
            }
        });
    });
    let retrying = RwSignal::new(false);
    view! {
        <section class="section" aria-labelledby="log-heading" data-testid="deliveries-page">
            <div class="section-head">
                <h2 id="log-heading">"Delivery log" {updating(log)}</h2>
                <button type="button" class="button" data-testid="retry-failed" on:click=move |_| retrying.set(true)>
                    "Retry all failed since…"
                </button>
            </div>
            <FilterBar filters endpoints=endpoint_list />
            {show(
                log,
                Words { loading: "Loading deliveries…", failed: "The deliveries could not be loaded." },
                |log: &Log| log.items.is_empty(),
                move || {
                    let filtered = !filters.with_untracked(is_default);
                    view! {
                        <EmptyState title=if filtered { "No deliveries match these filters" } else { "No deliveries yet" }>
                            <p>
                                "Each event sent to an endpoint appears here as it happens, with every attempt's status, response and duration."
                            </p>
                        </EmptyState>
                    }
                    .into_any()
                },
                move |data| {
                    let items = Signal::derive(move || data.with(|l| l.items.clone()));
                    let has_more = Signal::derive(move || data.with(|l| l.next_cursor.is_some()));
                    view! {
                        <p class="muted small" data-testid="log-count">
                            {move || format!("{} deliveries shown, newest first", items.with(Vec::len))}
                            {move || has_more.get().then_some(" — scroll for older ones")}
                        </p>
                        <WindowedList
                            items
                            key=|d: &Delivery| format!("{}|{}|{}", d.id, d.status.as_str(), d.attempts)
                            row=delivery_row
                            header=header()
                            label="Deliveries"
                            row_testid="delivery-row"
                            on_end=load_more
                        />
                        {move || {
                            has_more
                                .get()
                                .then(|| {
                                    view! {
                                        <p class="load-more">
                                            <button type="button" class="button" data-testid="load-more" disabled=move || more.get()
                                                on:click=move |_| load_more.run(())>
                                                {move || if more.get() { "Loading…" } else { "Load more" }}
                                            </button>
                                        </p>
                                    }
                                })
                        }}
                    }
                    .into_any()
                },
            )}
        </section>
        {move || {
            retrying.get().then(|| {
                let endpoint_id = filters.with_untracked(|f| f.endpoint_id.clone());
                retry_failed_dialog(endpoint_id, Callback::new(move |_| retrying.set(false)), Callback::new(move |_| log.refresh()))
            })
        }}
    }
}

fn header() -> AnyView {
    view! {
        <span role="columnheader" class="col-time">"Created (UTC)"</span>
        <span role="columnheader" class="col-type">"Event"</span>
        <span role="columnheader" class="col-endpoint">"Endpoint"</span>
        <span role="columnheader" class="col-status">"Status"</span>
        <span role="columnheader" class="col-outcome">"Last attempt"</span>
    }
    .into_any()
}

fn delivery_row(d: Delivery) -> impl IntoView {
    let attempts = match d.attempts {
        0 => String::new(),
        1 => " · 1 attempt".to_string(),
        n => format!(" · {n} attempts"),
    };
    view! {
        <span role="cell" class="col-time">
            <a href=Page::WebhookDelivery(d.id.clone()).path() data-testid="delivery-link">{short_time(&d.created_at)}</a>
        </span>
        <span role="cell" class="col-type"><code data-testid="delivery-event-type">{d.event_type.clone()}</code></span>
        <span role="cell" class="col-endpoint" title=d.endpoint_url.clone()>{d.endpoint_url.clone()}</span>
        <span role="cell" class="col-status">
            <span class=status_class(d.status) data-testid="delivery-status">{d.status.label()}</span>
        </span>
        <span role="cell" class="col-outcome" data-testid="delivery-outcome">{outcome(&d)} {attempts}</span>
    }
}
