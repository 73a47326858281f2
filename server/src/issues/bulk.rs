//! The admin's bulk actions: acknowledge, dismiss or retry up to 100 issues at once.

use super::actions::{acknowledge, dismiss};
use super::retry::retry;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use futures::StreamExt;
use sluice_contract::issues::{BulkIssueAction, BulkIssueResult, BulkItemResult, IssueAction};
use sluice_contract::page::MAX_BATCH;

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
