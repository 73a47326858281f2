//! Seeding for benchmarks and demo data: rows as given, without the lifecycle.

use super::insert;
use crate::error::AppError;
use rusqlite::{params, Connection};
use sluice_contract::issues::{IssueStatus, Report};

/// Bulk loading for benchmarks and demo data: a row as given, no lifecycle, no events.
/// Call inside one transaction; the statements are cached.
#[allow(clippy::too_many_arguments)]
pub fn insert_as_is(
    conn: &Connection,
    id: &str,
    tenant_id: &str,
    report: &Report,
    status: IssueStatus,
    first_seen: u64,
    last_seen: u64,
    occurrences: u64,
) -> Result<(), AppError> {
    insert(conn, id, tenant_id, report, first_seen)?;
    conn.prepare_cached("UPDATE issues SET status = ?2, last_seen_at = ?3, occurrences = ?4 WHERE id = ?1")?
        .execute(params![id, status.as_str(), last_seen as i64, occurrences as i64])?;
    Ok(())
}

/// One occurrence without pruning (bulk loading only).
pub fn insert_occurrence_as_is(conn: &Connection, issue_id: &str, at: u64, message: &str) -> Result<(), AppError> {
    conn.prepare_cached("INSERT INTO issue_occurrences (issue_id, at, message) VALUES (?1, ?2, ?3)")?
        .execute(params![issue_id, at as i64, message])?;
    Ok(())
}
