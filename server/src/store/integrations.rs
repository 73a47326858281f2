//! Integrations: one row per (tenant, provider) once configured, their syncs, runs, the calls
//! Sluice made per hour, and the records syncs brought in. Secrets live in `credentials`.

use crate::error::AppError;
use rusqlite::{params, Connection, OptionalExtension, Row};

pub mod runs;

pub const MIGRATION: &str = r#"
CREATE TABLE integrations (
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    provider         TEXT NOT NULL,
    enabled          INTEGER NOT NULL DEFAULT 1,
    -- The sealed fields (JSON), in `credentials`; NULL while not configured.
    credential_id    TEXT,
    expires_at       INTEGER,
    -- Which expiry issue was raised last: '', '14', '3', 'expired'.
    expiry_stage     TEXT NOT NULL DEFAULT '',
    token_expires_at INTEGER,
    last_success_at  INTEGER,
    last_error       TEXT,
    last_error_at    INTEGER,
    -- The last UsageMeter (JSON).
    usage            TEXT,
    -- A provider 429 holds every sync back until then.
    paused_until     INTEGER,
    PRIMARY KEY (tenant_id, provider)
);

CREATE TABLE integration_syncs (
    tenant_id       TEXT NOT NULL,
    provider        TEXT NOT NULL,
    sync            TEXT NOT NULL,
    cadence_minutes INTEGER NOT NULL,
    paused          INTEGER NOT NULL DEFAULT 0,
    next_run_at     INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, provider, sync)
);

CREATE TABLE integration_runs (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL,
    provider      TEXT NOT NULL,
    sync          TEXT NOT NULL,
    started_at    INTEGER NOT NULL,
    duration_ms   INTEGER NOT NULL DEFAULT 0,
    records_read  INTEGER NOT NULL DEFAULT 0,
    calls         INTEGER NOT NULL DEFAULT 0,
    outcome       TEXT NOT NULL,
    error         TEXT
);
CREATE INDEX integration_runs_list ON integration_runs(tenant_id, provider, started_at DESC, id DESC);

-- Sluice's outbound calls per hour and caller (a sync id, `test` or `usage`).
CREATE TABLE integration_calls (
    tenant_id  TEXT NOT NULL,
    provider   TEXT NOT NULL,
    hour       INTEGER NOT NULL,
    caller     TEXT NOT NULL,
    calls      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, provider, hour, caller)
);

-- What syncs brought in: companies, contacts, products, accounts, enriched organizations.
CREATE TABLE integration_records (
    tenant_id   TEXT NOT NULL,
    provider    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    external_id TEXT NOT NULL,
    name        TEXT NOT NULL,
    domain      TEXT,
    synced_at   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, provider, kind, external_id)
);
CREATE INDEX integration_records_domain ON integration_records(tenant_id, domain);
"#;

/// When Apollo.io was last asked about each company domain, whether it knew it or not (small or
/// new companies it does not know are asked again only when stale, like the rest).
pub const ENRICHMENT_MIGRATION: &str = r#"
CREATE TABLE integration_enrichments (
    tenant_id   TEXT NOT NULL,
    domain      TEXT NOT NULL,
    enriched_at INTEGER NOT NULL,
    found       INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, domain)
);
"#;

#[derive(Debug, Clone, Default)]
pub struct IntegrationRow {
    pub tenant_id: String,
    pub provider: String,
    pub enabled: bool,
    pub credential_id: Option<String>,
    pub expires_at: Option<u64>,
    pub expiry_stage: String,
    pub token_expires_at: Option<u64>,
    pub last_success_at: Option<u64>,
    pub last_error: Option<String>,
    pub last_error_at: Option<u64>,
    pub usage: Option<String>,
    pub paused_until: Option<u64>,
}

const COLUMNS: &str = "tenant_id, provider, enabled, credential_id, expires_at, expiry_stage, token_expires_at,
    last_success_at, last_error, last_error_at, usage, paused_until";

fn opt(r: &Row, i: usize) -> rusqlite::Result<Option<u64>> {
    Ok(r.get::<_, Option<i64>>(i)?.map(|v| v as u64))
}

fn row(r: &Row) -> rusqlite::Result<IntegrationRow> {
    Ok(IntegrationRow {
        tenant_id: r.get(0)?,
        provider: r.get(1)?,
        enabled: r.get(2)?,
        credential_id: r.get(3)?,
        expires_at: opt(r, 4)?,
        expiry_stage: r.get(5)?,
        token_expires_at: opt(r, 6)?,
        last_success_at: opt(r, 7)?,
        last_error: r.get(8)?,
        last_error_at: opt(r, 9)?,
        usage: r.get(10)?,
        paused_until: opt(r, 11)?,
    })
}

pub fn get(conn: &Connection, tenant: &str, provider: &str) -> Result<Option<IntegrationRow>, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM integrations WHERE tenant_id = ?1 AND provider = ?2");
    Ok(conn.query_row(&sql, params![tenant, provider], row).optional()?)
}

/// Every configured integration of every tenant (the worker's pass).
pub fn all_configured(conn: &Connection) -> Result<Vec<IntegrationRow>, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM integrations WHERE credential_id IS NOT NULL");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Creates the row on first use.
pub fn ensure(conn: &Connection, tenant: &str, provider: &str) -> Result<(), AppError> {
    conn.execute(
        "INSERT OR IGNORE INTO integrations (tenant_id, provider) VALUES (?1, ?2)",
        params![tenant, provider],
    )?;
    Ok(())
}

pub fn set_credential(
    conn: &Connection,
    tenant: &str,
    provider: &str,
    credential_id: Option<&str>,
    expires_at: Option<u64>,
) -> Result<(), AppError> {
    ensure(conn, tenant, provider)?;
    conn.execute(
        "UPDATE integrations SET credential_id = ?3, expires_at = ?4, token_expires_at = NULL
         WHERE tenant_id = ?1 AND provider = ?2",
        params![tenant, provider, credential_id, expires_at.map(|v| v as i64)],
    )?;
    Ok(())
}

pub fn set_enabled(conn: &Connection, tenant: &str, provider: &str, enabled: bool) -> Result<(), AppError> {
    ensure(conn, tenant, provider)?;
    conn.execute(
        "UPDATE integrations SET enabled = ?3 WHERE tenant_id = ?1 AND provider = ?2",
        params![tenant, provider, enabled],
    )?;
    Ok(())
}

pub fn set_expiry_stage(conn: &Connection, tenant: &str, provider: &str, stage: &str) -> Result<(), AppError> {
    conn.execute(
        "UPDATE integrations SET expiry_stage = ?3 WHERE tenant_id = ?1 AND provider = ?2",
        params![tenant, provider, stage],
    )?;
    Ok(())
}

pub fn set_token_expiry(conn: &Connection, tenant: &str, provider: &str, at: Option<u64>) -> Result<(), AppError> {
    conn.execute(
        "UPDATE integrations SET token_expires_at = ?3 WHERE tenant_id = ?1 AND provider = ?2",
        params![tenant, provider, at.map(|v| v as i64)],
    )?;
    Ok(())
}

/// The outcome of the latest call: success clears the last error, failure records it.
pub fn record_outcome(
    conn: &Connection,
    tenant: &str,
    provider: &str,
    now: u64,
    error: Option<&str>,
) -> Result<(), AppError> {
    match error {
        None => conn.execute(
            "UPDATE integrations SET last_success_at = ?3, last_error = NULL, last_error_at = NULL
             WHERE tenant_id = ?1 AND provider = ?2",
            params![tenant, provider, now as i64],
        )?,
        Some(e) => conn.execute(
            "UPDATE integrations SET last_error = ?3, last_error_at = ?4 WHERE tenant_id = ?1 AND provider = ?2",
            params![tenant, provider, e, now as i64],
        )?,
    };
    Ok(())
}

pub fn set_usage(conn: &Connection, tenant: &str, provider: &str, usage: &str) -> Result<(), AppError> {
    conn.execute(
        "UPDATE integrations SET usage = ?3 WHERE tenant_id = ?1 AND provider = ?2",
        params![tenant, provider, usage],
    )?;
    Ok(())
}

pub fn set_paused_until(conn: &Connection, tenant: &str, provider: &str, until: u64) -> Result<(), AppError> {
    conn.execute(
        "UPDATE integrations SET paused_until = MAX(COALESCE(paused_until, 0), ?3) WHERE tenant_id = ?1 AND provider = ?2",
        params![tenant, provider, until as i64],
    )?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct SyncRow {
    pub sync: String,
    pub cadence_minutes: u32,
    pub paused: bool,
    pub next_run_at: u64,
}

pub fn syncs(conn: &Connection, tenant: &str, provider: &str) -> Result<Vec<SyncRow>, AppError> {
    let mut stmt = conn.prepare(
        "SELECT sync, cadence_minutes, paused, next_run_at FROM integration_syncs WHERE tenant_id = ?1 AND provider = ?2",
    )?;
    let rows = stmt
        .query_map(params![tenant, provider], |r| {
            Ok(SyncRow {
                sync: r.get(0)?,
                cadence_minutes: r.get(1)?,
                paused: r.get(2)?,
                next_run_at: r.get::<_, i64>(3)? as u64,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub fn put_sync(conn: &Connection, tenant: &str, provider: &str, s: &SyncRow) -> Result<(), AppError> {
    conn.execute(
        "INSERT INTO integration_syncs (tenant_id, provider, sync, cadence_minutes, paused, next_run_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (tenant_id, provider, sync) DO UPDATE SET
            cadence_minutes = excluded.cadence_minutes, paused = excluded.paused, next_run_at = excluded.next_run_at",
        params![tenant, provider, s.sync, s.cadence_minutes, s.paused, s.next_run_at as i64],
    )?;
    Ok(())
}

/// Adds counted calls to their hour buckets.
pub fn add_calls(conn: &mut Connection, counts: &[(String, String, u64, String, u64)]) -> Result<(), AppError> {
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare(
            "INSERT INTO integration_calls (tenant_id, provider, hour, caller, calls) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (tenant_id, provider, hour, caller) DO UPDATE SET calls = calls + excluded.calls",
        )?;
        for (tenant, provider, hour, caller, calls) in counts {
            stmt.execute(params![tenant, provider, *hour as i64, caller, *calls as i64])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// (hour, caller, calls) from `since_hour` on.
pub fn calls_since(
    conn: &Connection,
    tenant: &str,
    provider: &str,
    since_hour: u64,
) -> Result<Vec<(u64, String, u64)>, AppError> {
    let mut stmt = conn.prepare(
        "SELECT hour, caller, calls FROM integration_calls WHERE tenant_id = ?1 AND provider = ?2 AND hour >= ?3",
    )?;
    let rows = stmt
        .query_map(params![tenant, provider, since_hour as i64], |r| {
            Ok((r.get::<_, i64>(0)? as u64, r.get(1)?, r.get::<_, i64>(2)? as u64))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub struct RecordRow {
    pub kind: &'static str,
    pub external_id: String,
    pub name: String,
    pub domain: Option<String>,
}

/// Upserts one page of records in one transaction.
pub fn put_records(
    conn: &mut Connection,
    tenant: &str,
    provider: &str,
    records: &[RecordRow],
    now: u64,
) -> Result<(), AppError> {
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO integration_records (tenant_id, provider, kind, external_id, name, domain, synced_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (tenant_id, provider, kind, external_id) DO UPDATE SET
                name = excluded.name, domain = excluded.domain, synced_at = excluded.synced_at",
        )?;
        for r in records {
            stmt.execute(params![tenant, provider, r.kind, r.external_id, r.name, r.domain, now as i64])?;
        }
    }
    tx.commit()?;
    Ok(())
}

pub fn count_records(conn: &Connection, tenant: &str, provider: &str, kind: &str) -> Result<u64, AppError> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM integration_records WHERE tenant_id = ?1 AND provider = ?2 AND kind = ?3",
        params![tenant, provider, kind],
        |r| r.get::<_, i64>(0),
    )? as u64)
}

/// Distinct company domains synced from any CRM/PSA, after `after`, that enrichment has not
/// asked about since `stale_before` (never, or too long ago).
pub fn domains_to_enrich(
    conn: &Connection,
    tenant: &str,
    after: &str,
    stale_before: u64,
    limit: u32,
) -> Result<Vec<String>, AppError> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT r.domain FROM integration_records r
         LEFT JOIN integration_enrichments e ON e.tenant_id = r.tenant_id AND e.domain = r.domain
         WHERE r.tenant_id = ?1 AND r.kind IN ('company', 'account') AND r.domain IS NOT NULL AND r.domain > ?2
           AND (e.enriched_at IS NULL OR e.enriched_at < ?3)
         ORDER BY r.domain LIMIT ?4",
    )?;
    let rows = stmt
        .query_map(params![tenant, after, stale_before as i64, limit], |r| r.get(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Notes that enrichment asked about `asked` at `now`; `found` are those the provider knew.
pub fn mark_enriched(
    conn: &mut Connection,
    tenant: &str,
    asked: &[String],
    found: &[String],
    now: u64,
) -> Result<(), AppError> {
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO integration_enrichments (tenant_id, domain, enriched_at, found) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (tenant_id, domain) DO UPDATE SET enriched_at = excluded.enriched_at, found = excluded.found",
        )?;
        for d in asked {
            stmt.execute(params![tenant, d, now as i64, found.contains(d)])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// The kinds of the active issues of one integration.
pub fn open_issues(conn: &Connection, tenant: &str, provider: &str) -> Result<Vec<String>, AppError> {
    let mut stmt = conn.prepare(
        "SELECT kind FROM issues WHERE tenant_id = ?1 AND area = 'integrations' AND entity_id = ?2
         AND status IN ('open', 'acknowledged')",
    )?;
    let kinds = stmt.query_map(params![tenant, provider], |r| r.get(0))?.collect::<Result<Vec<_>, _>>()?;
    Ok(kinds)
}

/// The tenant an issue belongs to (Retry gets the issue, not its tenant).
pub fn issue_tenant(conn: &Connection, issue_id: &str) -> Result<Option<String>, AppError> {
    Ok(conn.query_row("SELECT tenant_id FROM issues WHERE id = ?1", [issue_id], |r| r.get(0)).optional()?)
}
