//! Run records as the API shows them.

use crate::clock::rfc3339;
use crate::error::{AppError, AppResult};
use crate::pagination::{fetch_limit, PageQuery};
use crate::state::AppState;
use crate::store::distributors::runs::{self as store, RunRow};
use sluice_contract::distributors::{RunStatus, SyncRun};
use sluice_contract::Page;

pub fn to_contract(r: RunRow) -> SyncRun {
    SyncRun {
        id: r.id,
        distributor_id: r.distributor_id,
        trigger: r.trigger,
        status: RunStatus::parse(&r.status).unwrap_or(RunStatus::Failed),
        started_at: rfc3339(r.started_at),
        finished_at: r.finished_at.map(rfc3339),
        duration_ms: r.finished_at.map(|f| f.saturating_sub(r.started_at)),
        bytes: r.totals.bytes,
        rows_read: r.totals.read,
        rows_added: r.totals.added,
        rows_changed: r.totals.changed,
        rows_unchanged: r.totals.unchanged,
        rows_removed: r.totals.removed,
        rows_rejected: r.totals.rejected,
        rejected_rows: serde_json::from_str(&r.rejected_rows).unwrap_or_default(),
        error: r.error,
    }
}

pub async fn get(state: &AppState, tenant_id: &str, distributor_id: &str, run_id: &str) -> AppResult<SyncRun> {
    let (t, d, r) = (tenant_id.to_string(), distributor_id.to_string(), run_id.to_string());
    let row = state.store.call(move |c| store::get(c, &t, &d, &r)).await?.ok_or(AppError::NotFound("run"))?;
    Ok(to_contract(row))
}

pub async fn last(state: &AppState, distributor_id: &str) -> AppResult<Option<SyncRun>> {
    let d = distributor_id.to_string();
    Ok(state.store.call(move |c| store::last(c, &d)).await?.map(to_contract))
}

/// Newest first.
pub async fn list(
    state: &AppState,
    tenant_id: &str,
    distributor_id: &str,
    page: PageQuery,
) -> AppResult<Page<SyncRun>> {
    super::load(state, tenant_id, distributor_id).await?;
    let limit = page.limit()?;
    let before: Option<(u64, String)> = page.cursor()?;
    let d = distributor_id.to_string();
    let rows = state.store.call(move |c| store::list(c, &d, before, fetch_limit(limit))).await?;
    let keyed = rows.into_iter().map(|r| ((r.started_at, r.id.clone()), to_contract(r))).collect();
    Ok(crate::pagination::page(keyed, limit))
}
