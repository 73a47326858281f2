//! The delivery log: filtered, keyset-paginated deliveries, one delivery's attempts, endpoint
//! health, and sending things again (one delivery, or every failed one since a time).

use crate::clock::rfc3339;
use crate::error::AppError;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};
use sluice_contract::webhooks::{Attempt, CustomHeader, Delivery, DeliveryStatus, EndpointHealth, RetryBatch};

#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub status: Option<DeliveryStatus>,
    pub event_type: Option<String>,
    pub endpoint_id: Option<String>,
    pub event_id: Option<String>,
    pub since: Option<u64>,
    pub until: Option<u64>,
}

const COLUMNS: &str = "d.id, d.event_id, d.event_type, d.endpoint_id, e.url, d.status, d.attempts, d.created_at,
    d.last_attempt_at, d.next_attempt_at, d.last_status_code, d.last_error";

fn delivery_row(r: &Row) -> rusqlite::Result<Delivery> {
    let ts = |v: Option<i64>| v.map(|ms| rfc3339(ms as u64));
    let status: String = r.get(5)?;
    Ok(Delivery {
        id: r.get(0)?,
        event_id: r.get(1)?,
        event_type: r.get(2)?,
        endpoint_id: r.get(3)?,
        endpoint_url: r.get::<_, Option<String>>(4)?.unwrap_or_else(|| "(deleted endpoint)".into()),
        status: DeliveryStatus::parse(&status).unwrap_or(DeliveryStatus::Pending),
        attempts: r.get::<_, i64>(6)? as u32,
        created_at: rfc3339(r.get::<_, i64>(7)? as u64),
        last_attempt_at: ts(r.get(8)?),
        next_attempt_at: if status == "pending" || status == "retrying" { ts(r.get(9)?) } else { None },
        last_status_code: r.get(10)?,
        last_error: r.get(11)?,
    })
}

/// Newest first; `before` is the (created_at, id) of the previous page's last row.
pub fn list(
    conn: &Connection,
    tenant_id: &str,
    f: &LogFilter,
    limit: u32,
    before: Option<(i64, String)>,
) -> Result<Vec<(i64, Delivery)>, AppError> {
    let mut sql = format!(
        "SELECT {COLUMNS} FROM webhook_deliveries d LEFT JOIN webhook_endpoints e ON e.id = d.endpoint_id
         WHERE d.tenant_id = ?"
    );
    let mut args: Vec<rusqlite::types::Value> = vec![tenant_id.to_string().into()];
    let mut add = |clause: &str, v: rusqlite::types::Value| {
        sql.push_str(clause);
        args.push(v);
    };
    if let Some(s) = f.status {
        add(" AND d.status = ?", s.as_str().to_string().into());
    }
    if let Some(t) = &f.event_type {
        add(" AND d.event_type = ?", t.clone().into());
    }
    if let Some(e) = &f.endpoint_id {
        add(" AND d.endpoint_id = ?", e.clone().into());
    }
    if let Some(e) = &f.event_id {
        add(" AND d.event_id = ?", e.clone().into());
    }
    if let Some(t) = f.since {
        add(" AND d.created_at >= ?", (t as i64).into());
    }
    if let Some(t) = f.until {
        add(" AND d.created_at < ?", (t as i64).into());
    }
    if let Some((at, id)) = before {
        sql.push_str(" AND (d.created_at, d.id) < (?, ?)");
        args.push(at.into());
        args.push(id.into());
    }
    sql.push_str(" ORDER BY d.created_at DESC, d.id DESC LIMIT ?");
    args.push((limit as i64).into());
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt
        .query_map(params_from_iter(args), |r| Ok((r.get::<_, i64>(7)?, delivery_row(r)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

pub fn get(conn: &Connection, tenant_id: &str, id: &str) -> Result<Option<Delivery>, AppError> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {COLUMNS} FROM webhook_deliveries d LEFT JOIN webhook_endpoints e ON e.id = d.endpoint_id
                 WHERE d.tenant_id = ?1 AND d.id = ?2"
            ),
            [tenant_id, id],
            delivery_row,
        )
        .optional()?)
}

/// Newest first.
pub fn attempts(conn: &Connection, delivery_id: &str) -> Result<Vec<Attempt>, AppError> {
    let mut stmt = conn.prepare(
        "SELECT number, at, duration_ms, ok, status_code, response_headers, response_body, error, trigger
         FROM webhook_attempts WHERE delivery_id = ?1 ORDER BY number DESC",
    )?;
    let rows = stmt
        .query_map([delivery_id], |r| {
            let headers: Option<String> = r.get(5)?;
            Ok(Attempt {
                number: r.get::<_, i64>(0)? as u32,
                at: rfc3339(r.get::<_, i64>(1)? as u64),
                duration_ms: r.get::<_, i64>(2)? as u64,
                ok: r.get(3)?,
                status_code: r.get(4)?,
                response_headers: headers
                    .and_then(|h| serde_json::from_str::<Vec<CustomHeader>>(&h).ok())
                    .unwrap_or_default(),
                response_body: r.get(6)?,
                error: r.get(7)?,
                trigger: r.get(8)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The event's JSON `data` and when it happened; `None` once the event has been pruned.
pub fn event_of(conn: &Connection, delivery_id: &str) -> Result<Option<(String, u64)>, AppError> {
    Ok(conn
        .query_row(
            "SELECT ev.data, ev.occurred_at FROM webhook_deliveries d JOIN events ev ON ev.id = d.event_ref WHERE d.id = ?1",
            [delivery_id],
            |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)),
        )
        .optional()?)
}

/// Attempts of the last 24 hours per hour (oldest first), and the last success and failure.
pub fn health(conn: &Connection, endpoint_id: &str, now: u64) -> Result<EndpointHealth, AppError> {
    const HOUR: u64 = 3_600_000;
    let start = now.saturating_sub(24 * HOUR);
    let mut ok_per_hour = vec![0u32; 24];
    let mut failed_per_hour = vec![0u32; 24];
    let mut stmt = conn.prepare_cached(
        "SELECT (at - ?2) / 3600000, ok, COUNT(*) FROM webhook_attempts WHERE endpoint_id = ?1 AND at > ?2 GROUP BY 1, 2",
    )?;
    let rows = stmt.query_map(params![endpoint_id, start as i64], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, bool>(1)?, r.get::<_, i64>(2)?))
    })?;
    for row in rows {
        let (hour, ok, n) = row?;
        let slot = (hour.clamp(0, 23)) as usize;
        if ok {
            ok_per_hour[slot] += n as u32;
        } else {
            failed_per_hour[slot] += n as u32;
        }
    }
    let last = |ok: bool| -> Result<Option<(u64, Option<String>)>, AppError> {
        Ok(conn
            .prepare_cached(
                "SELECT at, error FROM webhook_attempts WHERE endpoint_id = ?1 AND ok = ?2 ORDER BY at DESC LIMIT 1",
            )?
            .query_row(params![endpoint_id, ok], |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)))
            .optional()?)
    };
    let success = last(true)?;
    let failure = last(false)?;
    let successes: u64 = ok_per_hour.iter().map(|&n| n as u64).sum();
    let failures: u64 = failed_per_hour.iter().map(|&n| n as u64).sum();
    Ok(EndpointHealth {
        attempts_24h: successes + failures,
        successes_24h: successes,
        hourly_successes: ok_per_hour,
        hourly_failures: failed_per_hour,
        last_success_at: success.map(|(at, _)| rfc3339(at)),
        last_failure_at: failure.as_ref().map(|(at, _)| rfc3339(*at)),
        last_error: failure.and_then(|(_, e)| e),
    })
}

/// Sends a delivery again now, whatever its state (the endpoint must be active for it to go).
pub fn redeliver(conn: &Connection, tenant_id: &str, id: &str, now: u64, trigger: &str) -> Result<bool, AppError> {
    Ok(conn.execute(
        "UPDATE webhook_deliveries SET status = CASE WHEN attempts = 0 THEN 'pending' ELSE 'retrying' END,
             next_attempt_at = ?3, lease_until = NULL, trigger = ?4
         WHERE tenant_id = ?1 AND id = ?2",
        params![tenant_id, id, now as i64, trigger],
    )? > 0)
}

/// Failed deliveries since a time, of endpoints that still exist (a deleted one's stay in the log).
const FAILED_SINCE: &str =
    "tenant_id = ?1 AND status = 'failed' AND created_at >= ?2 AND (?3 IS NULL OR endpoint_id = ?3)
     AND endpoint_id IN (SELECT id FROM webhook_endpoints)";

/// How many failed deliveries a bulk retry would send again.
pub fn count_failed_since(
    conn: &Connection,
    tenant_id: &str,
    since: u64,
    endpoint: Option<&str>,
) -> Result<u64, AppError> {
    Ok(conn.query_row(
        &format!("SELECT COUNT(*) FROM webhook_deliveries WHERE {FAILED_SINCE}"),
        params![tenant_id, since as i64, endpoint],
        |r| r.get::<_, i64>(0),
    )? as u64)
}

/// Marks every failed delivery since `since` due now, tagged with `batch` for progress.
pub fn retry_failed_since(
    conn: &Connection,
    tenant_id: &str,
    since: u64,
    endpoint: Option<&str>,
    batch: &str,
    now: u64,
    trigger: &str,
) -> Result<u64, AppError> {
    Ok(conn.execute(
        &format!(
            "UPDATE webhook_deliveries SET status = 'retrying', next_attempt_at = ?4, lease_until = NULL,
                 retry_batch = ?5, trigger = ?6
             WHERE {FAILED_SINCE}"
        ),
        params![tenant_id, since as i64, endpoint, now as i64, batch, trigger],
    )? as u64)
}

pub fn batch_progress(conn: &Connection, tenant_id: &str, batch: &str) -> Result<Option<RetryBatch>, AppError> {
    let (total, succeeded, failed): (i64, i64, i64) = conn.query_row(
        "SELECT COUNT(*), COALESCE(SUM(status = 'succeeded'), 0), COALESCE(SUM(status = 'failed'), 0)
         FROM webhook_deliveries WHERE tenant_id = ?1 AND retry_batch = ?2",
        params![tenant_id, batch],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    if total == 0 {
        return Ok(None);
    }
    let (total, succeeded, failed) = (total as u64, succeeded as u64, failed as u64);
    Ok(Some(RetryBatch { id: Some(batch.to_string()), total, succeeded, failed, pending: total - succeeded - failed }))
}

/// Deliveries waiting for an attempt.
pub fn queued(conn: &Connection, tenant_id: &str) -> Result<u64, AppError> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM webhook_deliveries WHERE tenant_id = ?1 AND status IN ('pending', 'retrying')",
        [tenant_id],
        |r| r.get::<_, i64>(0),
    )? as u64)
}

/// Event types this tenant has published, with the latest payload of each as its example.
pub fn tenant_event_types(conn: &Connection, tenant_id: &str) -> Result<Vec<(String, String)>, AppError> {
    let mut stmt = conn.prepare(
        "SELECT type, data FROM events e WHERE tenant_id = ?1 AND type NOT LIKE 'issue.%' AND type NOT LIKE 'sluice.%'
           AND type NOT LIKE 'distributor.%' AND type NOT LIKE 'integration.%'
           AND rowid = (SELECT MAX(rowid) FROM events WHERE tenant_id = ?1 AND type = e.type)
         ORDER BY type LIMIT 200",
    )?;
    let rows = stmt.query_map([tenant_id], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
    Ok(rows)
}
