//! Admin > Distributors: price-feed connections, their syncs, and the prices they bring.
//!
//! `routes` reads input and calls in here; `sync` runs a feed into the store; `fetch` and
//! `parse` are the I/O and the formats; `worker` schedules runs and watches staleness;
//! `issues` is what this area reports to Tools > Issues; `products` answers price lookups.

pub mod demo;
pub mod fetch;
pub mod issues;
pub mod parse;
pub mod preview;
pub mod products;
pub mod retry;
pub mod routes;
pub mod runs;
pub mod settings;
pub mod sync;
pub mod worker;

use crate::area::{self, AreaDef, Setup};
use crate::clock::rfc3339;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::state::AppState;
use crate::store::distributors::{self as store, DistributorRow};
use settings::Settings;
use sluice_contract::distributors::{Distributor, DistributorInput, FeedKind};

pub const AREA: AreaDef = AreaDef {
    name: "distributors",
    setup,
    routes: routes::routes,
    start: Some(|state| area::every(state, worker::TICK, |state| Box::pin(async move { worker::tick(&state).await }))),
    demo: Some(|state, tenant_id| {
        Box::pin(async move { demo::start(&state, &tenant_id).await.map_err(|e| e.to_string()) })
    }),
};

/// At start-up: the Retry handler, and runs a crash interrupted are marked failed.
fn setup(setup: &mut Setup) -> Result<(), String> {
    crate::issues::register_retry(setup, sluice_contract::issues::Area::Distributors, retry::retry);
    let now = setup.shared.now_ms();
    let n = setup.shared.store.call_blocking(|c| sync::fail_interrupted(c, now)).map_err(|e| e.to_string())?;
    if n > 0 {
        tracing::warn!(runs = n, "marked interrupted distributor runs as failed");
    }
    Ok(())
}

/// The row and its parsed settings; 404 when it is another tenant's or gone.
pub async fn load(state: &AppState, tenant_id: &str, id: &str) -> AppResult<(DistributorRow, Settings)> {
    let (tenant, id) = (tenant_id.to_string(), id.to_string());
    let row = state.store.call(move |c| store::get(c, &tenant, &id)).await?.ok_or(AppError::NotFound("distributor"))?;
    let settings: Settings = serde_json::from_str(&row.settings).map_err(AppError::internal)?;
    Ok((row, settings))
}

pub async fn list(state: &AppState, tenant_id: &str) -> AppResult<Vec<Distributor>> {
    let tenant = tenant_id.to_string();
    let rows = state.store.call(move |c| store::list(c, &tenant)).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(view(state, row).await?);
    }
    Ok(out)
}

pub async fn get(state: &AppState, tenant_id: &str, id: &str) -> AppResult<Distributor> {
    let (row, _) = load(state, tenant_id, id).await?;
    view(state, row).await
}

pub async fn create(state: &AppState, tenant_id: &str, input: DistributorInput) -> AppResult<Distributor> {
    input.validate(false)?;
    let (settings, password) = settings::normalise(input);
    let id = new_id("dst");
    let credential_id = match (&settings.kind, password) {
        (FeedKind::Ftp, Some(p)) => {
            Some(crate::credentials::put(state, tenant_id, &format!("distributor:{id}"), &p).await?)
        }
        _ => None,
    };
    let now = state.now_ms();
    let row = row_for(&id, tenant_id, &settings, credential_id, now, now)?;
    let stored = DistributorRow { next_run_at: now + settings.cadence_minutes as u64 * 60_000, ..row };
    state.store.call(move |c| store::insert(c, &stored)).await?;
    get(state, tenant_id, &id).await
}

/// Changes the connection; an absent password keeps the stored one, a new one replaces it.
pub async fn update(state: &AppState, tenant_id: &str, id: &str, input: DistributorInput) -> AppResult<Distributor> {
    let (existing, _) = load(state, tenant_id, id).await?;
    input.validate(existing.credential_id.is_some())?;
    let (settings, password) = settings::normalise(input);
    let mut credential_id = existing.credential_id.clone();
    match (&settings.kind, password, &credential_id) {
        (FeedKind::Ftp, Some(p), Some(cred)) => crate::credentials::replace(state, tenant_id, cred, &p).await?,
        (FeedKind::Ftp, Some(p), None) => {
            credential_id = Some(crate::credentials::put(state, tenant_id, &format!("distributor:{id}"), &p).await?)
        }
        (FeedKind::Http, _, Some(cred)) => {
            crate::credentials::delete(state, tenant_id, cred).await?;
            credential_id = None;
        }
        _ => {}
    }
    let now = state.now_ms();
    let row = row_for(id, tenant_id, &settings, credential_id, existing.created_at, now)?;
    // A new cadence counts from the last run, not from the edit.
    let base = existing.last_success_at.unwrap_or(existing.created_at);
    let stored = DistributorRow { next_run_at: base + settings.cadence_minutes as u64 * 60_000, ..row };
    state.store.call(move |c| store::update(c, &stored, now)).await?;
    get(state, tenant_id, id).await
}

pub async fn delete(state: &AppState, tenant_id: &str, id: &str) -> AppResult<()> {
    let (row, _) = load(state, tenant_id, id).await?;
    if let Some(cred) = &row.credential_id {
        crate::credentials::delete(state, tenant_id, cred).await?;
    }
    let (tenant, did) = (tenant_id.to_string(), id.to_string());
    state.store.call(move |c| store::delete(c, &tenant, &did)).await?;
    // Nothing is left to fix: its open issues close with it.
    for &kind in sluice_contract::issues::DistributorIssue::ALL {
        let removed = crate::issues::Resolution::automatic("the distributor was removed");
        crate::issues::clear(state, tenant_id, crate::issues::Key::new(kind, id), removed).await?;
    }
    Ok(())
}

fn row_for(
    id: &str,
    tenant_id: &str,
    s: &Settings,
    credential_id: Option<String>,
    created_at: u64,
    now: u64,
) -> AppResult<DistributorRow> {
    Ok(DistributorRow {
        id: id.to_string(),
        tenant_id: tenant_id.to_string(),
        name: s.name.clone(),
        settings: serde_json::to_string(s).map_err(AppError::internal)?,
        credential_id,
        priority: s.priority,
        cadence_minutes: s.cadence_minutes,
        stale_after_hours: s.stale_after_hours,
        ignore_older_than_days: s.ignore_older_than_days,
        next_run_at: now,
        last_success_at: None,
        stale_reported: false,
        created_at,
    })
}

/// Stale once the last success (or, never synced, the creation) is older than the threshold.
pub fn is_stale(row: &DistributorRow, now: u64) -> bool {
    let since = row.last_success_at.unwrap_or(row.created_at);
    now.saturating_sub(since) > row.stale_after_hours as u64 * 3_600_000
}

async fn view(state: &AppState, row: DistributorRow) -> AppResult<Distributor> {
    let s: Settings = serde_json::from_str(&row.settings).map_err(AppError::internal)?;
    let password_set_at = match &row.credential_id {
        Some(cred) => crate::credentials::set_at(state, &row.tenant_id, cred).await?.map(rfc3339),
        None => None,
    };
    let last_run = runs::last(state, &row.id).await?;
    let now = state.now_ms();
    Ok(Distributor {
        id: row.id.clone(),
        name: row.name.clone(),
        kind: s.kind,
        url: s.url,
        host: s.host,
        port: s.port,
        username: s.username,
        password_set_at,
        path: s.path,
        format: s.format,
        csv: s.csv,
        records_path: s.records_path,
        mapping: s.mapping,
        priority: s.priority,
        cadence_minutes: s.cadence_minutes,
        stale_after_hours: s.stale_after_hours,
        ignore_older_than_days: s.ignore_older_than_days,
        max_rejected_percent: s.max_rejected_percent,
        last_success_at: row.last_success_at.map(rfc3339),
        stale: is_stale(&row, now),
        next_run_at: Some(rfc3339(row.next_run_at)),
        last_run,
        created_at: rfc3339(row.created_at),
    })
}
