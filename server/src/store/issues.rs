//! Issues: one row per stable key (tenant, area, entity, kind), with its recent occurrences.
//!
//! The lifecycle rules live in the Issues area; these functions only read and write rows.

use crate::clock::rfc3339;
use crate::error::AppError;
use rusqlite::{params, Connection, OptionalExtension, Row};
use sluice_contract::issues::{Area, EntityRef, Issue, IssueStatus, Occurrence, Report, RetryOutcome, Severity};

/// How many occurrences each issue keeps (its history).
pub const HISTORY: u32 = 50;

mod list;
mod seed;
pub use list::{counts, list, ListFilter, ListKey, StatusFilter};
pub use seed::{insert_as_is, insert_occurrence_as_is};

pub const MIGRATION: &str = r#"
CREATE TABLE issues (
    id                 TEXT PRIMARY KEY,
    tenant_id          TEXT NOT NULL,
    area               TEXT NOT NULL,
    kind               TEXT NOT NULL,
    entity_kind        TEXT NOT NULL,
    entity_id          TEXT NOT NULL,
    entity_name        TEXT NOT NULL,
    entity_link        TEXT NOT NULL,
    severity           TEXT NOT NULL,
    title              TEXT NOT NULL,
    message            TEXT NOT NULL,
    first_seen_at      INTEGER NOT NULL,
    last_seen_at       INTEGER NOT NULL,
    occurrences        INTEGER NOT NULL,
    status             TEXT NOT NULL,
    acknowledged_by    TEXT,
    acknowledged_at    INTEGER,
    dismissed_by       TEXT,
    dismissed_at       INTEGER,
    resolved_at        INTEGER,
    resolution         TEXT,
    last_retry_at      INTEGER,
    last_retry_ok      INTEGER,
    last_retry_message TEXT,
    -- Open or acknowledged: lets "active" be one index range instead of two merged ones.
    active             INTEGER GENERATED ALWAYS AS (status IN ('open', 'acknowledged')) VIRTUAL,
    UNIQUE (tenant_id, area, entity_id, kind)
);
-- Keyset pagination newest first: the default (active), one status, one area's tab, and all.
CREATE INDEX issues_active ON issues(tenant_id, active, last_seen_at DESC, id DESC);
CREATE INDEX issues_status ON issues(tenant_id, status, last_seen_at DESC, id DESC);
CREATE INDEX issues_area ON issues(tenant_id, area, active, last_seen_at DESC, id DESC);
CREATE INDEX issues_recent ON issues(tenant_id, last_seen_at DESC, id DESC);
-- Covers the counts (tabs and badge); status and area rarely change, so it is cheap to keep.
CREATE INDEX issues_counts ON issues(tenant_id, status, area);

CREATE TABLE issue_occurrences (
    id        INTEGER PRIMARY KEY,
    issue_id  TEXT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    at        INTEGER NOT NULL,
    message   TEXT NOT NULL
);
-- With the implicit rowid, this also orders one issue's occurrences newest first.
CREATE INDEX issue_occurrences_issue ON issue_occurrences(issue_id);
"#;

/// Text search: a trigram index over what the admin reads (title, message, entity name), so a
/// search that matches nothing costs an index probe, not a scan of every row. Searches shorter
/// than a trigram fall back to `LIKE`.
pub const SEARCH_MIGRATION: &str = r#"
CREATE VIRTUAL TABLE issues_search USING fts5(
    title, message, entity_name, content = 'issues', content_rowid = 'rowid', tokenize = 'trigram'
);
INSERT INTO issues_search (issues_search) VALUES ('rebuild');
CREATE TRIGGER issues_search_insert AFTER INSERT ON issues BEGIN
    INSERT INTO issues_search (rowid, title, message, entity_name) VALUES (new.rowid, new.title, new.message, new.entity_name);
END;
CREATE TRIGGER issues_search_delete AFTER DELETE ON issues BEGIN
    INSERT INTO issues_search (issues_search, rowid, title, message, entity_name)
        VALUES ('delete', old.rowid, old.title, old.message, old.entity_name);
END;
CREATE TRIGGER issues_search_update AFTER UPDATE OF title, message, entity_name ON issues BEGIN
    INSERT INTO issues_search (issues_search, rowid, title, message, entity_name)
        VALUES ('delete', old.rowid, old.title, old.message, old.entity_name);
    INSERT INTO issues_search (rowid, title, message, entity_name) VALUES (new.rowid, new.title, new.message, new.entity_name);
END;
"#;

/// The search index keyed on an explicit column instead of the implicit rowid, which SQLite
/// may renumber (`VACUUM` on a table without an INTEGER PRIMARY KEY, a dump and reload) while
/// the index keeps the old numbers and would answer with the wrong issues.
pub const SEARCH_KEY_MIGRATION: &str = r#"
ALTER TABLE issues ADD COLUMN search_id INTEGER;
UPDATE issues SET search_id = rowid;
CREATE UNIQUE INDEX issues_search_id ON issues(search_id);
DROP TRIGGER issues_search_insert;
DROP TRIGGER issues_search_delete;
DROP TRIGGER issues_search_update;
DROP TABLE issues_search;
CREATE VIRTUAL TABLE issues_search USING fts5(
    title, message, entity_name, content = 'issues', content_rowid = 'search_id', tokenize = 'trigram'
);
INSERT INTO issues_search (issues_search) VALUES ('rebuild');
CREATE TRIGGER issues_search_insert AFTER INSERT ON issues BEGIN
    UPDATE issues SET search_id = (SELECT COALESCE(MAX(search_id), 0) + 1 FROM issues) WHERE id = new.id;
    INSERT INTO issues_search (rowid, title, message, entity_name)
        SELECT search_id, title, message, entity_name FROM issues WHERE id = new.id;
END;
CREATE TRIGGER issues_search_delete AFTER DELETE ON issues BEGIN
    INSERT INTO issues_search (issues_search, rowid, title, message, entity_name)
        VALUES ('delete', old.search_id, old.title, old.message, old.entity_name);
END;
CREATE TRIGGER issues_search_update AFTER UPDATE OF title, message, entity_name ON issues BEGIN
    INSERT INTO issues_search (issues_search, rowid, title, message, entity_name)
        VALUES ('delete', old.search_id, old.title, old.message, old.entity_name);
    INSERT INTO issues_search (rowid, title, message, entity_name)
        VALUES (new.search_id, new.title, new.message, new.entity_name);
END;
"#;

pub(super) const COLUMNS: &str =
    "id, area, kind, entity_kind, entity_id, entity_name, entity_link, severity, title, message, \
    first_seen_at, last_seen_at, occurrences, status, acknowledged_by, acknowledged_at, dismissed_by, dismissed_at, \
    resolved_at, resolution, last_retry_at, last_retry_ok, last_retry_message";

fn bad_value(column: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, format!("unknown {what}").into())
}

/// `can_retry` is left false: whether an area can retry is known to the registry, not the row.
pub(super) fn from_row(r: &Row) -> rusqlite::Result<Issue> {
    let ts = |v: Option<i64>| v.map(|ms| rfc3339(ms as u64));
    let area: String = r.get(1)?;
    let severity: String = r.get(7)?;
    let status: String = r.get(13)?;
    let retry_at: Option<i64> = r.get(20)?;
    Ok(Issue {
        id: r.get(0)?,
        area: Area::parse(&area).ok_or_else(|| bad_value(1, "area"))?,
        kind: r.get(2)?,
        entity: EntityRef { kind: r.get(3)?, id: r.get(4)?, name: r.get(5)?, link: r.get(6)? },
        severity: Severity::parse(&severity).ok_or_else(|| bad_value(7, "severity"))?,
        title: r.get(8)?,
        message: r.get(9)?,
        first_seen_at: rfc3339(r.get::<_, i64>(10)? as u64),
        last_seen_at: rfc3339(r.get::<_, i64>(11)? as u64),
        occurrences: r.get::<_, i64>(12)? as u64,
        status: IssueStatus::parse(&status).ok_or_else(|| bad_value(13, "status"))?,
        acknowledged_by: r.get(14)?,
        acknowledged_at: ts(r.get(15)?),
        dismissed_by: r.get(16)?,
        dismissed_at: ts(r.get(17)?),
        resolved_at: ts(r.get(18)?),
        resolution: r.get(19)?,
        can_retry: false,
        last_retry: match retry_at {
            Some(at) => Some(RetryOutcome {
                at: rfc3339(at as u64),
                ok: r.get::<_, Option<bool>>(21)?.unwrap_or(false),
                message: r.get::<_, Option<String>>(22)?.unwrap_or_default(),
            }),
            None => None,
        },
    })
}

pub fn get(conn: &Connection, tenant_id: &str, id: &str) -> Result<Option<Issue>, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM issues WHERE tenant_id = ?1 AND id = ?2");
    Ok(conn.query_row(&sql, [tenant_id, id], from_row).optional()?)
}

pub fn find_by_key(
    conn: &Connection,
    tenant_id: &str,
    area: Area,
    entity_id: &str,
    kind: &str,
) -> Result<Option<Issue>, AppError> {
    let sql =
        format!("SELECT {COLUMNS} FROM issues WHERE tenant_id = ?1 AND area = ?2 AND entity_id = ?3 AND kind = ?4");
    Ok(conn.query_row(&sql, params![tenant_id, area.as_str(), entity_id, kind], from_row).optional()?)
}

/// A new issue from its first occurrence.
pub fn insert(conn: &Connection, id: &str, tenant_id: &str, report: &Report, now: u64) -> Result<(), AppError> {
    conn.prepare_cached(
        "INSERT INTO issues (id, tenant_id, area, kind, entity_kind, entity_id, entity_name, entity_link, severity,
             title, message, first_seen_at, last_seen_at, occurrences, status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, 1, 'open')",
    )?
    .execute(params![
        id,
        tenant_id,
        report.area().as_str(),
        report.kind.as_str(),
        report.entity.kind,
        report.entity.id,
        report.entity.name,
        report.entity.link,
        report.severity.as_str(),
        report.title,
        report.message,
        now as i64,
    ])?;
    Ok(())
}

/// Another occurrence of an existing issue: counted, latest text and severity kept. With
/// `reopen`, a closed issue becomes open again and forgets how it was closed.
pub fn recur(conn: &Connection, id: &str, report: &Report, now: u64, reopen: bool) -> Result<(), AppError> {
    let reopen_sql = if reopen {
        ", status = 'open', acknowledged_by = NULL, acknowledged_at = NULL, dismissed_by = NULL, dismissed_at = NULL,
           resolved_at = NULL, resolution = NULL, last_retry_at = NULL, last_retry_ok = NULL, last_retry_message = NULL"
    } else {
        ""
    };
    conn.execute(
        &format!(
            "UPDATE issues SET occurrences = occurrences + 1, last_seen_at = MAX(last_seen_at, ?2), severity = ?3,
                 title = ?4, message = ?5, entity_kind = ?6, entity_name = ?7, entity_link = ?8{reopen_sql}
             WHERE id = ?1"
        ),
        params![
            id,
            now as i64,
            report.severity.as_str(),
            report.title,
            report.message,
            report.entity.kind,
            report.entity.name,
            report.entity.link
        ],
    )?;
    Ok(())
}

/// Records one occurrence and drops those beyond the last [`HISTORY`].
pub fn add_occurrence(conn: &Connection, issue_id: &str, at: u64, message: &str) -> Result<(), AppError> {
    conn.prepare_cached("INSERT INTO issue_occurrences (issue_id, at, message) VALUES (?1, ?2, ?3)")?
        .execute(params![issue_id, at as i64, message])?;
    conn.prepare_cached(
        "DELETE FROM issue_occurrences WHERE issue_id = ?1 AND id <= (
             SELECT id FROM issue_occurrences WHERE issue_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
    )?
    .execute(params![issue_id, HISTORY])?;
    Ok(())
}

/// The last [`HISTORY`] occurrences, newest first.
pub fn history(conn: &Connection, issue_id: &str) -> Result<Vec<Occurrence>, AppError> {
    let mut stmt =
        conn.prepare_cached("SELECT at, message FROM issue_occurrences WHERE issue_id = ?1 ORDER BY id DESC LIMIT ?2")?;
    let rows = stmt
        .query_map(params![issue_id, HISTORY], |r| {
            Ok(Occurrence { at: rfc3339(r.get::<_, i64>(0)? as u64), message: r.get(1)? })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub fn resolve(conn: &Connection, id: &str, now: u64, resolution: &str) -> Result<(), AppError> {
    conn.execute(
        "UPDATE issues SET status = 'resolved', resolved_at = ?2, resolution = ?3 WHERE id = ?1",
        params![id, now as i64, resolution],
    )?;
    Ok(())
}

pub fn acknowledge(conn: &Connection, id: &str, by: &str, now: u64) -> Result<(), AppError> {
    conn.execute(
        "UPDATE issues SET status = 'acknowledged', acknowledged_by = ?2, acknowledged_at = ?3 WHERE id = ?1",
        params![id, by, now as i64],
    )?;
    Ok(())
}

pub fn dismiss(conn: &Connection, id: &str, by: &str, now: u64) -> Result<(), AppError> {
    conn.execute(
        "UPDATE issues SET status = 'dismissed', dismissed_by = ?2, dismissed_at = ?3 WHERE id = ?1",
        params![id, by, now as i64],
    )?;
    Ok(())
}

pub fn record_retry(conn: &Connection, id: &str, now: u64, ok: bool, message: &str) -> Result<(), AppError> {
    conn.execute(
        "UPDATE issues SET last_retry_at = ?2, last_retry_ok = ?3, last_retry_message = ?4 WHERE id = ?1",
        params![id, now as i64, ok, message],
    )?;
    Ok(())
}
