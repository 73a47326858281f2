//! Syncs: page through the provider's records into `integration_records`, counting every call;
//! a run records records read, calls, duration and outcome. The worker starts due syncs; pausing
//! stops a run's calls at once; a provider 429 holds the integration's syncs back.

use super::client::CallCx;
use super::connectors::{self, ProviderError};
use super::{credentials, health, notify};
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::state::AppState;
use crate::store::integrations::{self as store, runs, RecordRow, SyncRow};
use sluice_contract::integrations::{
    project, syncs_of, ProjectionLevel, Provider, RunOutcome, SyncInfo, SyncLoad, SyncPatch, SyncRun, UsageMeter,
    DEFAULT_CADENCE_MINUTES,
};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Instant;

fn name_of(provider: Provider, sync: &str) -> Option<&'static str> {
    syncs_of(provider).iter().find(|(id, _, _)| *id == sync).map(|(_, name, _)| *name)
}

/// Creates each sync's row with the default cadence the first time credentials are saved.
pub async fn ensure_rows(state: &AppState, tenant: &str, provider: Provider) -> AppResult<()> {
    let (t, now) = (tenant.to_string(), state.now_ms());
    state
        .store
        .call(move |c| {
            let existing = store::syncs(c, &t, provider.as_str())?;
            for (id, _, _) in syncs_of(provider) {
                if !existing.iter().any(|s| s.sync == *id) {
                    let row = SyncRow {
                        sync: id.to_string(),
                        cadence_minutes: DEFAULT_CADENCE_MINUTES,
                        paused: false,
                        next_run_at: now + DEFAULT_CADENCE_MINUTES as u64 * 60_000,
                    };
                    store::put_sync(c, &t, provider.as_str(), &row)?;
                }
            }
            Ok(())
        })
        .await
}

/// Every sync as the API shows it (defaults for rows not made yet).
pub async fn infos(state: &AppState, tenant: &str, provider: Provider) -> AppResult<Vec<SyncInfo>> {
    let t = tenant.to_string();
    let (rows, paused_until, recent) = state
        .store
        .call(move |c| {
            let rows = store::syncs(c, &t, provider.as_str())?;
            let paused_until = store::get(c, &t, provider.as_str())?.and_then(|r| r.paused_until);
            let mut recent = Vec::new();
            for (id, _, _) in syncs_of(provider) {
                recent.push(runs::recent(c, &t, provider.as_str(), id, 6)?);
            }
            Ok((rows, paused_until, recent))
        })
        .await?;
    let now = state.now_ms();
    Ok(syncs_of(provider)
        .iter()
        .zip(recent)
        .map(|((id, name, estimate), recent)| {
            let row = rows.iter().find(|r| r.sync == *id);
            let finished: Vec<&SyncRun> =
                recent.iter().filter(|r| r.outcome == RunOutcome::Succeeded).take(5).collect();
            let calls_per_run = if finished.is_empty() {
                *estimate
            } else {
                (finished.iter().map(|r| r.calls as u64).sum::<u64>() as f64 / finished.len() as f64).ceil() as u32
            };
            SyncInfo {
                sync: id.to_string(),
                name: name.to_string(),
                cadence_minutes: row.map_or(DEFAULT_CADENCE_MINUTES, |r| r.cadence_minutes),
                paused: row.is_some_and(|r| r.paused),
                paused_until: paused_until.filter(|u| *u > now),
                calls_per_run,
                next_run_at: row.map(|r| r.next_run_at),
                last_run: recent.into_iter().next(),
            }
        })
        .collect())
}

/// The limit the projection judges against: the provider's report, else its documented default.
pub async fn limit_of(
    state: &AppState,
    tenant: &str,
    provider: Provider,
) -> (u64, sluice_contract::integrations::UsageWindow) {
    let meter = credentials::row(state, tenant, provider)
        .await
        .ok()
        .flatten()
        .and_then(|r| r.usage)
        .and_then(|u| serde_json::from_str::<UsageMeter>(&u).ok());
    meter.map_or(provider.default_limit(), |m| (m.limit, m.window))
}

/// `PATCH .../syncs/{sync}`: a cadence over the provider's limit needs `confirmOverLimit`.
pub async fn patch(
    state: &AppState,
    tenant: &str,
    provider: Provider,
    sync: &str,
    p: SyncPatch,
) -> AppResult<SyncInfo> {
    name_of(provider, sync).ok_or(AppError::NotFound("sync"))?;
    p.validate()?;
    let infos = infos(state, tenant, provider).await?;
    let current = infos.iter().find(|i| i.sync == sync).cloned().ok_or(AppError::NotFound("sync"))?;
    if let Some(cadence) = p.cadence_minutes {
        let loads: Vec<SyncLoad> = infos
            .iter()
            .map(|i| SyncLoad {
                sync: i.sync.clone(),
                name: i.name.clone(),
                calls_per_run: i.calls_per_run,
                cadence_minutes: i.cadence_minutes,
                paused: i.paused,
            })
            .collect();
        let (limit, window) = limit_of(state, tenant, provider).await;
        let projection = project(provider, limit, window, &loads, (sync, cadence));
        if projection.level == ProjectionLevel::Over && !p.confirm_over_limit {
            return Err(AppError::conflict("over_provider_limit", projection.sentence));
        }
    }
    let paused = p.paused.unwrap_or(current.paused);
    if paused {
        stop(state, tenant, provider, sync);
    }
    let cadence = p.cadence_minutes.unwrap_or(current.cadence_minutes);
    let base = current.last_run.as_ref().map_or(state.now_ms(), |r| r.started_at);
    let row = SyncRow {
        sync: sync.to_string(),
        cadence_minutes: cadence,
        paused,
        next_run_at: base + cadence as u64 * 60_000,
    };
    let t = tenant.to_string();
    state.store.call(move |c| store::put_sync(c, &t, provider.as_str(), &row)).await?;
    notify(state, tenant, provider);
    infos_one(state, tenant, provider, sync).await
}

async fn infos_one(state: &AppState, tenant: &str, provider: Provider, sync: &str) -> AppResult<SyncInfo> {
    infos(state, tenant, provider).await?.into_iter().find(|i| i.sync == sync).ok_or(AppError::NotFound("sync"))
}

/// Pausing stops the run's calls at once: its next call does not start.
pub fn stop(state: &AppState, tenant: &str, provider: Provider, sync: &str) {
    let running = super::Integrations::of(state).running();
    running.get(&(tenant.to_string(), provider, sync.to_string())).inspect(|flag| flag.store(true, Ordering::SeqCst));
}

pub fn stop_all(state: &AppState, tenant: &str, provider: Provider) {
    for (id, _, _) in syncs_of(provider) {
        stop(state, tenant, provider, id);
    }
}

/// Starts a run in the background and answers it (running).
pub async fn start(state: &AppState, tenant: &str, provider: Provider, sync: &str) -> AppResult<SyncRun> {
    let (run, flag) = begin(state, tenant, provider, sync).await?;
    let (state, tenant, sync_id) = (state.clone(), tenant.to_string(), sync.to_string());
    let answer = run.clone();
    tokio::spawn(async move {
        finish(&state, &tenant, provider, &sync_id, run, flag).await;
    });
    Ok(answer)
}

/// Runs to the end (Retry from Tools > Issues waits for the outcome).
pub async fn run_now(state: &AppState, tenant: &str, provider: Provider, sync: &str) -> AppResult<SyncRun> {
    let (run, flag) = begin(state, tenant, provider, sync).await?;
    Ok(finish(state, tenant, provider, sync, run, flag).await)
}

async fn begin(
    state: &AppState,
    tenant: &str,
    provider: Provider,
    sync: &str,
) -> AppResult<(SyncRun, Arc<AtomicBool>)> {
    name_of(provider, sync).ok_or(AppError::NotFound("sync"))?;
    let row = credentials::row(state, tenant, provider).await?.filter(|r| r.credential_id.is_some());
    let row = row.ok_or_else(|| credentials::not_configured(provider))?;
    if !row.enabled {
        return Err(AppError::conflict(
            "integration_disabled",
            format!("{} is disabled: enable it first.", provider.name()),
        ));
    }
    let flag = Arc::new(AtomicBool::new(false));
    {
        let mut running = super::Integrations::of(state).running();
        let key = (tenant.to_string(), provider, sync.to_string());
        if running.contains_key(&key) {
            return Err(AppError::conflict("sync_running", "This sync is already running."));
        }
        running.insert(key, flag.clone());
    }
    let run = SyncRun {
        id: new_id("run"),
        sync: sync.to_string(),
        started_at: state.now_ms(),
        duration_ms: 0,
        records_read: 0,
        calls: 0,
        outcome: RunOutcome::Running,
        error: None,
    };
    let (t, r) = (tenant.to_string(), run.clone());
    if let Err(e) = state.store.call(move |c| runs::insert(c, &t, provider.as_str(), &r)).await {
        super::Integrations::of(state).running().remove(&(tenant.to_string(), provider, sync.to_string()));
        return Err(e);
    }
    Ok((run, flag))
}

/// Pages to the end, then records the run, the schedule, the outcome and the usage.
async fn finish(
    state: &AppState,
    tenant: &str,
    provider: Provider,
    sync: &str,
    mut run: SyncRun,
    flag: Arc<AtomicBool>,
) -> SyncRun {
    let started = Instant::now();
    let calls = AtomicU32::new(0);
    let result = pages(state, tenant, provider, sync, (&calls, started), &flag, &mut run).await;
    super::Integrations::of(state).running().remove(&(tenant.to_string(), provider, sync.to_string()));
    super::Integrations::of(state).outbound.flush(state).await;
    run.duration_ms = started.elapsed().as_millis() as u64;
    run.calls = calls.load(Ordering::SeqCst);
    run.outcome = if result.is_ok() { RunOutcome::Succeeded } else { RunOutcome::Failed };
    run.error = result.as_ref().err().map(|e| e.to_string());
    // A run with nothing to do (enrichment with every company fresh) made no call: it proves
    // nothing about the credential, so it resolves nothing either.
    if run.calls > 0 || result.is_err() {
        health::after_run(state, tenant, provider, sync, result.as_ref().err()).await;
    }
    refresh_usage(state, tenant, provider).await;
    // The run row is finished last, so whoever sees it finished also sees its usage and issues.
    let (t, r, now) = (tenant.to_string(), run.clone(), state.now_ms());
    let stored = state
        .store
        .call(move |c| {
            runs::finish(c, &r)?;
            if let Some(mut row) = store::syncs(c, &t, provider.as_str())?.into_iter().find(|s| s.sync == r.sync) {
                // A cadence counts from the run's start; a run longer than it goes again at once.
                row.next_run_at = (r.started_at + row.cadence_minutes as u64 * 60_000).max(now);
                store::put_sync(c, &t, provider.as_str(), &row)?;
            }
            Ok(())
        })
        .await;
    if let Err(e) = stored {
        tracing::warn!(error = %e, "could not record an integration run");
    }
    notify(state, tenant, provider);
    run
}

/// How often a run in progress records and announces what it has done so far.
pub const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

async fn pages(
    state: &AppState,
    tenant: &str,
    provider: Provider,
    sync: &str,
    (calls, started): (&AtomicU32, Instant),
    flag: &AtomicBool,
    run: &mut SyncRun,
) -> Result<(), ProviderError> {
    let mut session = credentials::session(state, tenant, provider)
        .await
        .map_err(|e| ProviderError::Malformed { detail: e.body().error.message })?;
    let cx = CallCx { state, tenant, provider, caller: sync, calls, cancel: Some(flag) };
    let connector = connectors::connector(provider);
    let mut cursor = None;
    let mut reported = Instant::now();
    let outcome = loop {
        let page = match connector.page(&cx, &mut session, sync, cursor.take()).await {
            Ok(page) => page,
            Err(e) => break Err(e),
        };
        run.records_read += page.records.len() as u64;
        let records: Vec<RecordRow> = page
            .records
            .into_iter()
            .map(|r| RecordRow { kind: r.kind, external_id: r.external_id, name: r.name, domain: r.domain })
            .collect();
        let (t, now) = (tenant.to_string(), state.now_ms());
        if let Err(e) = state.store.call(move |c| store::put_records(c, &t, provider.as_str(), &records, now)).await {
            break Err(ProviderError::Malformed { detail: format!("storing the records failed: {e}") });
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => break Ok(()),
        }
        if reported.elapsed() >= PROGRESS_EVERY {
            reported = Instant::now();
            run.calls = calls.load(Ordering::SeqCst);
            run.duration_ms = started.elapsed().as_millis() as u64;
            progress(state, tenant, provider, run).await;
        }
    };
    credentials::keep_session(state, tenant, provider, session).await;
    outcome
}

/// Records a run's progress and tells open consoles (ids and counts; they fetch what they show).
async fn progress(state: &AppState, tenant: &str, provider: Provider, run: &SyncRun) {
    let r = run.clone();
    if let Err(e) = state.store.call(move |c| runs::progress(c, &r)).await {
        tracing::warn!(error = %e, "could not record a run's progress");
        return;
    }
    super::notify_run(state, tenant, provider, run);
}

/// Reads the provider's usage (counted as a `usage` call) and judges it.
pub async fn refresh_usage(state: &AppState, tenant: &str, provider: Provider) -> Option<UsageMeter> {
    // Held back by the provider's 429: asking for the usage would be one more refused call.
    let row = credentials::row(state, tenant, provider).await.ok()??;
    if row.paused_until.is_some_and(|u| u > state.now_ms()) {
        return None;
    }
    let mut session = credentials::session(state, tenant, provider).await.ok()?;
    let calls = AtomicU32::new(0);
    let cx = CallCx { state, tenant, provider, caller: "usage", calls: &calls, cancel: None };
    let meter = connectors::connector(provider).usage(&cx, &mut session).await;
    credentials::keep_session(state, tenant, provider, session).await;
    super::Integrations::of(state).outbound.flush(state).await;
    match meter {
        Ok(Some(m)) => {
            health::record_usage(state, tenant, provider, &m).await;
            Some(m)
        }
        Ok(None) => None,
        Err(e) => {
            if e.is_auth() {
                health::after_call(state, tenant, provider, Some(&e), "").await;
            }
            None
        }
    }
}

/// How often the worker reads each integration's usage when no run did. Shorter than the token
/// refresh margin, so this read also renews OAuth tokens before they expire.
pub const USAGE_EVERY_MS: u64 = 4 * 60_000;

/// How often the worker looks for due syncs, expiry stages and usage to read.
pub const TICK: std::time::Duration = std::time::Duration::from_secs(5);

/// The worker's pass: expiry stages, usage (and tokens) every few minutes, then due syncs of
/// enabled integrations not held back.
pub async fn tick(state: &AppState) {
    super::Integrations::of(state).outbound.flush(state).await;
    let rows = match state.store.call(|c| store::all_configured(c)).await {
        Ok(rows) => rows,
        Err(e) => {
            tracing::warn!(error = %e, "integrations worker could not list integrations");
            return;
        }
    };
    let now = state.now_ms();
    for row in rows {
        let Some(provider) = Provider::parse(&row.provider) else { continue };
        health::check_expiry(state, &row.tenant_id, provider).await;
        let expired = health::expiry_stage(row.expires_at, now) == "expired";
        if !row.enabled || expired || row.paused_until.is_some_and(|u| u > now) {
            continue;
        }
        if super::Integrations::of(state).usage_due(&row.tenant_id, provider, now) {
            // In the background: a slow provider must not hold the worker's pass.
            let (s, t) = (state.clone(), row.tenant_id.clone());
            tokio::spawn(async move {
                refresh_usage(&s, &t, provider).await;
            });
        }
        let (t, p) = (row.tenant_id.clone(), provider.as_str());
        let Ok(syncs) = state.store.call(move |c| store::syncs(c, &t, p)).await else { continue };
        for s in syncs.into_iter().filter(|s| !s.paused && s.next_run_at <= now) {
            match start(state, &row.tenant_id, provider, &s.sync).await {
                Ok(_) | Err(AppError::Conflict { .. }) => {}
                Err(e) => tracing::warn!(error = %e, sync = %s.sync, "could not start a scheduled integration sync"),
            }
        }
    }
}
