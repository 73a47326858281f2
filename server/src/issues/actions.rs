//! What an admin does with one issue: acknowledge, dismiss (Retry is in `retry`; many at once
//! in `bulk`).

use super::lifecycle::reload;
use super::{notify_changed, Issues};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::issues as store;
use rusqlite::TransactionBehavior;
use sluice_contract::issues::{Issue, IssueStatus};

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
