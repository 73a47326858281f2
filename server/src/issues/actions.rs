//! What an admin does with issues: acknowledge, dismiss, retry (see `retry`), one or many.

use super::lifecycle::reload;
use super::{notify_changed, retry, Issues};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::issues as store;
use futures::StreamExt;
use rusqlite::TransactionBehavior;
use sluice_contract::issues::{BulkIssueAction, BulkIssueResult, BulkItemResult, Issue, IssueAction, IssueStatus};
use sluice_contract::page::MAX_BATCH;

pub(super) fn not_active(issue: &Issue, verb: &str) -> AppError {
    AppError::conflict(
        "issue_not_active",
        format!("This issue is already {}; only open or acknowledged issues can be {verb}.", issue.status.as_str()),
    )
}

/// Acknowledge or dismiss: one transaction, refused (409) unless the issue is still active.
async fn set_status(state: &AppState, tenant_id: &str, id: &str, actor: &str, to: IssueStatus) -> AppResult<Issue> {
    let (tenant, id, actor, now) = (tenant_id.to_string(), id.to_string(), actor.to_string(), state.now_ms());
    let (issue, changed) = state
        .store
        .call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let issue = store::get(&tx, &tenant, &id)?.ok_or(AppError::NotFound("issue"))?;
            if !issue.status.is_active() {
                return Err(not_active(
                    &issue,
                    if to == IssueStatus::Dismissed { "dismissed" } else { "acknowledged" },
                ));
            }
            if issue.status == to {
                return Ok((issue, false)); // acknowledging twice keeps the first acknowledgement
            }
            match to {
                IssueStatus::Dismissed => store::dismiss(&tx, &id, &actor, now)?,
                _ => store::acknowledge(&tx, &id, &actor, now)?,
            }
            let issue = reload(&tx, &tenant, &id, false)?;
            tx.commit()?;
            Ok((issue, true))
        })
        .await?;
    if changed {
        notify_changed(state, tenant_id).await;
    }
    Ok(Issues::of(state).retry.mark(issue))
}

pub async fn acknowledge(state: &AppState, tenant_id: &str, id: &str, actor: &str) -> AppResult<Issue> {
    set_status(state, tenant_id, id, actor, IssueStatus::Acknowledged).await
}

/// Dismissed issues leave the active list until they happen again.
pub async fn dismiss(state: &AppState, tenant_id: &str, id: &str, actor: &str) -> AppResult<Issue> {
    set_status(state, tenant_id, id, actor, IssueStatus::Dismissed).await
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
                IssueAction::Retry => retry::retry(state, tenant_id, &id).await,
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
