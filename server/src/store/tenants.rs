//! Tenants, their users, and per-tenant settings.

use crate::error::AppError;
use rusqlite::{params, Connection, OptionalExtension};

pub struct UserRow {
    pub id: String,
    pub tenant_id: String,
    pub email: String,
    pub password_hash: String,
}

pub fn insert_tenant(conn: &Connection, id: &str, name: &str, now: u64) -> Result<(), AppError> {
    conn.execute("INSERT INTO tenants (id, name, created_at) VALUES (?1, ?2, ?3)", params![id, name, now as i64])?;
    Ok(())
}

pub fn tenant_name(conn: &Connection, id: &str) -> Result<Option<String>, AppError> {
    Ok(conn.query_row("SELECT name FROM tenants WHERE id = ?1", [id], |r| r.get(0)).optional()?)
}

pub fn tenant_by_name(conn: &Connection, name: &str) -> Result<Option<String>, AppError> {
    Ok(conn.query_row("SELECT id FROM tenants WHERE name = ?1", [name], |r| r.get(0)).optional()?)
}

pub fn all_tenant_ids(conn: &Connection) -> Result<Vec<String>, AppError> {
    let mut stmt = conn.prepare("SELECT id FROM tenants")?;
    let ids = stmt.query_map([], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
    Ok(ids)
}

pub fn insert_user(
    conn: &Connection,
    id: &str,
    tenant_id: &str,
    email: &str,
    password_hash: &str,
    now: u64,
) -> Result<(), AppError> {
    conn.execute(
        "INSERT INTO users (id, tenant_id, email, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, tenant_id, email, password_hash, now as i64],
    )
    .map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
            AppError::field("adminEmail", "A user with this email already exists.")
        }
        other => AppError::from(other),
    })?;
    Ok(())
}

pub fn user_by_email(conn: &Connection, email: &str) -> Result<Option<UserRow>, AppError> {
    Ok(conn
        .query_row("SELECT id, tenant_id, email, password_hash FROM users WHERE email = ?1", [email], |r| {
            Ok(UserRow { id: r.get(0)?, tenant_id: r.get(1)?, email: r.get(2)?, password_hash: r.get(3)? })
        })
        .optional()?)
}

pub fn user_email(conn: &Connection, id: &str) -> Result<Option<String>, AppError> {
    Ok(conn.query_row("SELECT email FROM users WHERE id = ?1", [id], |r| r.get(0)).optional()?)
}

pub fn set_password_hash(conn: &Connection, user_id: &str, hash: &str) -> Result<(), AppError> {
    conn.execute("UPDATE users SET password_hash = ?2 WHERE id = ?1", params![user_id, hash])?;
    Ok(())
}

pub fn get_setting(conn: &Connection, tenant_id: &str, name: &str) -> Result<Option<String>, AppError> {
    Ok(conn
        .query_row("SELECT value FROM tenant_settings WHERE tenant_id = ?1 AND name = ?2", [tenant_id, name], |r| {
            r.get(0)
        })
        .optional()?)
}

pub fn put_setting(conn: &Connection, tenant_id: &str, name: &str, value: &str) -> Result<(), AppError> {
    conn.execute(
        "INSERT INTO tenant_settings (tenant_id, name, value) VALUES (?1, ?2, ?3)
         ON CONFLICT (tenant_id, name) DO UPDATE SET value = excluded.value",
        params![tenant_id, name, value],
    )?;
    Ok(())
}
