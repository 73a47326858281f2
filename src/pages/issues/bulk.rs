//! Acting on many issues at once: the bar over the selection, and what each row came to.

use super::table::{busy_label, outcome_of, Outcome, RowState};
use super::IssueList;
use crate::api::{self, ApiError};
use leptos::prelude::*;
use leptos::task::spawn_local;
use sluice_contract::issues::{BulkIssueResult, BulkItemResult, IssueAction};
use sluice_contract::page::MAX_BATCH;
use sluice_contract::ErrorBody;

fn summarize(action: IssueAction, result: &BulkIssueResult, list: IssueList) -> Outcome {
    let done = result.results.iter().filter(|r| r.ok).count();
    let failed: Vec<String> = result
        .results
        .iter()
        .filter(|r| !r.ok)
        .map(|r| {
            let title = list.title_of(&r.id).unwrap_or_else(|| r.id.clone());
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

pub(super) fn bulk(list: IssueList, rows: RowState, action: IssueAction, ids: Vec<String>) {
    if ids.is_empty() {
        return;
    }
    let key = api::idempotency_key();
    rows.bulk_outcome.set(None);
    rows.busy.update(|b| {
        for id in &ids {
            b.insert(id.clone(), busy_label(action));
        }
    });
    spawn_local(async move {
        // One request per hundred, each with its own key derived from this click's.
        let mut result = Ok(BulkIssueResult { results: Vec::new() });
        for (n, chunk) in ids.chunks(MAX_BATCH).enumerate() {
            match api::issues::bulk(action, chunk.to_vec(), &format!("{key}-{n}")).await {
                Ok(part) => {
                    if let Ok(all) = &mut result {
                        all.results.extend(part.results);
                    }
                }
                // A later chunk failing as a whole: report what was done, and that the rest was not.
                Err(e) if n > 0 => {
                    if let Ok(all) = &mut result {
                        all.results.extend(ids.iter().skip(n * MAX_BATCH).map(|id| failed_row(id, &e)));
                    }
                    break;
                }
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
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
                    rows.outcomes.try_update(|o| o.insert(r.id.clone(), row_outcome));
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

/// A row of a chunk the server never answered for.
fn failed_row(id: &str, e: &ApiError) -> BulkItemResult {
    let error = match e {
        ApiError::Http { error, .. } => error.clone(),
        other => ErrorBody::new("not_done", other.user_message()).error,
    };
    BulkItemResult { id: id.to_string(), ok: false, issue: None, error: Some(error) }
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
    view! {
        {move || rows.selected.with(|s| !s.is_empty()).then(|| bulk_bar(list, rows, on_dismiss))}
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

crate::pages::part::lazy_part! {
    /// The bar itself, fetched the first time the admin selects an issue.
    fn bulk_bar(list: IssueList, rows: RowState, on_dismiss: Callback<Vec<String>>) in issue_bulk_bar {
        view! { <Bar list rows on_dismiss /> }
    }
}

#[component]
fn Bar(list: IssueList, rows: RowState, on_dismiss: Callback<Vec<String>>) -> impl IntoView {
    let count = move || rows.selected.with(|s| s.len());
    let ids = move || rows.selected.with(|s| s.ids().cloned().collect::<Vec<_>>());
    // Only some areas can run their operation again; Retry goes to those rows alone.
    let retryable = move || {
        rows.selected.with(|s| {
            list.items.with(|items| {
                items.iter().filter(|i| i.can_retry && s.contains(&i.id)).map(|i| i.id.clone()).collect::<Vec<_>>()
            })
        })
    };
    let running = move || rows.selected.with(|s| rows.busy.with(|b| s.ids().any(|id| b.contains(id))));
    let retry_label = move || match (retryable().len(), count()) {
        (r, n) if r == n => "Retry".to_string(),
        (r, n) => format!("Retry {r} of {n}"),
    };
    view! {
                        <div
                            class="bulk-bar"
                            role="region"
                            aria-label="Selected issues"
                            aria-busy=move || if running() { "true" } else { "false" }
                            data-testid="bulk-bar"
                        >
                            <span>{move || format!("{} selected", count())} {move || running().then_some(" — working…")}</span>
                            <button
                                type="button"
                                class="button button-primary"
                                data-testid="bulk-retry"
                                disabled=move || running() || retryable().is_empty()
                                title=move || retryable().is_empty().then_some("None of the selected issues can be retried")
                                on:click=move |_| bulk(list, rows, IssueAction::Retry, retryable())
                            >
                                {retry_label}
                            </button>
                            <button
                                type="button"
                                class="button"
                                data-testid="bulk-acknowledge"
                                disabled=running
                                on:click=move |_| bulk(list, rows, IssueAction::Acknowledge, ids())
                            >
                                "Acknowledge"
                            </button>
                            <button
                                type="button"
                                class="button button-quiet"
                                data-testid="bulk-dismiss"
                                disabled=running
                                on:click=move |_| on_dismiss.run(ids())
                            >
                                "Dismiss"
                            </button>
                            <button type="button" class="button button-quiet" on:click=move |_| rows.selected.set(Default::default())>
                                "Clear selection"
                            </button>
                        </div>
    }
}
