//! The durable delivery queue. Events are fanned out into deliveries in the transaction that
//! marks them dispatched; workers then use three functions: [`claim_due`] (with a lease, so a
//! crashed worker's claims come back when it runs out), [`complete`] and [`reschedule`].
//! On PostgreSQL the claim becomes `SELECT … FOR UPDATE SKIP LOCKED`; nothing else changes.

use super::EndpointRow;
use crate::error::AppError;
use crate::ids::new_id;
use rusqlite::{params, Connection, Transaction, TransactionBehavior};
use std::collections::HashMap;

/// A delivery a worker now holds until `lease_until`.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub delivery_id: String,
    pub tenant_id: String,
    pub endpoint_id: String,
    pub url: String,
    pub custom_headers: String,
    pub event_id: String,
    pub event_type: String,
    pub occurred_at: u64,
    /// The event's `data`, as stored JSON; `None` when the event was pruned.
    pub data: Option<String>,
    /// Attempts made before this one.
    pub attempts: u32,
    pub trigger: String,
    /// When the endpoint's current run of failures began, if it is failing.
    pub failing_since: Option<u64>,
}

/// Fans up to `max` undispatched events out into one delivery per matching active endpoint of
/// a tenant whose webhooks are on. Answers (tenant, delivery ids) for what it created.
pub fn dispatch(conn: &mut Connection, now: u64, max: u32) -> Result<Vec<(String, Vec<String>)>, AppError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let events: Vec<(String, String, String, String)> = {
        let mut stmt = tx.prepare_cached(
            "SELECT id, tenant_id, event_id, type FROM events WHERE dispatched = 0 ORDER BY occurred_at, rowid LIMIT ?1",
        )?;
        let rows = stmt.query_map([max as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    let mut targets: HashMap<String, Vec<EndpointRow>> = HashMap::new();
    let mut created: HashMap<String, Vec<String>> = HashMap::new();
    for (event_ref, tenant, event_id, event_type) in &events {
        if !targets.contains_key(tenant) {
            let on = super::settings(&tx, tenant)?.enabled;
            let endpoints = if on { active_endpoints(&tx, tenant)? } else { Vec::new() };
            targets.insert(tenant.clone(), endpoints);
        }
        for endpoint in targets[tenant].iter().filter(|e| e.wants(event_type)) {
            let id = new_id("dlv");
            insert_delivery(&tx, &id, tenant, &endpoint.id, event_ref, event_id, event_type, now, None)?;
            created.entry(tenant.clone()).or_default().push(id);
        }
        tx.prepare_cached("UPDATE events SET dispatched = 1 WHERE id = ?1")?.execute([event_ref])?;
    }
    tx.commit()?;
    Ok(created.into_iter().collect())
}

fn active_endpoints(conn: &Connection, tenant_id: &str) -> Result<Vec<EndpointRow>, AppError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {} FROM webhook_endpoints WHERE tenant_id = ?1 AND status = 'active'",
        super::ENDPOINT_COLUMNS
    ))?;
    let rows = stmt.query_map([tenant_id], super::endpoint_row)?.collect::<Result<_, _>>()?;
    Ok(rows)
}

/// A new delivery due now; `lease_until` set means the caller sends it itself (test events).
#[allow(clippy::too_many_arguments)]
pub fn insert_delivery(
    conn: &Connection,
    id: &str,
    tenant_id: &str,
    endpoint_id: &str,
    event_ref: &str,
    event_id: &str,
    event_type: &str,
    now: u64,
    lease_until: Option<u64>,
) -> Result<(), AppError> {
    conn.prepare_cached(
        "INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_ref, event_id, event_type, status,
             created_at, next_attempt_at, lease_until)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?7, ?8)",
    )?
    .execute(params![
        id,
        tenant_id,
        endpoint_id,
        event_ref,
        event_id,
        event_type,
        now as i64,
        lease_until.map(|v| v as i64)
    ])?;
    Ok(())
}

/// Takes up to `max` due deliveries of active endpoints (of tenants whose webhooks are on),
/// oldest due first, at most `per_endpoint` each beyond what `in_flight` already holds, and
/// leases them until `lease_until`.
///
/// Each endpoint with room is read on its own through the per-endpoint due index, so an
/// endpoint at its limit (a slow receiver with a long queue) costs nothing here: a single
/// oldest-first scan over all due rows would walk past its whole backlog on every claim.
/// On PostgreSQL the same shape is one `LATERAL (… ORDER BY next_attempt_at LIMIT room
/// FOR UPDATE SKIP LOCKED)` join over the endpoints.
pub fn claim_due(
    conn: &mut Connection,
    now: u64,
    lease_until: u64,
    max: usize,
    per_endpoint: usize,
    in_flight: &HashMap<String, usize>,
) -> Result<Vec<Claimed>, AppError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let endpoints: Vec<String> = {
        let mut stmt = tx.prepare_cached(
            "SELECT e.id FROM webhook_endpoints e JOIN webhook_config c ON c.tenant_id = e.tenant_id
             WHERE e.status = 'active' AND c.enabled = 1",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    // (due at, delivery id) of every endpoint with room, at most its room each.
    let mut candidates: Vec<(i64, String)> = Vec::new();
    for endpoint in &endpoints {
        let room = per_endpoint.saturating_sub(in_flight.get(endpoint).copied().unwrap_or(0));
        if room == 0 {
            continue;
        }
        let mut stmt = tx.prepare_cached(
            "SELECT next_attempt_at, id FROM webhook_deliveries
             WHERE endpoint_id = ?1 AND status IN ('pending', 'retrying') AND next_attempt_at <= ?2
               AND (lease_until IS NULL OR lease_until <= ?2)
             ORDER BY next_attempt_at LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![endpoint, now as i64, room as i64], |r| Ok((r.get(0)?, r.get(1)?)))?;
        for row in rows {
            candidates.push(row?);
        }
    }
    candidates.sort();
    candidates.truncate(max);
    let mut claimed = Vec::with_capacity(candidates.len());
    for (_, id) in &candidates {
        tx.prepare_cached("UPDATE webhook_deliveries SET lease_until = ?2 WHERE id = ?1")?
            .execute(params![id, lease_until as i64])?;
        claimed.push(load_claimed(&tx, id)?);
    }
    tx.commit()?;
    Ok(claimed)
}

/// A delivery with what sending it needs (used by claims and by the inline test send).
pub fn load_claimed(conn: &Connection, id: &str) -> Result<Claimed, AppError> {
    Ok(conn
        .prepare_cached(
            "SELECT d.id, d.tenant_id, d.endpoint_id, e.url, e.custom_headers, d.event_id, d.event_type,
                COALESCE(ev.occurred_at, d.created_at), ev.data, d.attempts, d.trigger, e.failing_since
         FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
         LEFT JOIN events ev ON ev.id = d.event_ref WHERE d.id = ?1",
        )?
        .query_row([id], |r| {
            Ok(Claimed {
                delivery_id: r.get(0)?,
                tenant_id: r.get(1)?,
                endpoint_id: r.get(2)?,
                url: r.get(3)?,
                custom_headers: r.get(4)?,
                event_id: r.get(5)?,
                event_type: r.get(6)?,
                occurred_at: r.get::<_, i64>(7)? as u64,
                data: r.get(8)?,
                attempts: r.get::<_, i64>(9)? as u32,
                trigger: r.get(10)?,
                failing_since: r.get::<_, Option<i64>>(11)?.map(|v| v as u64),
            })
        })?)
}

/// One attempt as it happened.
#[derive(Debug, Clone)]
pub struct AttemptRecord {
    pub delivery_id: String,
    pub endpoint_id: String,
    pub number: u32,
    pub at: u64,
    pub duration_ms: u64,
    pub ok: bool,
    pub status_code: Option<u16>,
    /// JSON array of `{name, value}`.
    pub response_headers: String,
    pub response_body: Option<String>,
    pub error: Option<String>,
    pub trigger: String,
}

fn insert_attempt(tx: &Transaction, a: &AttemptRecord) -> Result<(), AppError> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO webhook_attempts (delivery_id, number, endpoint_id, at, duration_ms, ok, status_code,
             response_headers, response_body, error, trigger)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        a.delivery_id,
        a.number,
        a.endpoint_id,
        a.at as i64,
        a.duration_ms as i64,
        a.ok,
        a.status_code,
        a.response_headers,
        a.response_body,
        a.error,
        a.trigger
    ])?;
    // An endpoint is "failing since" its first failure after its last success.
    if a.ok {
        tx.prepare_cached("UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ?1")?
            .execute([&a.endpoint_id])?;
    } else {
        tx.prepare_cached("UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, ?2) WHERE id = ?1")?
            .execute(params![a.endpoint_id, a.at as i64])?;
    }
    Ok(())
}

/// The attempt ended the delivery: it succeeded, or failed for good. Releases the lease.
pub fn complete(tx: &Transaction, a: &AttemptRecord) -> Result<(), AppError> {
    insert_attempt(tx, a)?;
    let status = if a.ok { "succeeded" } else { "failed" };
    tx.prepare_cached(
        "UPDATE webhook_deliveries SET status = ?2, attempts = ?3, next_attempt_at = NULL, lease_until = NULL,
             last_attempt_at = ?4, last_status_code = ?5, last_error = ?6
         WHERE id = ?1",
    )?
    .execute(params![a.delivery_id, status, a.number, a.at as i64, a.status_code, a.error])?;
    Ok(())
}

/// The attempt failed and another comes at `next_at`. Releases the lease.
pub fn reschedule(tx: &Transaction, a: &AttemptRecord, next_at: u64) -> Result<(), AppError> {
    insert_attempt(tx, a)?;
    tx.prepare_cached(
        // An endpoint disabled while this attempt was in flight takes no retry: the delivery
        // fails (kept in the log, retryable once the endpoint is on again).
        "UPDATE webhook_deliveries SET attempts = ?2, next_attempt_at = ?3, lease_until = NULL,
             last_attempt_at = ?4, last_status_code = ?5, last_error = ?6,
             status = CASE WHEN (SELECT status FROM webhook_endpoints WHERE id = endpoint_id) = 'disabled'
                           THEN 'failed' ELSE 'retrying' END
         WHERE id = ?1",
    )?
    .execute(params![a.delivery_id, a.number, next_at as i64, a.at as i64, a.status_code, a.error])?;
    Ok(())
}

/// Turns an endpoint off and fails what was waiting for it (kept in the log, retryable later).
pub fn disable_endpoint(tx: &Transaction, endpoint_id: &str, reason: &str) -> Result<u64, AppError> {
    tx.prepare_cached("UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = ?2 WHERE id = ?1")?
        .execute(params![endpoint_id, reason])?;
    let failed = tx
        .prepare_cached(
            "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL,
                 last_error = 'Not sent: the endpoint was disabled (' || ?2 || ').'
             WHERE endpoint_id = ?1 AND status IN ('pending', 'retrying') AND lease_until IS NULL",
        )?
        .execute(params![endpoint_id, reason])?;
    Ok(failed as u64)
}

/// The last error recorded for an endpoint.
pub fn last_error(conn: &Connection, endpoint_id: &str) -> Result<Option<String>, AppError> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row(
            "SELECT error FROM webhook_attempts WHERE endpoint_id = ?1 AND ok = 0 ORDER BY at DESC LIMIT 1",
            [endpoint_id],
            |r| r.get(0),
        )
        .optional()?
        .flatten())
}

/// At start-up with the embedded SQLite store (one process per database), every lease belongs
/// to a process that is gone: release them so that work resumes at once instead of after the
/// lease. A shared PostgreSQL store would skip this and let leases run out.
pub fn release_all_leases(conn: &Connection) -> Result<u64, AppError> {
    Ok(conn.execute("UPDATE webhook_deliveries SET lease_until = NULL WHERE lease_until IS NOT NULL", [])? as u64)
}

/// Deletes up to `batch` of a tenant's deliveries that succeeded before `older_than`, with
/// their attempts (one transaction); answers how many deliveries went. Only `succeeded` rows
/// are candidates (through their own partial index): queued and failed ones always stay.
pub fn prune_succeeded(
    conn: &mut Connection,
    tenant_id: &str,
    older_than: u64,
    batch: usize,
) -> Result<usize, AppError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let ids: Vec<String> = {
        let mut stmt = tx.prepare_cached(
            "SELECT id FROM webhook_deliveries
             WHERE tenant_id = ?1 AND status = 'succeeded' AND last_attempt_at < ?2 LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![tenant_id, older_than as i64, batch as i64], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    for id in &ids {
        tx.prepare_cached("DELETE FROM webhook_attempts WHERE delivery_id = ?1")?.execute([id])?;
        tx.prepare_cached("DELETE FROM webhook_deliveries WHERE id = ?1")?.execute([id])?;
    }
    tx.commit()?;
    Ok(ids.len())
}
