//! Sync runs: one durable row per run, written when it starts and when it ends.

use crate::error::AppError;
use rusqlite::{params, Connection, OptionalExtension, Row};

pub struct RunRow {
    pub id: String,
    pub distributor_id: String,
    pub trigger: String,
    pub status: String,
    pub started_at: u64,
    pub finished_at: Option<u64>,
    pub totals: RunTotals,
    /// JSON array of `{line, reason}`.
    pub rejected_rows: String,
    pub error: Option<String>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RunTotals {
    pub bytes: u64,
    pub read: u64,
    pub added: u64,
    pub changed: u64,
    pub unchanged: u64,
    pub removed: u64,
    pub rejected: u64,
}

const COLUMNS: &str = "id, distributor_id, trigger, status, started_at, finished_at, bytes, rows_read, rows_added,
    rows_changed, rows_unchanged, rows_removed, rows_rejected, rejected_rows, error";

fn run(r: &Row) -> rusqlite::Result<RunRow> {
    let n = |i: usize| r.get::<_, i64>(i).map(|v| v as u64);
    Ok(RunRow {
        id: r.get(0)?,
        distributor_id: r.get(1)?,
        trigger: r.get(2)?,
        status: r.get(3)?,
        started_at: n(4)?,
        finished_at: r.get::<_, Option<i64>>(5)?.map(|v| v as u64),
        totals: RunTotals {
            bytes: n(6)?,
            read: n(7)?,
            added: n(8)?,
            changed: n(9)?,
            unchanged: n(10)?,
            removed: n(11)?,
            rejected: n(12)?,
        },
        rejected_rows: r.get(13)?,
        error: r.get(14)?,
    })
}

/// Starts a run unless one is already running for the distributor (then answers that one's id).
pub fn start(
    conn: &mut Connection,
    tenant: &str,
    distributor_id: &str,
    id: &str,
    trigger: &str,
    now: u64,
) -> Result<Result<(), String>, AppError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let running: Option<String> = tx
        .query_row(
            "SELECT id FROM distributor_runs WHERE distributor_id = ?1 AND status = 'running'",
            params![distributor_id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(other) = running {
        return Ok(Err(other));
    }
    tx.execute(
        "INSERT INTO distributor_runs (id, tenant_id, distributor_id, trigger, status, started_at)
         VALUES (?1, ?2, ?3, ?4, 'running', ?5)",
        params![id, tenant, distributor_id, trigger, now as i64],
    )?;
    tx.commit()?;
    Ok(Ok(()))
}

pub fn finish(
    conn: &Connection,
    id: &str,
    status: &str,
    now: u64,
    t: &RunTotals,
    rejected_rows: &str,
    error: Option<&str>,
) -> Result<(), AppError> {
    conn.execute(
        "UPDATE distributor_runs SET status = ?2, finished_at = ?3, bytes = ?4, rows_read = ?5, rows_added = ?6,
            rows_changed = ?7, rows_unchanged = ?8, rows_removed = ?9, rows_rejected = ?10, rejected_rows = ?11, error = ?12
         WHERE id = ?1",
        params![
            id,
            status,
            now as i64,
            t.bytes as i64,
            t.read as i64,
            t.added as i64,
            t.changed as i64,
            t.unchanged as i64,
            t.removed as i64,
            t.rejected as i64,
            rejected_rows,
            error
        ],
    )?;
    Ok(())
}

/// A run a crash left "running".
pub struct Interrupted {
    pub id: String,
    pub tenant_id: String,
    pub distributor_id: String,
}

/// Runs a crash left "running" can never finish: they failed with `error`, and what they staged
/// and saw is dropped. Answers them, so that their failure can be told.
pub fn interrupt_all(conn: &Connection, now: u64, error: &str) -> Result<Vec<Interrupted>, AppError> {
    conn.execute("DELETE FROM distributor_staging", [])?;
    conn.execute("DELETE FROM distributor_seen", [])?;
    let runs = conn
        .prepare("SELECT id, tenant_id, distributor_id FROM distributor_runs WHERE status = 'running'")?
        .query_map([], |r| Ok(Interrupted { id: r.get(0)?, tenant_id: r.get(1)?, distributor_id: r.get(2)? }))?
        .collect::<Result<Vec<_>, _>>()?;
    conn.execute(
        "UPDATE distributor_runs SET status = 'failed', finished_at = ?1, error = ?2 WHERE status = 'running'",
        params![now as i64, error],
    )?;
    Ok(runs)
}

pub fn get(conn: &Connection, tenant: &str, distributor_id: &str, id: &str) -> Result<Option<RunRow>, AppError> {
    let sql =
        format!("SELECT {COLUMNS} FROM distributor_runs WHERE tenant_id = ?1 AND distributor_id = ?2 AND id = ?3");
    Ok(conn.query_row(&sql, params![tenant, distributor_id, id], run).optional()?)
}

pub fn last(conn: &Connection, distributor_id: &str) -> Result<Option<RunRow>, AppError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM distributor_runs WHERE distributor_id = ?1 ORDER BY started_at DESC, rowid DESC LIMIT 1"
    );
    Ok(conn.query_row(&sql, params![distributor_id], run).optional()?)
}

/// Newest first, before the cursor's (started_at, id) when given.
pub fn list(
    conn: &Connection,
    distributor_id: &str,
    before: Option<(u64, String)>,
    limit: u32,
) -> Result<Vec<RunRow>, AppError> {
    let (at, id) = before.map(|(a, i)| (Some(a as i64), Some(i))).unwrap_or((None, None));
    let sql = format!(
        "SELECT {COLUMNS} FROM distributor_runs WHERE distributor_id = ?1
           AND (?2 IS NULL OR started_at < ?2 OR (started_at = ?2 AND id < ?3))
         ORDER BY started_at DESC, id DESC LIMIT ?4"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![distributor_id, at, id, limit], run)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
