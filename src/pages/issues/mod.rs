//! Tools > Issues: one deduplicated list of what is broken, with the fix one click away.
//!
//! The page owns the data: the filters come from the URL, the list reloads when they change and
//! whenever the server pushes new counts, and row actions update their row in place.

mod actions;
mod bulk;
mod detail;
mod filters;
mod table;

use crate::api::{self, ApiError, CancelToken};
use crate::components::EmptyState;
use crate::issue_counts::use_issue_counts;
use crate::pages::load::{show, updating, Loader, Words};
use crate::pages::url_filters::{is_default, use_url_filters};
use crate::routes::Page;
use actions::{dismiss_dialog, DismissTarget};
use bulk::BulkBar;
use filters::{AreaTabs, FilterBar, Filters, PAGE_SIZE};
use leptos::prelude::*;
use leptos::task::spawn_local;
use sluice_contract::issues::{Issue, IssueAction};
use sluice_contract::page::MAX_LIMIT;
use sluice_contract::Page as ListPage;
use std::time::Duration;
use table::{IssueTable, RowState};

type Issues = ListPage<Issue>;

/// The list and how to change it, shared by the page's parts. Loaded the way every page
/// loads ([`Loader`]): keyed on the filters in the URL, live refreshes coalesced.
#[derive(Clone, Copy)]
pub(crate) struct IssueList {
    loader: Loader<Filters, Issues>,
    /// The rows on screen (empty while nothing is loaded).
    items: Signal<Vec<Issue>>,
    /// The filters the rows on screen were loaded with, and how many rows that was: a live
    /// refresh asks for as many rows as "Load more" had brought in.
    shown: RwSignal<Option<(Filters, u32)>>,
    filters: Memo<Filters>,
    /// "Load more" is fetching.
    more: RwSignal<bool>,
}

impl IssueList {
    fn new(filters: Memo<Filters>, rows: RowState) -> Self {
        let shown = RwSignal::new(None::<(Filters, u32)>);
        let loader = Loader::new(
            move || filters.get(),
            move |f: Filters, cancel: CancelToken| {
                let rows_shown = shown.with_untracked(|s| s.as_ref().filter(|(k, _)| *k == f).map(|(_, n)| *n));
                let query = f.query(None, rows_shown.map_or(PAGE_SIZE, |n| n.clamp(PAGE_SIZE, MAX_LIMIT)));
                async move {
                    let page = api::issues::list(&query, cancel.clone()).await?;
                    // Not superseded: this page is the one that will be shown.
                    if !cancel.is_cancelled() {
                        shown.try_set(Some((f, page.items.len() as u32)));
                    }
                    Ok(page)
                }
            },
        )
        .merge_with(move |old, fresh| keep_acted_on(rows, old, fresh));
        let items =
            Signal::derive(move || loader.data.with(|d| d.as_ref().map(|p| p.items.clone()).unwrap_or_default()));
        IssueList { loader, items, shown, filters, more: RwSignal::new(false) }
    }

    /// Appends the next page (the admin asked for more).
    fn load_more(self) {
        let cursor = self.loader.data.with_untracked(|d| d.as_ref().and_then(|p| p.next_cursor.clone()));
        let Some(cursor) = cursor else { return };
        if self.more.get_untracked() {
            return;
        }
        self.more.set(true);
        let wanted = self.filters.get_untracked();
        let query = wanted.query(Some(cursor), PAGE_SIZE);
        spawn_local(async move {
            let result = api::issues::list(&query, CancelToken::new()).await;
            self.more.try_set(false);
            // The filters changed meanwhile: this page belongs to another list.
            if self.filters.try_get_untracked().as_ref() != Some(&wanted) {
                return;
            }
            match result {
                Ok(page) => {
                    let mut total = 0;
                    self.loader.update(|list| {
                        let known = list.items.len();
                        for issue in page.items {
                            if !list.items[..known].iter().any(|i| i.id == issue.id) {
                                list.items.push(issue);
                            }
                        }
                        list.next_cursor = page.next_cursor;
                        total = list.items.len() as u32;
                    });
                    self.shown.try_set(Some((wanted, total)));
                }
                Err(ApiError::Cancelled) => {}
                Err(e) => drop(self.loader.error.try_set(Some(e))),
            }
        });
    }

    /// Puts the server's answer for one issue in place of its row.
    fn replace(self, issue: Issue) {
        // `try_`: the answer may arrive after the admin left the page.
        self.loader.update(|list| {
            if let Some(row) = list.items.iter_mut().find(|i| i.id == issue.id) {
                *row = issue;
            }
        });
    }

    /// The title of a row on screen, for messages.
    fn title_of(self, id: &str) -> Option<String> {
        self.loader
            .data
            .try_with_untracked(|d| {
                d.as_ref().and_then(|p| p.items.iter().find(|i| i.id == id).map(|i| i.title.clone()))
            })
            .flatten()
    }
}

/// A live refresh of the same view: rows the admin just acted on stay (now resolved or
/// dismissed) with their outcome, instead of vanishing mid-sentence.
fn keep_acted_on(rows: RowState, old: &Issues, mut fresh: Issues) -> Issues {
    let acted_on = |id: &String| rows.outcomes.try_with_untracked(|o| o.contains(id)).unwrap_or(false);
    let kept = old
        .items
        .iter()
        .enumerate()
        .filter(|(_, old)| acted_on(&old.id) && !fresh.items.iter().any(|i| i.id == old.id));
    let kept: Vec<(usize, Issue)> = kept.map(|(at, issue)| (at, issue.clone())).collect();
    for (at, issue) in kept {
        let at = at.min(fresh.items.len());
        fresh.items.insert(at, issue);
    }
    fresh
}

#[component]
pub fn IssuesPage() -> impl IntoView {
    let filters = use_url_filters::<Filters>();
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
    let list = IssueList::new(filters, rows);
    // The server says something changed: look again (coalesced by the loader, so a burst of
    // notices makes one fetch, and one more if they kept coming while it ran).
    Effect::new(move |seen: Option<()>| {
        live.changes.track();
        if seen.is_some() {
            list.loader.refresh();
        }
    });
    // Another view: what was said about the previous one's rows no longer applies.
    Effect::new(move |seen: Option<()>| {
        filters.track();
        if seen.is_some() {
            rows.outcomes.update(|o| o.clear());
            rows.bulk_outcome.set(None);
        }
    });
    // Only rows on screen that can still be acted on stay selected.
    Effect::new(move |_| {
        let selectable: Vec<String> =
            list.items.with(|items| items.iter().filter(|i| i.status.is_active()).map(|i| i.id.clone()).collect());
        rows.selected.update(|s| s.retain(|id| selectable.iter().any(|i| i == id)));
    });
    let dismissing = RwSignal::new(None::<DismissTarget>);
    let on_action = Callback::new(move |(issue, action): (Issue, IssueAction)| match action {
        IssueAction::Dismiss => dismissing.set(Some(DismissTarget::One(Box::new(issue)))),
        _ => actions::run(list, rows, issue, action),
    });
    // Empty because nothing is broken, or because the filters hide it: as loaded, not as typed.
    let unfiltered = move || list.shown.with(|s| s.as_ref().is_none_or(|(f, _)| is_default(f)));

    let counts = Signal::derive(move || live.counts.get());
    view! {
        <div class="page-head" data-testid="issues-page">
            <p class="breadcrumb">"Tools"</p>
            <h1>"Issues" {updating(list.loader)}</h1>
            <p class="lede">
                "Everything that is broken right now, once per problem: how often and since when, the exact error, and the button that fixes it."
            </p>
        </div>
        <AreaTabs filters counts />
        <FilterBar filters />
        <BulkBar list rows on_dismiss=Callback::new(move |ids| dismissing.set(Some(DismissTarget::Many(ids)))) />
        {show(
            list.loader,
            Words { loading: "Loading issues…", failed: "The issues could not be loaded." },
            |issues: &Issues| issues.items.is_empty(),
            move || view! { {move || if unfiltered() { nothing_broken().into_any() } else { no_match().into_any() }} }.into_any(),
            move |_| view! { <IssueTable issues=list.items state=rows on_action /> <LoadMore list /> }.into_any(),
        )}
        {move || {
            dismissing
                .get()
                .map(|target| {
                    let on_confirm = Callback::new(move |target| {
                        dismissing.set(None);
                        actions::dismiss(list, rows, target);
                    });
                    dismiss_dialog(target, Callback::new(move |_| dismissing.set(None)), on_confirm)
                })
        }}
    }
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
        list.loader.data.with(|d| d.as_ref().is_some_and(|p| p.next_cursor.is_some())).then(|| {
            view! {
                <p class="load-more">
                    <button
                        type="button"
                        class="button"
                        data-testid="load-more"
                        disabled=move || list.more.get()
                        on:click=move |_| list.load_more()
                    >
                        {move || if list.more.get() { "Loading…" } else { "Load more" }}
                    </button>
                </p>
            }
        })
    }
}
