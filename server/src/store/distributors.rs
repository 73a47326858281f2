//! Distributors, their sync runs, and the prices they carry.
//!
//! A run streams its rows into `distributor_staging` in small transactions — only the rows
//! that are new or differ from the stored price, so a re-run of a mostly unchanged file writes
//! little; only when it succeeds does [`apply_run`] swap them into `distributor_prices` in one
//! transaction, so a failed run leaves the previous prices exactly as they were. The SKUs a
//! run saw unchanged go to `distributor_seen`, so the dropped ones are found in SQL at the end
//! and a run's memory does not grow with its feed.

use crate::error::AppError;
pub mod runs;
mod staging;

pub use staging::{apply_run, discard_staging, stage, Applied, PriceChange, PriceRow};

use rusqlite::{params, Connection, OptionalExtension, Row};

pub const MIGRATION: &str = r#"
CREATE TABLE distributors (
    id                     TEXT PRIMARY KEY,
    tenant_id              TEXT NOT NULL REFERENCES tenants(id),
    name                   TEXT NOT NULL,
    -- The connection, mapping and options as submitted (JSON, without the password).
    settings               TEXT NOT NULL,
    credential_id          TEXT,
    priority               INTEGER NOT NULL,
    cadence_minutes        INTEGER NOT NULL,
    stale_after_hours      INTEGER NOT NULL,
    ignore_older_than_days INTEGER,
    next_run_at            INTEGER NOT NULL,
    last_success_at        INTEGER,
    -- Set while a stale issue is open, so the worker raises it once.
    stale_reported         INTEGER NOT NULL DEFAULT 0,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL
);
CREATE INDEX distributors_tenant ON distributors(tenant_id, name);
CREATE INDEX distributors_due ON distributors(next_run_at);

CREATE TABLE distributor_runs (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL,
    distributor_id  TEXT NOT NULL REFERENCES distributors(id) ON DELETE CASCADE,
    trigger         TEXT NOT NULL,
    status          TEXT NOT NULL,
    started_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    bytes           INTEGER NOT NULL DEFAULT 0,
    rows_read       INTEGER NOT NULL DEFAULT 0,
    rows_added      INTEGER NOT NULL DEFAULT 0,
    rows_changed    INTEGER NOT NULL DEFAULT 0,
    rows_unchanged  INTEGER NOT NULL DEFAULT 0,
    rows_removed    INTEGER NOT NULL DEFAULT 0,
    rows_rejected   INTEGER NOT NULL DEFAULT 0,
    rejected_rows   TEXT NOT NULL DEFAULT '[]',
    error           TEXT
);
CREATE INDEX distributor_runs_by ON distributor_runs(distributor_id, started_at);

-- Prices in ten-thousandths of the currency unit, exact.
CREATE TABLE distributor_prices (
    distributor_id TEXT NOT NULL REFERENCES distributors(id) ON DELETE CASCADE,
    tenant_id      TEXT NOT NULL,
    sku            TEXT NOT NULL,
    mpn            TEXT,
    description    TEXT,
    price          INTEGER NOT NULL,
    currency       TEXT,
    stock          INTEGER,
    changed_at     INTEGER NOT NULL,
    PRIMARY KEY (distributor_id, sku)
) WITHOUT ROWID;
CREATE INDEX distributor_prices_sku ON distributor_prices(tenant_id, sku);
CREATE INDEX distributor_prices_mpn ON distributor_prices(tenant_id, mpn);

CREATE TABLE distributor_staging (
    run_id      TEXT NOT NULL,
    sku         TEXT NOT NULL,
    mpn         TEXT,
    description TEXT,
    price       INTEGER NOT NULL,
    currency    TEXT,
    stock       INTEGER,
    PRIMARY KEY (run_id, sku)
) WITHOUT ROWID;

-- Sealed secrets shared by every area that calls out (see crate::credentials).
CREATE TABLE credentials (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    -- Who uses it: `distributor:<id>`, `integration:<id>`.
    owner       TEXT NOT NULL,
    nonce       BLOB NOT NULL,
    sealed      BLOB NOT NULL,
    set_at      INTEGER NOT NULL,
    expires_at  INTEGER
);
CREATE INDEX credentials_owner ON credentials(tenant_id, owner);
"#;

/// Where a run notes the SKUs it saw unchanged (the changed ones are in its staging): on disk,
/// not in memory, whatever the feed's length. No index: a run appends in feed order and reads
/// its rows once, at the end, with one anti-join.
pub const SEEN_MIGRATION: &str = r#"
CREATE TABLE distributor_seen (
    run_id TEXT NOT NULL,
    sku    TEXT NOT NULL
);
"#;

pub struct DistributorRow {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub settings: String,
    pub credential_id: Option<String>,
    pub priority: u32,
    pub cadence_minutes: u32,
    pub stale_after_hours: u32,
    pub ignore_older_than_days: Option<u32>,
    pub next_run_at: u64,
    pub last_success_at: Option<u64>,
    pub stale_reported: bool,
    pub created_at: u64,
}

const COLUMNS: &str = "id, tenant_id, name, settings, credential_id, priority, cadence_minutes, stale_after_hours,
    ignore_older_than_days, next_run_at, last_success_at, stale_reported, created_at";

fn distributor(r: &Row) -> rusqlite::Result<DistributorRow> {
    Ok(DistributorRow {
        id: r.get(0)?,
        tenant_id: r.get(1)?,
        name: r.get(2)?,
        settings: r.get(3)?,
        credential_id: r.get(4)?,
        priority: r.get(5)?,
        cadence_minutes: r.get(6)?,
        stale_after_hours: r.get(7)?,
        ignore_older_than_days: r.get(8)?,
        next_run_at: r.get::<_, i64>(9)? as u64,
        last_success_at: r.get::<_, Option<i64>>(10)?.map(|v| v as u64),
        stale_reported: r.get(11)?,
        created_at: r.get::<_, i64>(12)? as u64,
    })
}

pub fn insert(conn: &Connection, d: &DistributorRow) -> Result<(), AppError> {
    conn.execute(
        "INSERT INTO distributors (id, tenant_id, name, settings, credential_id, priority, cadence_minutes,
            stale_after_hours, ignore_older_than_days, next_run_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
        params![
            d.id,
            d.tenant_id,
            d.name,
            d.settings,
            d.credential_id,
            d.priority,
            d.cadence_minutes,
            d.stale_after_hours,
            d.ignore_older_than_days,
            d.next_run_at as i64,
            d.created_at as i64
        ],
    )?;
    Ok(())
}

/// Changes what the admin edits; sync state stays.
pub fn update(conn: &Connection, d: &DistributorRow, now: u64) -> Result<(), AppError> {
    conn.execute(
        "UPDATE distributors SET name = ?3, settings = ?4, credential_id = ?5, priority = ?6, cadence_minutes = ?7,
            stale_after_hours = ?8, ignore_older_than_days = ?9, next_run_at = ?10, updated_at = ?11
         WHERE tenant_id = ?1 AND id = ?2",
        params![
            d.tenant_id,
            d.id,
            d.name,
            d.settings,
            d.credential_id,
            d.priority,
            d.cadence_minutes,
            d.stale_after_hours,
            d.ignore_older_than_days,
            d.next_run_at as i64,
            now as i64
        ],
    )?;
    Ok(())
}

pub fn get(conn: &Connection, tenant: &str, id: &str) -> Result<Option<DistributorRow>, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM distributors WHERE tenant_id = ?1 AND id = ?2");
    Ok(conn.query_row(&sql, params![tenant, id], distributor).optional()?)
}

/// Any tenant's (Retry from an issue, which knows only the id).
pub fn by_id(conn: &Connection, id: &str) -> Result<Option<DistributorRow>, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM distributors WHERE id = ?1");
    Ok(conn.query_row(&sql, params![id], distributor).optional()?)
}

pub fn list(conn: &Connection, tenant: &str) -> Result<Vec<DistributorRow>, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM distributors WHERE tenant_id = ?1 ORDER BY priority, name, id");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![tenant], distributor)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Every tenant's distributors (the worker's sweep).
pub fn all(conn: &Connection) -> Result<Vec<DistributorRow>, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM distributors ORDER BY next_run_at");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], distributor)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub fn delete(conn: &Connection, tenant: &str, id: &str) -> Result<bool, AppError> {
    conn.execute(
        "DELETE FROM distributor_staging WHERE run_id IN (SELECT id FROM distributor_runs WHERE distributor_id = ?1)",
        params![id],
    )?;
    conn.execute(
        "DELETE FROM distributor_seen WHERE run_id IN (SELECT id FROM distributor_runs WHERE distributor_id = ?1)",
        params![id],
    )?;
    Ok(conn.execute("DELETE FROM distributors WHERE tenant_id = ?1 AND id = ?2", params![tenant, id])? > 0)
}

pub fn set_next_run(conn: &Connection, id: &str, at: u64) -> Result<(), AppError> {
    conn.execute("UPDATE distributors SET next_run_at = ?2 WHERE id = ?1", params![id, at as i64])?;
    Ok(())
}

pub fn set_stale_reported(conn: &Connection, id: &str, reported: bool) -> Result<(), AppError> {
    conn.execute("UPDATE distributors SET stale_reported = ?2 WHERE id = ?1", params![id, reported])?;
    Ok(())
}

pub fn mark_success(conn: &Connection, id: &str, at: u64) -> Result<(), AppError> {
    conn.execute(
        "UPDATE distributors SET last_success_at = ?2, stale_reported = 0 WHERE id = ?1",
        params![id, at as i64],
    )?;
    Ok(())
}

/// One distributor's offer as stored, with what ranking needs.
pub struct OfferRow {
    pub sku: String,
    pub mpn: Option<String>,
    pub description: Option<String>,
    pub price: i64,
    pub currency: Option<String>,
    pub stock: Option<i64>,
    pub distributor_id: String,
    pub distributor_name: String,
    pub priority: u32,
    pub last_success_at: Option<u64>,
    pub ignore_older_than_days: Option<u32>,
}

/// SKUs matching `q` exactly (SKU, MPN) or in part (SKU, MPN, description), first `limit`.
pub fn search_skus(conn: &Connection, tenant: &str, q: &str, limit: u32) -> Result<Vec<String>, AppError> {
    let like = format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let mut stmt = conn.prepare(
        "SELECT DISTINCT sku FROM distributor_prices WHERE tenant_id = ?1 AND (sku = ?2 OR mpn = ?2
            OR sku LIKE ?3 ESCAPE '\\' OR mpn LIKE ?3 ESCAPE '\\' OR description LIKE ?3 ESCAPE '\\')
         ORDER BY sku LIMIT ?4",
    )?;
    let rows = stmt.query_map(params![tenant, q, like, limit], |r| r.get(0))?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub fn offers(conn: &Connection, tenant: &str, sku: &str) -> Result<Vec<OfferRow>, AppError> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.sku, p.mpn, p.description, p.price, p.currency, p.stock, d.id, d.name, d.priority,
                d.last_success_at, d.ignore_older_than_days
         FROM distributor_prices p JOIN distributors d ON d.id = p.distributor_id
         WHERE p.tenant_id = ?1 AND p.sku = ?2",
    )?;
    let rows = stmt
        .query_map(params![tenant, sku], |r| {
            Ok(OfferRow {
                sku: r.get(0)?,
                mpn: r.get(1)?,
                description: r.get(2)?,
                price: r.get(3)?,
                currency: r.get(4)?,
                stock: r.get(5)?,
                distributor_id: r.get(6)?,
                distributor_name: r.get(7)?,
                priority: r.get(8)?,
                last_success_at: r.get::<_, Option<i64>>(9)?.map(|v| v as u64),
                ignore_older_than_days: r.get(10)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
