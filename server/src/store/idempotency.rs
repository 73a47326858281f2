//! Stored first responses of requests that carried an `Idempotency-Key`, per caller.

use crate::error::AppError;
use rusqlite::{params, Connection, OptionalExtension};

pub struct StoredResponse {
    pub request_hash: String,
    pub status: u16,
    /// The response headers a replay repeats, as (name, value).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Records are per caller: an API key and a console user of the same tenant never share a key.
pub const MIGRATION: &str = r#"
-- Records made before scoping per caller could hold a new API key's secret: drop them.
DROP TABLE idempotency;
CREATE TABLE idempotency (
    tenant_id     TEXT NOT NULL,
    caller        TEXT NOT NULL,
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status        INTEGER NOT NULL,
    headers       TEXT NOT NULL,
    body          BLOB NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, caller, key)
);
CREATE INDEX idempotency_age ON idempotency(created_at);
"#;

pub fn find(
    conn: &Connection,
    tenant_id: &str,
    caller: &str,
    key: &str,
    not_before: u64,
) -> Result<Option<StoredResponse>, AppError> {
    let row = conn
        .query_row(
            "SELECT request_hash, status, headers, body FROM idempotency
             WHERE tenant_id = ?1 AND caller = ?2 AND key = ?3 AND created_at >= ?4",
            params![tenant_id, caller, key, not_before as i64],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)? as u16,
                    r.get::<_, String>(2)?,
                    r.get::<_, Vec<u8>>(3)?,
                ))
            },
        )
        .optional()?;
    Ok(row.map(|(request_hash, status, headers, body)| StoredResponse {
        request_hash,
        status,
        headers: serde_json::from_str(&headers).unwrap_or_default(),
        body,
    }))
}

pub fn save(
    conn: &Connection,
    tenant_id: &str,
    caller: &str,
    key: &str,
    stored: &StoredResponse,
    now: u64,
) -> Result<(), AppError> {
    let headers = serde_json::to_string(&stored.headers).map_err(AppError::internal)?;
    conn.execute(
        "INSERT INTO idempotency (tenant_id, caller, key, request_hash, status, headers, body, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (tenant_id, caller, key) DO UPDATE SET request_hash = excluded.request_hash,
             status = excluded.status, headers = excluded.headers, body = excluded.body,
             created_at = excluded.created_at",
        params![tenant_id, caller, key, stored.request_hash, stored.status as i64, headers, stored.body, now as i64],
    )?;
    Ok(())
}

pub fn prune(conn: &Connection, older_than: u64) -> Result<usize, AppError> {
    Ok(conn.execute("DELETE FROM idempotency WHERE created_at < ?1", [older_than as i64])?)
}
