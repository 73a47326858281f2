//! Tools > Issues: one deduplicated list of what is broken, with the fix one click away.
//!
//! The page owns the data: the filters come from the URL, the list reloads when they change and
//! whenever the server pushes new counts, and row actions update their row in place.

mod actions;
mod bulk;
mod detail;
mod filters;
mod table;

use crate::api;
use crate::components::{EmptyState, ErrorPanel};
use crate::issue_counts::use_issue_counts;
use crate::routes::Page;
use actions::{DismissDialog, DismissTarget};
use bulk::BulkBar;
use filters::{AreaTabs, FilterBar, Filters};
use leptos::prelude::*;
use leptos::task::spawn_local;
use sluice_contract::issues::{Issue, IssueAction};
use sluice_contract::page::MAX_LIMIT;
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;
use table::{IssueTable, RowState};

/// Where the list stands. Rows already shown stay while a reload runs.
#[derive(Clone, Debug, PartialEq)]
enum Load {
    Loading,
    Ready,
    Failed(String),
}

/// The list and how to change it, shared by the page's parts.
#[derive(Clone, Copy)]
pub(crate) struct IssueList {
    items: RwSignal<Vec<Issue>>,
    next: RwSignal<Option<String>>,
    load: RwSignal<Load>,
    refreshing: RwSignal<bool>,
    more: RwSignal<bool>,
    generation: StoredValue<u64>,
    filters: Memo<Filters>,
    /// The filters the rows on screen were loaded with.
    shown_for: StoredValue<Option<Filters>>,
    rows: RowState,
}

impl IssueList {
    /// Loads the first page for the current filters (or the next page, appending).
    fn fetch(self, append: bool) {
        let cursor = if append { self.next.get_untracked() } else { None };
        if append && cursor.is_none() {
            return;
        }
        let generation = self.generation.get_value() + u64::from(!append);
        self.generation.set_value(generation);
        if append {
            self.more.set(true);
        } else {
            self.refreshing.set(true);
        }
        let filters = self.filters.get_untracked();
        let mut query = filters.query(cursor);
        if !append && self.shown_for.with_value(|shown| shown.as_ref() == Some(&filters)) {
            // A live refresh keeps as many rows as "Load more" had brought in.
            let shown = self.items.with_untracked(Vec::len) as u32;
            query.limit = query.limit.map(|limit| shown.clamp(limit, MAX_LIMIT));
        }
        spawn_local(async move {
            let result = api::issues::list(&query).await;
            // A newer load (the filters changed meanwhile) wins.
            if self.generation.try_get_value() != Some(generation) {
                return;
            }
            self.refreshing.try_set(false);
            self.more.try_set(false);
            match result {
                Ok(page) => {
                    self.next.try_set(page.next_cursor);
                    if append {
                        self.items.try_update(|items| items.extend(page.items));
                    } else {
                        let same_view = self.shown_for.try_get_value().flatten().as_ref() == Some(&filters);
                        self.shown_for.try_set_value(Some(filters));
                        self.show_fresh(page.items, same_view);
                    }
                    self.load.try_set(Load::Ready);
                }
                Err(api::ApiError::Cancelled) => {}
                Err(e) => drop(self.load.try_set(Load::Failed(e.user_message()))),
            }
        });
    }

    /// Shows a fresh first page. On a refresh of the same view, rows the admin just acted on stay
    /// (now resolved or dismissed) with their outcome, instead of vanishing mid-sentence.
    fn show_fresh(self, fresh: Vec<Issue>, same_view: bool) {
        let outcomes = self.rows.outcomes;
        self.items.try_update(|items| {
            let mut kept: Vec<(usize, Issue)> = Vec::new();
            if same_view {
                for (at, old) in items.drain(..).enumerate() {
                    let acted_on = outcomes.try_with_untracked(|o| o.contains_key(&old.id)).unwrap_or(false);
                    if acted_on && !fresh.iter().any(|i| i.id == old.id) {
                        kept.push((at, old));
                    }
                }
            }
            *items = fresh;
            for (at, issue) in kept {
                items.insert(at.min(items.len()), issue);
            }
        });
        // Only rows on screen that can still be acted on stay selected.
        let selectable: BTreeSet<String> = self
            .items
            .try_with_untracked(|items| items.iter().filter(|i| i.status.is_active()).map(|i| i.id.clone()).collect())
            .unwrap_or_default();
        self.rows.selected.try_update(|s| s.retain(|id| selectable.contains(id)));
        if !same_view {
            self.rows.outcomes.try_update(HashMap::clear);
            self.rows.bulk_outcome.try_set(None);
        }
    }

    /// Puts the server's answer for one issue in place of its row.
    fn replace(self, issue: Issue) {
        // `try_`: the answer may arrive after the admin left the page.
        self.items.try_update(|items| {
            if let Some(row) = items.iter_mut().find(|i| i.id == issue.id) {
                *row = issue;
            }
        });
    }
}

#[component]
pub fn IssuesPage() -> impl IntoView {
    let filters = Filters::from_url();
    let live = use_issue_counts();

    // "3 min ago" stays true while the page is open.
    let (now, set_now) = signal(api::now_ms());
    let ticker = set_interval_with_handle(move || set_now.set(api::now_ms()), Duration::from_secs(20)).ok();
    on_cleanup(move || {
        if let Some(t) = ticker {
            t.clear();
        }
    });

    let rows = RowState {
        selected: RwSignal::new(Default::default()),
        busy: RwSignal::new(Default::default()),
        outcomes: RwSignal::new(Default::default()),
        expanded: RwSignal::new(None),
        bulk_outcome: RwSignal::new(None),
        now: now.into(),
    };
    let list = IssueList {
        items: RwSignal::new(Vec::new()),
        next: RwSignal::new(None),
        load: RwSignal::new(Load::Loading),
        refreshing: RwSignal::new(false),
        more: RwSignal::new(false),
        generation: StoredValue::new(0),
        filters,
        shown_for: StoredValue::new(None),
        rows,
    };
    // Reload when the filters change, and when the server says something changed.
    Effect::new(move |_| {
        filters.track();
        live.changes.track();
        list.fetch(false);
    });
    let dismissing = RwSignal::new(None::<DismissTarget>);
    let on_action = Callback::new(move |(issue, action): (Issue, IssueAction)| match action {
        IssueAction::Dismiss => dismissing.set(Some(DismissTarget::One(Box::new(issue)))),
        _ => actions::run(list, rows, issue, action),
    });

    // What the list area shows; a memo, so a refresh that keeps rows on screen only updates
    // the rows that changed (an open history stays open) instead of drawing the table again.
    let shown = Memo::new(move |_| match list.load.get() {
        Load::Loading => Shown::Loading,
        Load::Failed(message) => Shown::Failed(message),
        Load::Ready if !list.items.with(Vec::is_empty) => Shown::Table,
        Load::Ready if filters.with(Filters::is_default) => Shown::NothingBroken,
        Load::Ready => Shown::NoMatch,
    });
    let counts = Signal::derive(move || live.counts.get());
    view! {
        <div class="page-head" data-testid="issues-page">
            <p class="breadcrumb">"Tools"</p>
            <h1>
                "Issues"
                {move || list.refreshing.get().then(|| view! { <span class="muted small">" Updating…"</span> })}
            </h1>
            <p class="lede">
                "Everything that is broken right now, once per problem: how often and since when, the exact error, and the button that fixes it."
            </p>
        </div>
        <AreaTabs filters counts />
        <FilterBar filters />
        <BulkBar list rows on_dismiss=Callback::new(move |ids| dismissing.set(Some(DismissTarget::Many(ids)))) />
        {move || match shown.get() {
            Shown::Loading => view! { <p class="loading">"Loading issues…"</p> }.into_any(),
            Shown::Failed(message) => view! {
                <ErrorPanel
                    title="The issues could not be loaded."
                    message
                    on_retry=Callback::new(move |_| list.fetch(false))
                />
            }
            .into_any(),
            Shown::NothingBroken => nothing_broken().into_any(),
            Shown::NoMatch => no_match().into_any(),
            Shown::Table => view! { <IssueTable issues=list.items state=rows on_action /> <LoadMore list /> }.into_any(),
        }}
        {move || {
            dismissing
                .get()
                .map(|target| {
                    view! {
                        <DismissDialog
                            target
                            on_close=Callback::new(move |_| dismissing.set(None))
                            on_confirm=Callback::new(move |target| {
                                dismissing.set(None);
                                actions::dismiss(list, rows, target);
                            })
                        />
                    }
                })
        }}
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Shown {
    Loading,
    Failed(String),
    /// No active issues, and no filter hides any.
    NothingBroken,
    NoMatch,
    Table,
}

/// The empty state when there is truly nothing: and what is being watched.
fn nothing_broken() -> impl IntoView {
    view! {
        <div data-testid="nothing-broken">
            <EmptyState title="Nothing is broken">
                <p>
                    "Sluice is watching your API usage against the tenant's limit and its alert thresholds; webhook deliveries, integrations and distributor feeds report here too as you set them up. When something fails, it appears here once, with the exact error and a way to fix it."
                </p>
            </EmptyState>
        </div>
    }
}

/// The filters hide everything: say so, and offer the way back.
fn no_match() -> impl IntoView {
    view! {
        <div data-testid="no-match">
            <EmptyState title="No issues match these filters">
                <p>
                    "Other issues may be hidden by the status, area, severity or search. " <a href=Page::Issues.path()>"Clear filters"</a>
                </p>
            </EmptyState>
        </div>
    }
}

#[component]
fn LoadMore(list: IssueList) -> impl IntoView {
    move || {
        list.next.with(Option::is_some).then(|| {
            view! {
                <p class="load-more">
                    <button
                        type="button"
                        class="button"
                        data-testid="load-more"
                        disabled=move || list.more.get()
                        on:click=move |_| list.fetch(true)
                    >
                        {move || if list.more.get() { "Loading…" } else { "Load more" }}
                    </button>
                </p>
            }
        })
    }
}
