//! Sync runs of integrations: a row when a run starts, updated as it goes and when it ends.

use crate::error::AppError;
use rusqlite::{params, Connection, Row};
use sluice_contract::integrations::{RunOutcome, SyncRun};

const COLUMNS: &str = "id, sync, started_at, duration_ms, records_read, calls, outcome, error";

fn run(r: &Row) -> rusqlite::Result<SyncRun> {
    let outcome: String = r.get(6)?;
    Ok(SyncRun {
        id: r.get(0)?,
        sync: r.get(1)?,
        started_at: r.get::<_, i64>(2)? as u64,
        duration_ms: r.get::<_, i64>(3)? as u64,
        records_read: r.get::<_, i64>(4)? as u64,
        calls: r.get::<_, i64>(5)? as u32,
        outcome: RunOutcome::parse(&outcome).unwrap_or(RunOutcome::Failed),
        error: r.get(7)?,
    })
}

pub fn insert(conn: &Connection, tenant: &str, provider: &str, run: &SyncRun) -> Result<(), AppError> {
    conn.execute(
        "INSERT INTO integration_runs (id, tenant_id, provider, sync, started_at, outcome) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![run.id, tenant, provider, run.sync, run.started_at as i64, run.outcome.as_str()],
    )?;
    Ok(())
}

pub fn finish(conn: &Connection, run: &SyncRun) -> Result<(), AppError> {
    conn.execute(
        "UPDATE integration_runs SET duration_ms = ?2, records_read = ?3, calls = ?4, outcome = ?5, error = ?6 WHERE id = ?1",
        params![
            run.id,
            run.duration_ms as i64,
            run.records_read as i64,
            run.calls as i64,
            run.outcome.as_str(),
            run.error
        ],
    )?;
    Ok(())
}

/// What a run in progress has done so far (records read, calls, elapsed).
pub fn progress(conn: &Connection, run: &SyncRun) -> Result<(), AppError> {
    conn.execute(
        "UPDATE integration_runs SET duration_ms = ?2, records_read = ?3, calls = ?4 WHERE id = ?1 AND outcome = 'running'",
        params![run.id, run.duration_ms as i64, run.records_read as i64, run.calls as i64],
    )?;
    Ok(())
}

/// Newest first, after the cursor `(started_at, id)`; optionally one sync's.
pub fn list(
    conn: &Connection,
    tenant: &str,
    provider: &str,
    sync: Option<&str>,
    before: Option<(u64, String)>,
    limit: u32,
) -> Result<Vec<SyncRun>, AppError> {
    let (at, id) = before.unwrap_or((u64::MAX >> 1, String::new()));
    let sql = format!(
        "SELECT {COLUMNS} FROM integration_runs WHERE tenant_id = ?1 AND provider = ?2 AND (?3 IS NULL OR sync = ?3)
         AND (started_at < ?4 OR (started_at = ?4 AND (?5 = '' OR id < ?5)))
         ORDER BY started_at DESC, id DESC LIMIT ?6"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows =
        stmt.query_map(params![tenant, provider, sync, at as i64, id, limit], run)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The last few finished runs of one sync (for calls per run) and the latest run.
pub fn recent(conn: &Connection, tenant: &str, provider: &str, sync: &str, n: u32) -> Result<Vec<SyncRun>, AppError> {
    list(conn, tenant, provider, Some(sync), None, n)
}

/// At start-up: runs a crash interrupted.
pub fn interrupt_all(conn: &Connection) -> Result<usize, AppError> {
    Ok(conn.execute(
        "UPDATE integration_runs SET outcome = 'failed', error = 'The server stopped during this run.' WHERE outcome = 'running'",
        [],
    )?)
}
