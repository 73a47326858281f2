//! `/api/v1/issues`: Tools > Issues, and the live count for the sidebar badge.

use super::transport::{self, EventStream};
use super::{query_string, send, ApiError, ApiRequest};
use sluice_contract::issues::{Issue, IssueCounts, IssueQuery};
use sluice_contract::{Page, API_BASE};
use std::rc::Rc;

pub async fn counts() -> Result<IssueCounts, ApiError> {
    send(ApiRequest::get("/issues/counts", "Load issue counts")).await
}

pub async fn list(query: &IssueQuery) -> Result<Page<Issue>, ApiError> {
    let qs = query_string([
        ("status", query.status.clone()),
        ("area", query.area.clone()),
        ("severity", query.severity.clone()),
        ("q", query.q.clone()),
        ("limit", query.limit.map(|l| l.to_string())),
        ("cursor", query.cursor.clone()),
    ]);
    send(ApiRequest::get(format!("/issues{qs}"), "Load issues")).await
}

/// Calls `on_counts` whenever the server's `issues` event arrives (once on connect, then on
/// every change). The browser's EventSource reconnects by itself; drop the handle to stop.
pub fn watch_counts(on_counts: impl Fn(IssueCounts) + 'static) -> Option<EventStream> {
    let on_data = Rc::new(move |data: String| {
        if let Ok(counts) = serde_json::from_str::<IssueCounts>(&data) {
            on_counts(counts);
        }
    });
    transport::current().open_events(&format!("{API_BASE}/stream"), "issues", on_data)
}
