//! The filtered, keyset-paginated list and the counts: the queries Tools > Issues waits on.

use super::{from_row, COLUMNS};
use crate::error::AppError;
use rusqlite::{params_from_iter, Connection};
use sluice_contract::issues::{Area, Issue, IssueCounts, IssueStatus, Severity};

/// Which issues a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    /// Open and acknowledged.
    Active,
    One(IssueStatus),
    All,
}

#[derive(Debug, Clone)]
pub struct ListFilter {
    pub status: StatusFilter,
    pub area: Option<Area>,
    pub severity: Option<Severity>,
    /// One entity's issues (its id within the area).
    pub entity: Option<String>,
    /// Matched case-insensitively against title, message and entity name.
    pub q: Option<String>,
}

/// The raw sort key of a listed issue, (last_seen_at, id): what the next page starts after.
pub type ListKey = (i64, String);

/// Newest first by last seen, each with its [`ListKey`]; `before` is the previous page's last.
pub fn list(
    conn: &Connection,
    tenant_id: &str,
    filter: &ListFilter,
    limit: u32,
    before: Option<ListKey>,
) -> Result<Vec<(ListKey, Issue)>, AppError> {
    let mut sql = format!("SELECT {COLUMNS} FROM issues WHERE tenant_id = ?");
    let mut args: Vec<rusqlite::types::Value> = vec![tenant_id.to_string().into()];
    match filter.status {
        StatusFilter::Active => sql.push_str(" AND active = 1"),
        StatusFilter::One(status) => {
            // Keeps the area index usable (it has `active`, not `status`).
            sql.push_str(if status.is_active() { " AND active = 1" } else { " AND active = 0" });
            sql.push_str(" AND status = ?");
            args.push(status.as_str().to_string().into());
        }
        StatusFilter::All => {}
    }
    if let Some(area) = filter.area {
        sql.push_str(" AND area = ?");
        args.push(area.as_str().to_string().into());
    }
    if let Some(severity) = filter.severity {
        sql.push_str(" AND severity = ?");
        args.push(severity.as_str().to_string().into());
    }
    if let Some(entity) = &filter.entity {
        sql.push_str(" AND entity_id = ?");
        args.push(entity.clone().into());
    }
    if let Some(q) = &filter.q {
        if q.chars().count() >= 3 {
            // A quoted phrase of trigrams: a case-insensitive substring match through the index.
            sql.push_str(" AND search_id IN (SELECT rowid FROM issues_search WHERE issues_search MATCH ?)");
            args.push(format!("\"{}\"", q.replace('"', "\"\"")).into());
        } else {
            sql.push_str(
                r" AND (title LIKE ? ESCAPE '\' OR message LIKE ? ESCAPE '\' OR entity_name LIKE ? ESCAPE '\')",
            );
            let pattern = format!("%{}%", q.replace('\\', r"\\").replace('%', r"\%").replace('_', r"\_"));
            args.extend(std::iter::repeat_n(pattern.into(), 3));
        }
    }
    if let Some((ts, id)) = before {
        sql.push_str(" AND (last_seen_at, id) < (?, ?)");
        args.push(ts.into());
        args.push(id.into());
    }
    sql.push_str(&format!(" ORDER BY last_seen_at DESC, id DESC LIMIT {limit}"));
    let searching = filter.q.is_some();
    let run = || -> rusqlite::Result<Vec<(ListKey, Issue)>> {
        let mut stmt = conn.prepare_cached(&sql)?;
        let keyed = |r: &rusqlite::Row| Ok(((r.get::<_, i64>(11)?, r.get::<_, String>(0)?), from_row(r)?));
        let rows = stmt.query_map(params_from_iter(args), keyed)?.collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    };
    run().map_err(|e| match e {
        // The full-text engine refusing a search string is the search's fault, not the server's.
        rusqlite::Error::SqliteFailure(f, _) if searching && f.code == rusqlite::ErrorCode::Unknown => {
            tracing::info!(error = %e, "search refused by the full-text index");
            AppError::field("q", "This search cannot be run; try other words.")
        }
        other => other.into(),
    })
}

/// Active issues per area and all issues per status, zeros included, so every tab has a number.
pub fn counts(conn: &Connection, tenant_id: &str) -> Result<IssueCounts, AppError> {
    let mut counts = IssueCounts::default();
    for area in Area::ALL {
        counts.by_area.insert(area.as_str().to_string(), 0);
    }
    for status in IssueStatus::ALL {
        counts.by_status.insert(status.as_str().to_string(), 0);
    }
    let mut stmt =
        conn.prepare_cached("SELECT area, status, COUNT(*) FROM issues WHERE tenant_id = ?1 GROUP BY status, area")?;
    let mut rows = stmt.query([tenant_id])?;
    while let Some(r) = rows.next()? {
        let (area, status, n): (String, String, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
        *counts.by_status.entry(status.clone()).or_default() += n as u64;
        if IssueStatus::parse(&status).is_some_and(IssueStatus::is_active) {
            *counts.by_area.entry(area).or_default() += n as u64;
            counts.active += n as u64;
        }
    }
    Ok(counts)
}
