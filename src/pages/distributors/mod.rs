//! Admin > Distributors: price feeds with their last successful sync, staleness, Test
//! connection, Force re-fetch with live progress, run history — and a product price search.

mod form;
mod products;
mod runs;

pub use form::TestResult;
pub use runs::{progress_text, summary_text};

use crate::api::{self, ApiError};
use crate::components::{EmptyState, ErrorPanel, RelativeTime};
use form::distributor_form;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use products::ProductSearch;
use runs::{ForceRefetch, RunHistory};
use sluice_contract::distributors::{ConnectionTest, Distributor, FeedKind, RunProgress};

#[component]
pub fn DistributorsPage() -> impl IntoView {
    let query = use_query_map();
    let selected = Memo::new(move |_| query.with(|q| q.get("id")));
    let list = RwSignal::new(None::<Result<Vec<Distributor>, ApiError>>);
    let adding = RwSignal::new(false);
    let progress = RwSignal::new(None::<RunProgress>);
    let now = RwSignal::new(api::now_ms());
    let load = move || {
        spawn_local(async move {
            let result = api::distributors::list().await.map(|p| p.items);
            if !matches!(result, Err(ApiError::Cancelled)) {
                list.try_set(Some(result));
            }
        });
    };
    load();
    let stream = api::distributors::watch_runs(move |p| drop(progress.try_set(Some(p))));
    let ticker = set_interval_with_handle(
        move || {
            now.try_set(api::now_ms());
        },
        std::time::Duration::from_secs(30),
    )
    .ok();
    let stream = StoredValue::new_local(stream);
    on_cleanup(move || {
        drop(stream.try_update_value(Option::take));
        if let Some(t) = ticker {
            t.clear();
        }
    });
    let navigate = use_navigate();

    view! {
        <div class="page-head" data-testid="distributors-page">
            <p class="breadcrumb">"Admin"</p>
            <h1>"Distributors"</h1>
            <p class="lede">"Price feeds: when each last synced, whether its prices are stale, and what went wrong when they fail."</p>
        </div>
        <div class="actions">
            <button class="button button-primary" data-testid="add-distributor" on:click=move |_| adding.set(true)>"Add distributor"</button>
        </div>
        {move || adding.get().then(|| {
            let navigate = navigate.clone();
            let on_saved = Callback::new(move |d: Distributor| {
                adding.set(false);
                load();
                navigate(&format!("/distributors?id={}", d.id), Default::default());
            });
            distributor_form(None, on_saved, Callback::new(move |_| adding.set(false)))
        })}
        {move || match list.get() {
            None => view! { <p class="loading">"Loading distributors…"</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorPanel title="Distributors could not be loaded." message=e.user_message() on_retry=Callback::new(move |_| load()) /> }.into_any(),
            Some(Ok(items)) if items.is_empty() => view! {
                <EmptyState title="No distributor feeds yet">
                    <p>"Add a distributor's price file (HTTP or FTP) to see its prices, when they last synced, and whether they are stale."</p>
                </EmptyState>
            }.into_any(),
            Some(Ok(items)) => view! { <DistributorTable items now=now.into() /> }.into_any(),
        }}
        // Keyed on the selection only, so a reload of the list keeps a run's progress and summary.
        {move || selected.get().map(|id| {
            let distributor = Memo::new(move |_| {
                list.with(|l| l.as_ref().and_then(|r| r.as_ref().ok()).and_then(|items| items.iter().find(|d| d.id == id).cloned()))
            });
            view! {
                <Show when=move || distributor.with(Option::is_some)>
                    {distributor_detail(distributor, progress, Callback::new(move |_| load()))}
                </Show>
            }
        })}
        <ProductSearch />
    }
}

#[component]
fn DistributorTable(items: Vec<Distributor>, now: Signal<f64>) -> impl IntoView {
    view! {
        <table class="table" data-testid="distributor-table">
            <caption class="visually-hidden">"Distributors"</caption>
            <thead><tr><th scope="col">"Distributor"</th><th scope="col">"Last successful sync"</th><th scope="col">"Last run"</th><th scope="col">"Priority"</th></tr></thead>
            <tbody>
                {items.into_iter().map(|d| {
                    let kind = match d.kind { FeedKind::Http => "HTTP", FeedKind::Ftp => "FTP" };
                    view! {
                        <tr data-testid="distributor-row">
                            <td><a href=format!("/distributors?id={}", d.id)>{d.name.clone()}</a>" "<span class="muted small">{kind}</span></td>
                            <td class="last-success">
                                <strong>{match d.last_success_at.clone() {
                                    Some(at) => view! { <RelativeTime at now testid="last-success" /> }.into_any(),
                                    None => view! { <span data-testid="last-success">"never"</span> }.into_any(),
                                }}</strong>
                                {d.stale.then(|| view! { " "<span class="badge badge-warning" data-testid="stale-badge">"Stale"</span> })}
                            </td>
                            <td>{d.last_run.as_ref().map(summary_text).unwrap_or_else(|| "No runs yet".into())}</td>
                            <td>{d.priority}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

crate::pages::part::lazy_part! {
    /// Fetched when the admin opens a distributor (or lands on its link).
    fn distributor_detail(distributor: Memo<Option<Distributor>>, progress: RwSignal<Option<RunProgress>>, on_changed: Callback<()>) in distributor_detail {
        view! { <Detail distributor progress on_changed /> }
    }
}

/// One distributor: Test connection, Force re-fetch, Edit, run history.
#[component]
fn Detail(
    /// The selected distributor as the list last loaded it.
    distributor: Memo<Option<Distributor>>,
    progress: RwSignal<Option<RunProgress>>,
    on_changed: Callback<()>,
) -> impl IntoView {
    let editing = RwSignal::new(false);
    let testing = RwSignal::new(false);
    let test = RwSignal::new(None::<ConnectionTest>);
    let reload_runs = RwSignal::new(0u32);
    let current = move || distributor.get_untracked().expect("shown only when present");
    let id = current().id;
    let run_test = move |_| {
        testing.set(true);
        test.set(None);
        let d = current();
        spawn_local(async move {
            // The saved connection as it is (its stored password is used).
            let result = api::distributors::test(&to_input(&d), Some(&d.id)).await;
            testing.try_set(false);
            test.try_set(Some(result.unwrap_or_else(|e| ConnectionTest {
                ok: false,
                error: Some(e.user_message()),
                columns: vec![],
                rows: vec![],
            })));
        });
    };
    let heading = move || distributor.get().map(|d| d.name).unwrap_or_default();
    let where_ = move || {
        let Some(d) = distributor.get() else { return String::new() };
        let place = match d.kind {
            FeedKind::Http => d.url.clone().unwrap_or_default(),
            FeedKind::Ftp => format!(
                "ftp://{}@{}:{}{}",
                d.username.clone().unwrap_or_default(),
                d.host.clone().unwrap_or_default(),
                d.port.unwrap_or(21),
                d.path.clone().unwrap_or_default()
            ),
        };
        format!("{place} — every {} min, stale after {} h", d.cadence_minutes, d.stale_after_hours)
    };
    view! {
        <section class="section distributor-detail" aria-labelledby="detail-heading" data-testid="distributor-detail">
            <h2 id="detail-heading">{heading}</h2>
            <p class="muted">{where_}</p>
            <div class="actions">
                <button class="button" data-testid="test-saved" on:click=run_test disabled=move || testing.get()>
                    {move || if testing.get() { "Testing…" } else { "Test connection" }}
                </button>
                <ForceRefetch
                    distributor_id=id.clone()
                    progress
                    on_done=Callback::new(move |_| {
                        reload_runs.update(|n| *n += 1);
                        on_changed.run(());
                    })
                />
                <button class="button" data-testid="edit-distributor" on:click=move |_| editing.set(true)>"Edit"</button>
            </div>
            {move || test.get().map(form::test_result)}
            {move || editing.get().then(|| {
                let on_saved = Callback::new(move |_| {
                    editing.set(false);
                    test.set(None);
                    on_changed.run(());
                });
                distributor_form(Some(current()), on_saved, Callback::new(move |_| editing.set(false)))
            })}
            <RunHistory distributor_id=id reload=reload_runs />
        </section>
    }
}

/// A saved connection back into the form's shape (no password: the stored one is used).
fn to_input(d: &Distributor) -> sluice_contract::distributors::DistributorInput {
    sluice_contract::distributors::DistributorInput {
        name: d.name.clone(),
        kind: d.kind,
        url: d.url.clone(),
        host: d.host.clone(),
        port: d.port,
        username: d.username.clone(),
        password: None,
        path: d.path.clone(),
        format: d.format,
        csv: d.csv.clone(),
        records_path: d.records_path.clone(),
        mapping: d.mapping.clone(),
        priority: d.priority,
        cadence_minutes: d.cadence_minutes,
        stale_after_hours: d.stale_after_hours,
        ignore_older_than_days: d.ignore_older_than_days,
        max_rejected_percent: d.max_rejected_percent,
    }
}
