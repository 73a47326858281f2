//! API usage per tenant per minute, by route and by caller, kept 30 days.

use crate::error::AppError;
use rusqlite::{params, Connection};

pub const MIGRATION: &str = r#"
CREATE TABLE usage_minutes (
    tenant_id  TEXT NOT NULL,
    minute     INTEGER NOT NULL,   -- Unix time / 60
    route      TEXT NOT NULL,      -- "GET /api/v1/issues"
    caller     TEXT NOT NULL,      -- "console" or "key:<name>"
    requests   INTEGER NOT NULL,
    rejected   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, minute, route, caller)
) WITHOUT ROWID;
"#;

/// Pruning by age reads this index instead of every row (the primary key leads with the tenant).
pub const AGE_INDEX: &str = "CREATE INDEX usage_minutes_age ON usage_minutes(minute);";

/// One aggregated cell: a minute, a route and a caller of one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cell {
    pub tenant_id: String,
    pub minute: u64,
    pub route: String,
    pub caller: String,
}

pub fn add(conn: &mut Connection, cells: &[(Cell, u64, u64)]) -> Result<(), AppError> {
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare(
            "INSERT INTO usage_minutes (tenant_id, minute, route, caller, requests, rejected) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (tenant_id, minute, route, caller)
             DO UPDATE SET requests = requests + excluded.requests, rejected = rejected + excluded.rejected",
        )?;
        for (cell, requests, rejected) in cells {
            stmt.execute(params![
                cell.tenant_id,
                cell.minute as i64,
                cell.route,
                cell.caller,
                *requests as i64,
                *rejected as i64
            ])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// One bucket of [`series`]: the other callers' requests and refusals, and `apart_caller`'s requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    pub minute: u64,
    pub requests: u64,
    pub rejected: u64,
    pub apart: u64,
}

/// Buckets of `bucket` minutes in `[from, to)`, with `apart_caller`'s requests counted apart.
pub fn series(
    conn: &Connection,
    tenant_id: &str,
    from: u64,
    to: u64,
    bucket: u64,
    apart_caller: &str,
) -> Result<Vec<Bucket>, AppError> {
    let mut stmt = conn.prepare(
        "SELECT (minute / ?4) * ?4 AS b,
                SUM(CASE WHEN caller = ?5 THEN 0 ELSE requests END),
                SUM(CASE WHEN caller = ?5 THEN 0 ELSE rejected END),
                SUM(CASE WHEN caller = ?5 THEN requests ELSE 0 END)
         FROM usage_minutes
         WHERE tenant_id = ?1 AND minute >= ?2 AND minute < ?3 GROUP BY b ORDER BY b",
    )?;
    let rows = stmt
        .query_map(params![tenant_id, from as i64, to as i64, bucket.max(1) as i64, apart_caller], |r| {
            Ok(Bucket {
                minute: r.get::<_, i64>(0)? as u64,
                requests: r.get::<_, i64>(1)? as u64,
                rejected: r.get::<_, i64>(2)? as u64,
                apart: r.get::<_, i64>(3)? as u64,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The busiest routes or callers in `[from, to)`: `(label, requests, rejected)`.
pub fn top(
    conn: &Connection,
    tenant_id: &str,
    by_caller: bool,
    from: u64,
    to: u64,
    limit: u32,
) -> Result<Vec<(String, u64, u64)>, AppError> {
    let column = if by_caller { "caller" } else { "route" };
    let mut stmt = conn.prepare(&format!(
        "SELECT {column}, SUM(requests) AS n, SUM(rejected) FROM usage_minutes
         WHERE tenant_id = ?1 AND minute >= ?2 AND minute < ?3 GROUP BY {column} ORDER BY n DESC, {column} LIMIT ?4"
    ))?;
    let rows = stmt
        .query_map(params![tenant_id, from as i64, to as i64, limit as i64], |r| {
            Ok((r.get(0)?, r.get::<_, i64>(1)? as u64, r.get::<_, i64>(2)? as u64))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub fn prune(conn: &Connection, before_minute: u64) -> Result<usize, AppError> {
    Ok(conn.execute("DELETE FROM usage_minutes WHERE minute < ?1", [before_minute as i64])?)
}
