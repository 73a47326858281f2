//! Console sessions, stored by the hash of their cookie token.

use crate::error::AppError;
use rusqlite::{params, Connection, OptionalExtension};

pub struct SessionRow {
    pub tenant_id: String,
    pub user_id: String,
}

pub fn insert(
    conn: &Connection,
    token_hash: &str,
    tenant_id: &str,
    user_id: &str,
    now: u64,
    expires: u64,
) -> Result<(), AppError> {
    conn.execute(
        "INSERT INTO sessions (token_hash, tenant_id, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![token_hash, tenant_id, user_id, now as i64, expires as i64],
    )?;
    Ok(())
}

pub fn find_live(conn: &Connection, token_hash: &str, now: u64) -> Result<Option<SessionRow>, AppError> {
    Ok(conn
        .query_row(
            "SELECT tenant_id, user_id FROM sessions WHERE token_hash = ?1 AND expires_at > ?2",
            params![token_hash, now as i64],
            |r| Ok(SessionRow { tenant_id: r.get(0)?, user_id: r.get(1)? }),
        )
        .optional()?)
}

pub fn delete(conn: &Connection, token_hash: &str) -> Result<(), AppError> {
    conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
    Ok(())
}

pub fn delete_expired(conn: &Connection, now: u64) -> Result<usize, AppError> {
    Ok(conn.execute("DELETE FROM sessions WHERE expires_at <= ?1", [now as i64])?)
}
