//! Sealed credentials (see `crate::credentials`): the store sees only ciphertext.

use crate::error::AppError;
use rusqlite::{params, Connection, OptionalExtension};

// The `credentials` table is created by `super::distributors::MIGRATION` (the area that came first).

pub struct NewCredential {
    pub id: String,
    pub tenant_id: String,
    pub owner: String,
    pub nonce: Vec<u8>,
    pub sealed: Vec<u8>,
    pub set_at: u64,
}

pub struct CredentialRow {
    pub nonce: Vec<u8>,
    pub sealed: Vec<u8>,
    pub set_at: u64,
}

pub fn insert(conn: &Connection, c: &NewCredential) -> Result<(), AppError> {
    conn.execute(
        "INSERT INTO credentials (id, tenant_id, owner, nonce, sealed, set_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![c.id, c.tenant_id, c.owner, c.nonce, c.sealed, c.set_at as i64],
    )?;
    Ok(())
}

pub fn replace(
    conn: &Connection,
    tenant: &str,
    id: &str,
    nonce: &[u8],
    sealed: &[u8],
    now: u64,
) -> Result<(), AppError> {
    let n = conn.execute(
        "UPDATE credentials SET nonce = ?3, sealed = ?4, set_at = ?5 WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, id, nonce, sealed, now as i64],
    )?;
    if n == 0 {
        return Err(AppError::NotFound("credential"));
    }
    Ok(())
}

pub fn get(conn: &Connection, tenant: &str, id: &str) -> Result<Option<CredentialRow>, AppError> {
    Ok(conn
        .query_row(
            "SELECT nonce, sealed, set_at FROM credentials WHERE tenant_id = ?1 AND id = ?2",
            params![tenant, id],
            |r| Ok(CredentialRow { nonce: r.get(0)?, sealed: r.get(1)?, set_at: r.get::<_, i64>(2)? as u64 }),
        )
        .optional()?)
}

pub fn delete(conn: &Connection, tenant: &str, id: &str) -> Result<(), AppError> {
    conn.execute("DELETE FROM credentials WHERE tenant_id = ?1 AND id = ?2", params![tenant, id])?;
    Ok(())
}
