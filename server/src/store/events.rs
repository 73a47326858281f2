//! The outbox of events Sluice produces, kept for webhook delivery.

use crate::error::AppError;
use rusqlite::{params, Connection};

/// How long the outbox keeps an event. Webhook delivery (first attempts, retries, and manual
/// re-sends from the delivery log) works on events younger than this; nothing younger is pruned.
pub const KEEP_MS: u64 = 30 * 24 * 3600 * 1000;

/// Pruning by age across tenants reads this index instead of every row.
pub const AGE_INDEX: &str = "CREATE INDEX events_age ON events(occurred_at);";

pub struct EventRow {
    pub id: String,
    pub event_type: String,
    pub occurred_at: u64,
    pub data: serde_json::Value,
}

/// Records an event Sluice produced; its id is also the `webhook-id` receivers see. The
/// webhook dispatcher fans it out to the tenant's endpoints.
pub fn insert(conn: &Connection, tenant_id: &str, event: &EventRow) -> Result<(), AppError> {
    conn.prepare_cached(
        "INSERT INTO events (id, tenant_id, type, occurred_at, data, event_id, dispatched)
         VALUES (?1, ?2, ?3, ?4, ?5, ?1, 0)",
    )?
    .execute(params![event.id, tenant_id, event.event_type, event.occurred_at as i64, event.data.to_string()])?;
    Ok(())
}

/// Records a published event under the publisher's `event_id`; `false` when the tenant already
/// published that id (nothing is stored or sent again).
pub fn insert_published(
    conn: &Connection,
    tenant_id: &str,
    event: &EventRow,
    event_id: &str,
    dispatched: bool,
) -> Result<bool, AppError> {
    let n = conn
        .prepare_cached(
            "INSERT INTO events (id, tenant_id, type, occurred_at, data, event_id, dispatched)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (tenant_id, event_id) DO NOTHING",
        )?
        .execute(params![
            event.id,
            tenant_id,
            event.event_type,
            event.occurred_at as i64,
            event.data.to_string(),
            event_id,
            dispatched
        ])?;
    Ok(n > 0)
}

/// Newest first, optionally of one type.
pub fn recent(
    conn: &Connection,
    tenant_id: &str,
    event_type: Option<&str>,
    limit: u32,
) -> Result<Vec<EventRow>, AppError> {
    let mut stmt = conn.prepare(
        "SELECT id, type, occurred_at, data FROM events WHERE tenant_id = ?1 AND (?2 IS NULL OR type = ?2)
         ORDER BY occurred_at DESC, rowid DESC LIMIT ?3",
    )?;
    let rows = stmt
        .query_map(params![tenant_id, event_type, limit as i64], |r| {
            let data: String = r.get(3)?;
            Ok(EventRow {
                id: r.get(0)?,
                event_type: r.get(1)?,
                occurred_at: r.get::<_, i64>(2)? as u64,
                data: serde_json::from_str(&data).unwrap_or(serde_json::Value::Null),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Deletes events that occurred before `older_than` (at most `batch` of them, so one prune
/// never holds the connection long); returns how many went.
pub fn prune(conn: &Connection, older_than: u64, batch: u32) -> Result<usize, AppError> {
    Ok(conn.execute(
        "DELETE FROM events WHERE rowid IN (SELECT rowid FROM events WHERE occurred_at < ?1 LIMIT ?2)",
        params![older_than as i64, batch as i64],
    )?)
}
