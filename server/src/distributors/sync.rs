//! A sync run: fetch, parse and stage on a blocking thread (rows go to SQLite in batches, and
//! only those that differ from the stored prices are written), then one transaction swaps the
//! prices in with their events — or, when the run fails, nothing changes but the run record.
//! Progress goes out on the notice bus.
//!
//! Memory: the rows stream in batches, and what a run must remember of the rows it has read
//! (which SKUs it saw, to tell the ones the feed dropped) is written to SQLite with them, so
//! memory does not grow with the feed.

use super::fetch;
use super::issues as feed_issues;
use super::parse::{self, Item};
use super::settings::Settings;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::notices::Notice;
use crate::state::AppState;
use crate::store::distributors::{self as store, runs, PriceRow};
use crate::store::events::{self, EventRow};
use sluice_contract::distributors::{RejectedRow, RunProgress, RunStatus, SyncRun};
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Rows per staging transaction.
pub const BATCH: usize = 5_000;
/// Rejected rows kept on the run record.
pub const SAMPLE: usize = 20;
/// Price changes per `distributor.price_changed` event.
pub const CHANGES_PER_EVENT: usize = 500;
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

pub const EMPTY_FEED: &str = "Feed returned no data — the distributor may have deactivated the account, or the price file is temporarily unavailable. Contact the distributor.";

const INTERRUPTED: &str = "The server stopped while this run was in progress.";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Schedule,
    Manual,
    Retry,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Schedule => "schedule",
            Trigger::Manual => "manual",
            Trigger::Retry => "retry",
        }
    }
}

pub use super::issues::FailureKind;

struct Outcome {
    totals: runs::RunTotals,
    rejected: Vec<RejectedRow>,
    failure: Option<(FailureKind, String)>,
}

/// Starts a run in the background and answers it as it starts (409 while one is running).
pub async fn start(state: &AppState, tenant_id: &str, id: &str, trigger: Trigger) -> AppResult<SyncRun> {
    let prepared = prepare(state, tenant_id, id, trigger).await?;
    let run = super::runs::get(state, tenant_id, id, &prepared.run_id).await?;
    let state = state.clone();
    tokio::spawn(async move {
        execute(&state, prepared).await;
    });
    Ok(run)
}

/// Runs to the end and answers the finished run (scheduler, Retry).
pub async fn run_now(state: &AppState, tenant_id: &str, id: &str, trigger: Trigger) -> AppResult<SyncRun> {
    let prepared = prepare(state, tenant_id, id, trigger).await?;
    let run_id = prepared.run_id.clone();
    execute(state, prepared).await;
    super::runs::get(state, tenant_id, id, &run_id).await
}

struct Prepared {
    tenant_id: String,
    distributor: store::DistributorRow,
    settings: Settings,
    password: Option<String>,
    run_id: String,
    started: u64,
}

async fn prepare(state: &AppState, tenant_id: &str, id: &str, trigger: Trigger) -> AppResult<Prepared> {
    let (distributor, settings) = super::load(state, tenant_id, id).await?;
    let password = match &distributor.credential_id {
        Some(cred) => Some(crate::credentials::reveal(state, tenant_id, cred).await?),
        None => None,
    };
    let (run_id, started) = (new_id("run"), state.now_ms());
    let (tenant, did, rid) = (tenant_id.to_string(), id.to_string(), run_id.clone());
    let started_ok = state.store.call(move |c| runs::start(c, &tenant, &did, &rid, trigger.as_str(), started)).await?;
    if let Err(other) = started_ok {
        return Err(AppError::conflict(
            "sync_running",
            format!("A sync of this distributor is already running ({other})."),
        ));
    }
    Ok(Prepared { tenant_id: tenant_id.to_string(), distributor, settings, password, run_id, started })
}

async fn execute(state: &AppState, p: Prepared) {
    let clock = Instant::now();
    let blocking_state = state.clone();
    let (settings, password, run_id) = (p.settings.clone(), p.password.clone(), p.run_id.clone());
    let (tenant, did) = (p.tenant_id.clone(), p.distributor.id.clone());
    let outcome = tokio::task::spawn_blocking(move || {
        fetch_and_stage(&blocking_state, &tenant, &did, &run_id, &settings, password.as_deref())
    })
    .await
    .unwrap_or_else(|e| Outcome {
        totals: Default::default(),
        rejected: Vec::new(),
        failure: Some((FailureKind::Connection, format!("The sync stopped unexpectedly: {e}"))),
    });
    tracing::info!(run = %p.run_id, distributor = %p.distributor.id, ms = clock.elapsed().as_millis() as u64,
        read = outcome.totals.read, failed = outcome.failure.is_some(), "feed fetched");
    let status = match finish(state, &p, &outcome).await {
        Ok(status) => status,
        Err(e) => {
            tracing::error!(error = %e, run = %p.run_id, "could not record the sync run");
            RunStatus::Failed
        }
    };
    let totals = outcome.totals;
    notify(state, &p.tenant_id, &p.distributor.id, &p.run_id, status, totals.bytes, None, totals.read, totals.changed);
    feed_issues::after_run(state, &p.tenant_id, &p.distributor, outcome.failure.as_ref()).await;
}

#[allow(clippy::too_many_arguments)]
fn notify(
    state: &AppState,
    tenant: &str,
    did: &str,
    run_id: &str,
    status: RunStatus,
    bytes: u64,
    total: Option<u64>,
    read: u64,
    changed: u64,
) {
    let percent = match status {
        RunStatus::Running => total.filter(|t| *t > 0).map(|t| ((bytes * 100) / t).min(99) as u8),
        _ => Some(100),
    };
    let progress = RunProgress {
        distributor_id: did.to_string(),
        run_id: run_id.to_string(),
        status,
        bytes,
        total_bytes: total,
        rows_read: read,
        rows_changed: changed,
        percent,
    };
    state.notify(Notice::new(sluice_contract::stream::Topic::Distributors, tenant, &progress));
}

/// Counts what passes through, for progress.
struct Counting<R> {
    inner: R,
    bytes: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

fn fetch_and_stage(
    state: &AppState,
    tenant: &str,
    did: &str,
    run_id: &str,
    settings: &Settings,
    password: Option<&str>,
) -> Outcome {
    let mut out = Outcome { totals: Default::default(), rejected: Vec::new(), failure: None };
    let source = match fetch::open(settings, password, state.config.allow_private_targets) {
        Ok(source) => source,
        Err(message) => {
            out.failure = Some((FailureKind::Connection, message));
            return out;
        }
    };
    let total = source.total;
    let bytes = Arc::new(AtomicU64::new(0));
    let (reader, source_finish) = source.split();
    let mut reader = Some(Counting { inner: reader, bytes: bytes.clone() });
    let mut batch: Vec<PriceRow> = Vec::with_capacity(BATCH);
    let (mut good, mut rejected) = (0u64, 0u64);
    let mut last_progress = Instant::now();
    let result = {
        let mut sink = |item: Item| -> Result<bool, String> {
            match item {
                Item::Row { row, .. } => {
                    good += 1;
                    batch.push(row);
                    if batch.len() >= BATCH {
                        let rows = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                        state
                            .store
                            .call_blocking(|c| store::stage(c, did, run_id, &rows))
                            .map_err(|e| e.to_string())?;
                    }
                }
                Item::Rejected { line, reason } => {
                    rejected += 1;
                    if out.rejected.len() < SAMPLE {
                        out.rejected.push(RejectedRow { line, reason });
                    }
                }
            }
            if last_progress.elapsed() >= PROGRESS_EVERY {
                last_progress = Instant::now();
                let b = bytes.load(Ordering::Relaxed);
                notify(state, tenant, did, run_id, RunStatus::Running, b, total, good + rejected, 0);
            }
            Ok(true)
        };
        parse::parse(reader.take().expect("reader"), settings, &mut sink)
    };
    if result.is_ok() && !batch.is_empty() {
        if let Err(e) = state.store.call_blocking(|c| store::stage(c, did, run_id, &batch)) {
            out.failure = Some((FailureKind::Rejected, format!("Storing the rows failed: {e}")));
        }
    }
    out.totals.bytes = bytes.load(Ordering::Relaxed);
    out.totals.read = good + rejected;
    out.totals.rejected = rejected;
    if out.failure.is_some() {
        return out;
    }
    if let Err(message) = result {
        out.failure = Some((FailureKind::Rejected, message));
        return out;
    }
    if let Err(message) = source_finish.finish() {
        out.failure = Some((FailureKind::Connection, message));
        return out;
    }
    out.failure = judge(good, rejected, settings.max_rejected_percent, &out.rejected);
    out
}

/// A bad row does not fail the run; no rows, or too many bad ones, do.
fn judge(good: u64, rejected: u64, max_percent: u32, sample: &[RejectedRow]) -> Option<(FailureKind, String)> {
    let read = good + rejected;
    if read == 0 {
        return Some((FailureKind::Empty, EMPTY_FEED.to_string()));
    }
    let first = sample.first().map(|r| format!(" First: line {}: {}.", r.line, r.reason)).unwrap_or_default();
    if rejected * 100 > read * max_percent as u64 || good == 0 {
        return Some((
            FailureKind::Rejected,
            format!(
                "{rejected} of {read} rows ({}%) were rejected, more than the {max_percent}% allowed.{first}",
                (rejected * 100).div_ceil(read)
            ),
        ));
    }
    None
}

/// Records the run, and on success swaps the prices in with their events: one transaction.
async fn finish(state: &AppState, p: &Prepared, outcome: &Outcome) -> AppResult<RunStatus> {
    let now = state.now_ms();
    let (tenant, did, run_id) = (p.tenant_id.clone(), p.distributor.id.clone(), p.run_id.clone());
    let next = now + p.distributor.cadence_minutes as u64 * 60_000;
    let (mut totals, failure) = (outcome.totals, outcome.failure.clone());
    let sample = serde_json::to_string(&outcome.rejected).map_err(AppError::internal)?;
    let duration = now.saturating_sub(p.started);
    state
        .store
        .call(move |c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            store::set_next_run(&tx, &did, next)?;
            let status = match &failure {
                Some((_, message)) => {
                    store::discard_staging(&tx, &run_id)?;
                    runs::finish(&tx, &run_id, "failed", now, &totals, &sample, Some(message))?;
                    let data = serde_json::json!({"distributorId": did, "runId": run_id, "error": message,
                        "rowsRead": totals.read, "rowsRejected": totals.rejected});
                    emit(&tx, &tenant, "distributor.sync_failed", now, data)?;
                    RunStatus::Failed
                }
                None => {
                    let mut batch = Vec::new();
                    let applied = store::apply_run(&tx, &tenant, &did, &run_id, now, |(sku, old, new, currency)| {
                        batch.push(serde_json::json!({"sku": sku, "oldPrice": parse::format_price(old),
                            "newPrice": parse::format_price(new), "currency": currency}));
                        if batch.len() >= CHANGES_PER_EVENT {
                            price_changed(&tx, &tenant, &did, &run_id, now, std::mem::take(&mut batch))?;
                        }
                        Ok(())
                    })?;
                    if !batch.is_empty() {
                        price_changed(&tx, &tenant, &did, &run_id, now, batch)?;
                    }
                    (totals.added, totals.changed, totals.unchanged, totals.removed) =
                        (applied.added, applied.changed, applied.unchanged, applied.removed);
                    runs::finish(&tx, &run_id, "succeeded", now, &totals, &sample, None)?;
                    store::mark_success(&tx, &did, now)?;
                    let data = serde_json::json!({"distributorId": did, "runId": run_id, "durationMs": duration,
                        "rowsRead": totals.read, "rowsAdded": totals.added, "rowsChanged": totals.changed,
                        "rowsUnchanged": totals.unchanged, "rowsRemoved": totals.removed, "rowsRejected": totals.rejected});
                    emit(&tx, &tenant, "distributor.sync_completed", now, data)?;
                    RunStatus::Succeeded
                }
            };
            tx.commit()?;
            Ok(status)
        })
        .await
}

/// At start-up: runs the server was killed in the middle of failed, with their
/// `distributor.sync_failed` events (in the same transaction), so subscribers hear of them as
/// of any other failed run. Their staged rows go; the prices were never touched.
pub fn fail_interrupted(conn: &mut rusqlite::Connection, now: u64) -> AppResult<usize> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let runs = runs::interrupt_all(&tx, now, INTERRUPTED)?;
    for run in &runs {
        let data = serde_json::json!({"distributorId": run.distributor_id, "runId": run.id, "error": INTERRUPTED,
            "rowsRead": 0, "rowsRejected": 0});
        emit(&tx, &run.tenant_id, "distributor.sync_failed", now, data)?;
    }
    tx.commit()?;
    Ok(runs.len())
}

fn price_changed(
    conn: &rusqlite::Connection,
    tenant: &str,
    did: &str,
    run_id: &str,
    now: u64,
    changes: Vec<serde_json::Value>,
) -> AppResult<()> {
    let data = serde_json::json!({"distributorId": did, "runId": run_id, "changes": changes});
    emit(conn, tenant, "distributor.price_changed", now, data)
}

fn emit(
    conn: &rusqlite::Connection,
    tenant: &str,
    event_type: &str,
    now: u64,
    data: serde_json::Value,
) -> AppResult<()> {
    events::insert(
        conn,
        tenant,
        &EventRow { id: new_id("evt"), event_type: event_type.to_string(), occurred_at: now, data },
    )
}
