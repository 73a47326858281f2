//! Tenant API keys, stored by the hash of their secret.

use crate::clock::rfc3339;
use crate::error::AppError;
use rusqlite::{params, Connection, OptionalExtension, Row};
use sluice_contract::api_keys::ApiKey;

pub struct KeyOwner {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
}

const COLUMNS: &str = "id, name, prefix, created_at, last_used_at, revoked_at";

fn from_row(r: &Row) -> rusqlite::Result<ApiKey> {
    let ts = |v: Option<i64>| v.map(|ms| rfc3339(ms as u64));
    Ok(ApiKey {
        id: r.get(0)?,
        name: r.get(1)?,
        prefix: r.get(2)?,
        created_at: rfc3339(r.get::<_, i64>(3)? as u64),
        last_used_at: ts(r.get(4)?),
        revoked_at: ts(r.get(5)?),
    })
}

pub fn insert(
    conn: &Connection,
    id: &str,
    tenant_id: &str,
    name: &str,
    prefix: &str,
    secret_hash: &str,
    now: u64,
) -> Result<ApiKey, AppError> {
    conn.execute(
        "INSERT INTO api_keys (id, tenant_id, name, prefix, secret_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, tenant_id, name, prefix, secret_hash, now as i64],
    )?;
    get(conn, tenant_id, id)?.ok_or(AppError::NotFound("API key"))
}

pub fn get(conn: &Connection, tenant_id: &str, id: &str) -> Result<Option<ApiKey>, AppError> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM api_keys WHERE tenant_id = ?1 AND id = ?2"),
            [tenant_id, id],
            from_row,
        )
        .optional()?)
}

/// Newest first; `before` is the (created_at, id) of the last row of the previous page.
/// The raw sort key of a listed key, (created_at, id): what the next page starts after.
pub type ListKey = (i64, String);

pub fn list(
    conn: &Connection,
    tenant_id: &str,
    limit: u32,
    before: Option<(i64, String)>,
) -> Result<Vec<(ListKey, ApiKey)>, AppError> {
    let (ts, id) = before.unwrap_or((i64::MAX, String::new()));
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM api_keys WHERE tenant_id = ?1 AND (created_at, id) < (?2, ?3)
         ORDER BY created_at DESC, id DESC LIMIT ?4"
    ))?;
    let id_bound = if id.is_empty() { "\u{10FFFF}".to_string() } else { id };
    // Each with its raw sort key, (created_at, id): what the next page starts after.
    let keyed = |r: &rusqlite::Row| {
        let key = from_row(r)?;
        Ok(((r.get::<_, i64>("created_at")?, key.id.clone()), key))
    };
    let rows = stmt.query_map(params![tenant_id, ts, id_bound, limit as i64], keyed)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub fn revoke(conn: &Connection, tenant_id: &str, id: &str, now: u64) -> Result<Option<ApiKey>, AppError> {
    conn.execute(
        "UPDATE api_keys SET revoked_at = ?3 WHERE tenant_id = ?1 AND id = ?2 AND revoked_at IS NULL",
        params![tenant_id, id, now as i64],
    )?;
    get(conn, tenant_id, id)
}

/// The live key with this secret hash, marking it used.
pub fn authenticate(conn: &Connection, secret_hash: &str, now: u64) -> Result<Option<KeyOwner>, AppError> {
    let owner = conn
        .query_row(
            "SELECT id, tenant_id, name FROM api_keys WHERE secret_hash = ?1 AND revoked_at IS NULL",
            [secret_hash],
            |r| Ok(KeyOwner { id: r.get(0)?, tenant_id: r.get(1)?, name: r.get(2)? }),
        )
        .optional()?;
    if let Some(owner) = &owner {
        // Minute resolution is plenty for "last used", and spares a write per request.
        conn.execute(
            "UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1 AND (last_used_at IS NULL OR last_used_at < ?2 - 60000)",
            params![owner.id, now as i64],
        )?;
    }
    Ok(owner)
}

pub fn created_at_of(conn: &Connection, tenant_id: &str, id: &str) -> Result<Option<i64>, AppError> {
    Ok(conn
        .query_row("SELECT created_at FROM api_keys WHERE tenant_id = ?1 AND id = ?2", [tenant_id, id], |r| r.get(0))
        .optional()?)
}
