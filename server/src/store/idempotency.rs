//! Stored first responses of requests that carried an `Idempotency-Key`.

use crate::error::AppError;
use rusqlite::{params, Connection, OptionalExtension};

pub struct StoredResponse {
    pub request_hash: String,
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

pub fn find(
    conn: &Connection,
    tenant_id: &str,
    key: &str,
    not_before: u64,
) -> Result<Option<StoredResponse>, AppError> {
    Ok(conn
        .query_row(
            "SELECT request_hash, status, content_type, body FROM idempotency
             WHERE tenant_id = ?1 AND key = ?2 AND created_at >= ?3",
            params![tenant_id, key, not_before as i64],
            |r| {
                Ok(StoredResponse {
                    request_hash: r.get(0)?,
                    status: r.get::<_, i64>(1)? as u16,
                    content_type: r.get(2)?,
                    body: r.get(3)?,
                })
            },
        )
        .optional()?)
}

pub fn save(conn: &Connection, tenant_id: &str, key: &str, stored: &StoredResponse, now: u64) -> Result<(), AppError> {
    conn.execute(
        "INSERT INTO idempotency (tenant_id, key, request_hash, status, content_type, body, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (tenant_id, key) DO UPDATE SET request_hash = excluded.request_hash, status = excluded.status,
             content_type = excluded.content_type, body = excluded.body, created_at = excluded.created_at",
        params![
            tenant_id,
            key,
            stored.request_hash,
            stored.status as i64,
            stored.content_type,
            stored.body,
            now as i64
        ],
    )?;
    Ok(())
}

pub fn prune(conn: &Connection, older_than: u64) -> Result<usize, AppError> {
    Ok(conn.execute("DELETE FROM idempotency WHERE created_at < ?1", [older_than as i64])?)
}
