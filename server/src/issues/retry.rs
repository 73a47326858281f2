//! Retry (through the owning area's registered operation) and bulk actions.

use super::actions::{acknowledge, detail, dismiss, not_active};
use super::lifecycle::{reload, resolve};
use crate::error::{AppError, AppResult};
use crate::state::{AppState, Notice};
use crate::store::issues as store;
use futures::StreamExt;
use rusqlite::TransactionBehavior;
use sluice_contract::issues::{BulkIssueAction, BulkIssueResult, BulkItemResult, Issue, IssueAction};
use sluice_contract::page::MAX_BATCH;
use std::time::Duration;

/// A retry that has not answered by then counts as failed (the area's call may hang).
pub const RETRY_TIMEOUT: Duration = Duration::from_secs(60);

/// Asks the owning area to run the failing operation again and records the outcome on the row:
/// success resolves the issue, failure keeps it open with the error verbatim.
pub async fn retry(state: &AppState, tenant_id: &str, id: &str) -> AppResult<Issue> {
    let issue = detail(state, tenant_id, id).await?.issue;
    if !issue.status.is_active() {
        return Err(not_active(&issue, "retried"));
    }
    let handler = state.retry.get(issue.area).ok_or_else(|| {
        AppError::conflict(
            "retry_unavailable",
            format!(
                "{} issues cannot be retried from here yet; fix the cause at {}.",
                issue.area.label(),
                issue.entity.link
            ),
        )
    })?;
    let outcome = tokio::time::timeout(RETRY_TIMEOUT, handler(state.clone(), issue.clone()))
        .await
        .unwrap_or_else(|_| Err(format!("The retry did not finish within {} s.", RETRY_TIMEOUT.as_secs())));
    let (tenant, id, now) = (tenant_id.to_string(), issue.id.clone(), state.now_ms());
    let updated = state
        .store
        .call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let (ok, message) = match &outcome {
                Ok(what) => (true, what.as_str()),
                Err(error) => (false, error.as_str()),
            };
            store::record_retry(&tx, &id, now, ok, message)?;
            let current = reload(&tx, &tenant, &id, true)?;
            // The area may already have cleared it while retrying; then it stays as it was resolved.
            let issue = if ok && current.status.is_active() {
                resolve(&tx, &tenant, &id, &format!("resolved by retry: {message}"), now, true)?
            } else {
                current
            };
            tx.commit()?;
            Ok(issue)
        })
        .await?;
    state.notify(Notice::IssuesChanged { tenant_id: tenant_id.to_string() });
    Ok(updated)
}

/// Up to 100 ids; each row succeeds or fails on its own, and says which.
pub async fn bulk(state: &AppState, tenant_id: &str, actor: &str, req: BulkIssueAction) -> AppResult<BulkIssueResult> {
    if req.ids.is_empty() {
        return Err(AppError::field("ids", "Choose at least one issue."));
    }
    if req.ids.len() > MAX_BATCH {
        return Err(AppError::field("ids", format!("Send at most {MAX_BATCH} ids per request.")));
    }
    let results = futures::stream::iter(req.ids)
        .map(|id| async move {
            let outcome = match req.action {
                IssueAction::Acknowledge => acknowledge(state, tenant_id, &id, actor).await,
                IssueAction::Dismiss => dismiss(state, tenant_id, &id, actor).await,
                IssueAction::Retry => retry(state, tenant_id, &id).await,
            };
            match outcome {
                Ok(issue) => BulkItemResult { id, ok: true, issue: Some(issue), error: None },
                Err(e) => {
                    if let AppError::Internal(detail) = &e {
                        tracing::error!(%detail, issue = %id, "bulk issue action failed");
                    }
                    BulkItemResult { id, ok: false, issue: None, error: Some(e.body().error) }
                }
            }
        })
        // Retries wait on other systems; a few at a time, answered in the order asked.
        .buffered(4)
        .collect()
        .await;
    Ok(BulkIssueResult { results })
}
