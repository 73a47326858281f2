//! A row opened up: who did what and when, how it ended, and the recent occurrences.

use crate::api;
use crate::components::{exact_utc, RelativeTime};
use leptos::prelude::*;
use sluice_contract::issues::Issue;

crate::pages::part::lazy_part! {
    /// Fetched the first time the admin opens an issue's details.
    pub fn issue_detail_panel(issue: Issue, now: Signal<f64>) in issue_detail {
        view! { <IssueDetailPanel issue now /> }
    }
}

#[component]
pub fn IssueDetailPanel(issue: Issue, #[prop(into)] now: Signal<f64>) -> impl IntoView {
    let id = issue.id.clone();
    let history = LocalResource::new(move || {
        let id = id.clone();
        async move { api::issues::detail(&id).await }
    });
    let facts = [
        Some(("First seen", exact_utc(&issue.first_seen_at))),
        issue.acknowledged_at.as_ref().map(|at| {
            ("Acknowledged", format!("{} by {}", exact_utc(at), issue.acknowledged_by.clone().unwrap_or_default()))
        }),
        issue.dismissed_at.as_ref().map(|at| {
            ("Dismissed", format!("{} by {}", exact_utc(at), issue.dismissed_by.clone().unwrap_or_default()))
        }),
        issue.resolved_at.as_ref().map(|at| ("Resolved", exact_utc(at))),
        issue.resolution.clone().map(|r| ("Resolution", r)),
        issue.last_retry.as_ref().map(|r| {
            let how = if r.ok { "succeeded" } else { "failed" };
            ("Last retry", format!("{} — {how}: {}", exact_utc(&r.at), r.message))
        }),
    ];
    view! {
        <div class="issue-detail" data-testid="issue-detail">
            <dl class="facts">
                {facts
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| view! { <dt>{k}</dt> <dd>{v}</dd> })
                    .collect_view()}
            </dl>
            <h3>"Recent occurrences"</h3>
            <Suspense fallback=|| view! { <p class="loading">"Loading history…"</p> }>
                {move || Suspend::new(async move {
                    match history.await {
                        Ok(detail) if detail.history.is_empty() => {
                            view! { <p class="muted">"No occurrences recorded."</p> }.into_any()
                        }
                        Ok(detail) => view! {
                            <ol class="history" data-testid="issue-history">
                                {detail
                                    .history
                                    .into_iter()
                                    .map(|o| {
                                        view! {
                                            <li data-testid="issue-history-item">
                                                <RelativeTime at=o.at now />
                                                <code class="history-message">{o.message}</code>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ol>
                        }
                        .into_any(),
                        Err(api::ApiError::Cancelled) => view! { <p class="loading">"Loading history…"</p> }.into_any(),
                        Err(e) => view! {
                            <p class="form-error" role="alert">"The history could not be loaded: " {e.user_message()}</p>
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}
