//! How areas report: `raise` when an operation fails, `clear` when it next succeeds.
//!
//! Each call is one transaction that changes the row, keeps the occurrence history and writes
//! the `issue.opened` / `issue.resolved` event into the outbox, so a crash never leaves a change
//! without its event.

use super::{notify_changed, Issues, Key, Report, Resolution};
use crate::error::AppResult;
use crate::ids::new_id;
use crate::state::AppState;
use crate::store::{events, issues as store};
use rusqlite::{Connection, TransactionBehavior};
use sluice_contract::issues::Issue;

pub const OPENED: &str = "issue.opened";
pub const RESOLVED: &str = "issue.resolved";

/// Records a failure. A new key opens an issue; an active one counts another occurrence and
/// takes the latest title, message and severity; a resolved or dismissed one reopens, because
/// it happened again after it was closed (raise is always "now").
pub async fn raise(state: &AppState, tenant_id: &str, report: Report) -> AppResult<()> {
    raise_issue(state, tenant_id, report).await.map(|_| ())
}

/// [`raise`], answering the issue as it now stands.
pub async fn raise_issue(state: &AppState, tenant_id: &str, report: Report) -> AppResult<Issue> {
    let (now, tenant) = (state.now_ms(), tenant_id.to_string());
    let can_retry = Issues::of(state).retry.can_retry(report.area());
    let issue = state
        .store
        .call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let existing = store::find_by_key(&tx, &tenant, report.area(), &report.entity.id, report.kind.as_str())?;
            let (id, opened) = match existing {
                None => {
                    let id = new_id("iss");
                    store::insert(&tx, &id, &tenant, &report, now)?;
                    (id, true)
                }
                Some(issue) => {
                    let reopen = !issue.status.is_active();
                    store::recur(&tx, &issue.id, &report, now, reopen)?;
                    (issue.id, reopen)
                }
            };
            store::add_occurrence(&tx, &id, now, &report.message)?;
            let issue = reload(&tx, &tenant, &id, can_retry)?;
            if opened {
                emit(&tx, &tenant, OPENED, &issue, now)?;
            }
            tx.commit()?;
            Ok(issue)
        })
        .await?;
    notify_changed(state, tenant_id).await;
    Ok(issue)
}

/// The operation behind `key` succeeded: an active issue resolves itself with the resolution
/// ("resolved automatically: <what succeeded>"). Nothing to do when there is no active issue.
pub async fn clear(state: &AppState, tenant_id: &str, key: Key, resolution: Resolution) -> AppResult<()> {
    let (now, tenant) = (state.now_ms(), tenant_id.to_string());
    let area = key.kind.area();
    let resolution = resolution.to_string();
    let can_retry = Issues::of(state).retry.can_retry(area);
    let changed = state
        .store
        .call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let Some(issue) = store::find_by_key(&tx, &tenant, area, &key.entity_id, key.kind.as_str())? else {
                return Ok(false);
            };
            if !issue.status.is_active() {
                return Ok(false);
            }
            resolve(&tx, &tenant, &issue.id, &resolution, now, can_retry)?;
            tx.commit()?;
            Ok(true)
        })
        .await?;
    if changed {
        notify_changed(state, tenant_id).await;
    }
    Ok(())
}

/// Resolves an issue known to be active, with its event. Runs inside the caller's transaction.
pub(super) fn resolve(
    conn: &Connection,
    tenant: &str,
    id: &str,
    resolution: &str,
    now: u64,
    can_retry: bool,
) -> AppResult<Issue> {
    store::resolve(conn, id, now, resolution)?;
    let issue = reload(conn, tenant, id, can_retry)?;
    emit(conn, tenant, RESOLVED, &issue, now)?;
    Ok(issue)
}

pub(super) fn reload(conn: &Connection, tenant: &str, id: &str, can_retry: bool) -> AppResult<Issue> {
    let mut issue = store::get(conn, tenant, id)?.ok_or(crate::error::AppError::NotFound("issue"))?;
    issue.can_retry = can_retry;
    Ok(issue)
}

fn emit(conn: &Connection, tenant: &str, event_type: &str, issue: &Issue, now: u64) -> AppResult<()> {
    let data = serde_json::to_value(issue).map_err(crate::error::AppError::internal)?;
    let row = events::EventRow { id: new_id("evt"), event_type: event_type.to_string(), occurred_at: now, data };
    events::insert(conn, tenant, &row)
}
