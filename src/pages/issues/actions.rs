//! Acting on issues: one row (Retry, Acknowledge, Dismiss) or the selected rows at once.

use super::table::{Outcome, RowState};
use super::{outcome_of, IssueList};
use crate::api::{self, ApiError};
use crate::components::Dialog;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sluice_contract::issues::{BulkIssueResult, Issue, IssueAction};

fn busy_label(action: IssueAction) -> &'static str {
    match action {
        IssueAction::Retry => "Retrying…",
        IssueAction::Acknowledge => "Acknowledging…",
        IssueAction::Dismiss => "Dismissing…",
    }
}

/// Runs `action` on one issue; the row shows progress, then the outcome.
pub(super) fn run(list: IssueList, rows: RowState, issue: Issue, action: IssueAction) {
    let id = issue.id.clone();
    if rows.busy.with_untracked(|b| b.contains_key(&id)) {
        return;
    }
    rows.busy.update(|b| {
        b.insert(id.clone(), busy_label(action));
    });
    rows.outcomes.update(|o| drop(o.remove(&id)));
    // One key per click: if the request is retried at the rate-limit gate, it is done once.
    let key = api::idempotency_key();
    spawn_local(async move {
        let result = api::issues::act(&id, action, &key).await;
        rows.busy.try_update(|b| b.remove(&id));
        let outcome = match result {
            Ok(updated) => {
                let outcome = outcome_of(action, &updated);
                list.replace(updated);
                outcome
            }
            Err(ApiError::Cancelled) => return,
            Err(e) => {
                // 409: someone (or the system) resolved it meanwhile; show it as it is now.
                if matches!(e, ApiError::Http { status: 409, .. }) {
                    list.fetch(false);
                }
                Outcome { ok: false, text: e.user_message() }
            }
        };
        rows.outcomes.try_update(|o| drop(o.insert(id, outcome)));
    });
}

/// What the Dismiss dialog is about.
#[derive(Clone, Debug)]
pub enum DismissTarget {
    One(Box<Issue>),
    Many(Vec<String>),
}

pub(super) fn dismiss(list: IssueList, rows: RowState, target: DismissTarget) {
    match target {
        DismissTarget::One(issue) => run(list, rows, *issue, IssueAction::Dismiss),
        DismissTarget::Many(ids) => bulk(list, rows, IssueAction::Dismiss, ids),
    }
}

fn summarize(action: IssueAction, result: &BulkIssueResult, list: IssueList) -> Outcome {
    let done = result.results.iter().filter(|r| r.ok).count();
    let failed: Vec<String> = result
        .results
        .iter()
        .filter(|r| !r.ok)
        .map(|r| {
            let title = list
                .items
                .with_untracked(|items| items.iter().find(|i| i.id == r.id).map(|i| i.title.clone()))
                .unwrap_or_else(|| r.id.clone());
            let why = r.error.as_ref().map(|e| e.message.clone()).unwrap_or_default();
            format!("“{title}”: {why}")
        })
        .collect();
    let verb = match action {
        IssueAction::Retry => "retried",
        IssueAction::Acknowledge => "acknowledged",
        IssueAction::Dismiss => "dismissed",
    };
    let mut text = format!("{done} {verb}");
    if !failed.is_empty() {
        text.push_str(&format!(", {} failed — {}", failed.len(), failed.join("; ")));
    }
    Outcome { ok: failed.is_empty(), text }
}

fn bulk(list: IssueList, rows: RowState, action: IssueAction, ids: Vec<String>) {
    let key = api::idempotency_key();
    for id in &ids {
        rows.busy.update(|b| {
            b.insert(id.clone(), busy_label(action));
        });
    }
    spawn_local(async move {
        let result = api::issues::bulk(action, ids.clone(), &key).await;
        rows.busy.try_update(|b| {
            ids.iter().for_each(|id| {
                b.remove(id);
            })
        });
        let summary = match result {
            Ok(result) => {
                let summary = summarize(action, &result, list);
                for r in result.results {
                    let row_outcome = match (&r.issue, &r.error) {
                        (Some(issue), _) => outcome_of(action, issue),
                        (None, Some(e)) => Outcome { ok: false, text: e.message.clone() },
                        (None, None) => continue,
                    };
                    if r.ok {
                        rows.selected.try_update(|s| s.remove(&r.id));
                    }
                    rows.outcomes.try_update(|o| drop(o.insert(r.id.clone(), row_outcome)));
                    if let Some(issue) = r.issue {
                        list.replace(issue);
                    }
                }
                summary
            }
            Err(ApiError::Cancelled) => return,
            Err(e) => Outcome { ok: false, text: format!("Nothing was changed: {}", e.user_message()) },
        };
        rows.bulk_outcome.try_set(Some(summary));
    });
}

/// "3 selected: Retry · Acknowledge · Dismiss", and what the last bulk action did.
#[component]
pub fn BulkBar(
    list: IssueList,
    rows: RowState,
    /// Dismiss asks first; the page shows the dialog.
    on_dismiss: Callback<Vec<String>>,
) -> impl IntoView {
    let outcome = rows.bulk_outcome;
    let count = move || rows.selected.with(|s| s.len());
    let ids = move || rows.selected.with(|s| s.iter().cloned().collect::<Vec<_>>());
    let start = move |action: IssueAction| {
        outcome.set(None);
        bulk(list, rows, action, ids());
    };
    view! {
        {move || {
            (count() > 0)
                .then(|| {
                    view! {
                        <div class="bulk-bar" role="region" aria-label="Selected issues" data-testid="bulk-bar">
                            <span>{move || format!("{} selected", count())}</span>
                            <button type="button" class="button button-primary" data-testid="bulk-retry" on:click=move |_| start(IssueAction::Retry)>
                                "Retry"
                            </button>
                            <button type="button" class="button" data-testid="bulk-acknowledge" on:click=move |_| start(IssueAction::Acknowledge)>
                                "Acknowledge"
                            </button>
                            <button type="button" class="button button-quiet" data-testid="bulk-dismiss" on:click=move |_| on_dismiss.run(ids())>
                                "Dismiss"
                            </button>
                            <button type="button" class="button button-quiet" on:click=move |_| rows.selected.set(Default::default())>
                                "Clear selection"
                            </button>
                        </div>
                    }
                })
        }}
        {move || {
            outcome
                .get()
                .map(|o| {
                    view! {
                        <p class="bulk-outcome" class:outcome-ok=o.ok class:outcome-failed=!o.ok role="status" data-testid="bulk-outcome">
                            {o.text}
                        </p>
                    }
                })
        }}
    }
}

/// Dismissing hides an issue until it happens again: said before it is done.
#[component]
pub fn DismissDialog(
    target: DismissTarget,
    on_close: Callback<()>,
    on_confirm: Callback<DismissTarget>,
) -> impl IntoView {
    let title = match &target {
        DismissTarget::One(issue) => format!("Dismiss “{}”?", issue.title),
        DismissTarget::Many(ids) => format!("Dismiss {} issues?", ids.len()),
    };
    let target = StoredValue::new(target);
    view! {
        <Dialog title on_close testid="dismiss-dialog">
            <p>
                "A dismissed issue leaves the active list and stays out of it unless the problem happens again after now. Nothing is fixed by dismissing it."
            </p>
            <div class="dialog-actions">
                <button type="button" class="button" on:click=move |_| on_close.run(())>
                    "Cancel"
                </button>
                <button
                    type="button"
                    class="button button-danger"
                    data-testid="confirm-dismiss"
                    on:click=move |_| on_confirm.run(target.get_value())
                >
                    "Dismiss"
                </button>
            </div>
        </Dialog>
    }
}
