//! `/api/v1/issues`: Tools > Issues, and the live count for the sidebar badge.

use super::transport::{self, EventStream};
use super::{encode_query_value, query_string, send, ApiError, ApiRequest, CancelToken};
use sluice_contract::issues::{
    BulkIssueAction, BulkIssueResult, Issue, IssueAction, IssueCounts, IssueDetail, IssueQuery,
};
use sluice_contract::{Page, API_BASE};
use std::rc::Rc;

pub async fn counts() -> Result<IssueCounts, ApiError> {
    send(ApiRequest::get("/issues/counts", "Load issue counts")).await
}

/// The counts for the frame's badge: not abandoned when the admin changes page.
pub async fn counts_for_frame() -> Result<IssueCounts, ApiError> {
    send(ApiRequest::get("/issues/counts", "Load issue counts").cancel_with(CancelToken::new())).await
}

/// One page of the list; `cancel` abandons it (a newer load superseded it).
pub async fn list(query: &IssueQuery, cancel: CancelToken) -> Result<Page<Issue>, ApiError> {
    let qs = query_string([
        ("status", query.status.clone()),
        ("area", query.area.clone()),
        ("severity", query.severity.clone()),
        ("entity", query.entity.clone()),
        ("q", query.q.clone()),
        ("limit", query.limit.map(|l| l.to_string())),
        ("cursor", query.cursor.clone()),
    ]);
    send(ApiRequest::get(format!("/issues{qs}"), "Load issues").cancel_with(cancel)).await
}

/// One issue with its recent occurrences (newest first).
pub async fn detail(id: &str) -> Result<IssueDetail, ApiError> {
    send(ApiRequest::get(format!("/issues/{}", encode_query_value(id)), "Load the issue's history")).await
}

/// Acknowledge, dismiss or retry one issue; answers the issue as it is now. A retry answers 200
/// either way: resolved when it worked, `lastRetry` saying why when it did not.
/// `idempotency_key` is one per click, so a retried request is done once.
pub async fn act(id: &str, action: IssueAction, idempotency_key: &str) -> Result<Issue, ApiError> {
    let (verb, what) = match action {
        IssueAction::Acknowledge => ("acknowledge", "Acknowledge issue"),
        IssueAction::Dismiss => ("dismiss", "Dismiss issue"),
        IssueAction::Retry => ("retry", "Retry"),
    };
    let path = format!("/issues/{}/{verb}", encode_query_value(id));
    send(ApiRequest::post(path, &Empty {}, what).idempotent(idempotency_key)).await
}

/// The same action on up to 100 issues; each row reports its own outcome.
pub async fn bulk(action: IssueAction, ids: Vec<String>, idempotency_key: &str) -> Result<BulkIssueResult, ApiError> {
    let body = BulkIssueAction { action, ids };
    send(ApiRequest::post("/issues/bulk", &body, "Bulk action on issues").idempotent(idempotency_key)).await
}

/// Calls `on_counts` whenever the server's `issues` event arrives (once on connect, then on
/// every change). The browser's EventSource reconnects by itself; drop the handle to stop.
pub fn watch_counts(on_counts: impl Fn(IssueCounts) + 'static) -> Option<EventStream> {
    let on_data = Rc::new(move |data: String| {
        if let Ok(counts) = super::decode::<IssueCounts>(&data) {
            on_counts(counts);
        }
    });
    transport::current().open_events(&format!("{API_BASE}/stream"), "issues", on_data)
}

/// The empty JSON object an action without options sends.
#[derive(serde::Serialize)]
struct Empty {}
