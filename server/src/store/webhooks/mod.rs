//! Webhooks: the tenant's switch and policy, endpoints with their sealed secrets, the delivery
//! queue and the attempt log. Secrets arrive here already sealed; this module never sees them.

pub mod log;
pub mod queue;

use crate::clock::rfc3339;
use crate::error::AppError;
use rusqlite::{params, Connection, OptionalExtension, Row};
use sluice_contract::webhooks::{CustomHeader, Endpoint, EndpointHealth, EndpointStatus, WebhookSettings};

pub const MIGRATION: &str = r#"
-- Events carry the id receivers see (`webhook-id`): Sluice's own, or the one a publisher gave.
ALTER TABLE events ADD COLUMN event_id TEXT;
-- Rows from before webhooks existed are history, not something to send now.
ALTER TABLE events ADD COLUMN dispatched INTEGER NOT NULL DEFAULT 1;
UPDATE events SET event_id = id;
CREATE UNIQUE INDEX events_event_id ON events(tenant_id, event_id);
CREATE INDEX events_undispatched ON events(occurred_at) WHERE dispatched = 0;
CREATE INDEX events_type ON events(tenant_id, type);

CREATE TABLE webhook_config (
    tenant_id  TEXT PRIMARY KEY REFERENCES tenants(id),
    enabled    INTEGER NOT NULL,
    policy     TEXT NOT NULL
);

CREATE TABLE webhook_endpoints (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    url             TEXT NOT NULL,
    description     TEXT NOT NULL,
    event_types     TEXT NOT NULL,
    custom_headers  TEXT NOT NULL,
    status          TEXT NOT NULL,
    disabled_reason TEXT,
    failing_since   INTEGER,
    created_at      INTEGER NOT NULL
);
CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints(tenant_id, created_at);

CREATE TABLE webhook_secrets (
    endpoint_id  TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    sealed       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER
);
CREATE INDEX webhook_secrets_endpoint ON webhook_secrets(endpoint_id);

CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL,
    endpoint_id      TEXT NOT NULL,
    event_ref        TEXT NOT NULL,
    event_id         TEXT NOT NULL,
    event_type       TEXT NOT NULL,
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    next_attempt_at  INTEGER,
    lease_until      INTEGER,
    last_attempt_at  INTEGER,
    last_status_code INTEGER,
    last_error       TEXT,
    trigger          TEXT NOT NULL DEFAULT 'scheduled',
    retry_batch      TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE status IN ('pending', 'retrying');
CREATE INDEX webhook_deliveries_log ON webhook_deliveries(tenant_id, created_at, id);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id, status, created_at);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries(tenant_id, event_id);
CREATE INDEX webhook_deliveries_batch ON webhook_deliveries(retry_batch) WHERE retry_batch IS NOT NULL;

CREATE TABLE webhook_attempts (
    delivery_id      TEXT NOT NULL,
    number           INTEGER NOT NULL,
    endpoint_id      TEXT NOT NULL,
    at               INTEGER NOT NULL,
    duration_ms      INTEGER NOT NULL,
    ok               INTEGER NOT NULL,
    status_code      INTEGER,
    response_headers TEXT,
    response_body    TEXT,
    error            TEXT,
    trigger          TEXT NOT NULL,
    PRIMARY KEY (delivery_id, number)
);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts(endpoint_id, at);

-- Who did what, for actions that send things again.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    tenant_id  TEXT NOT NULL,
    at         INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL,
    detail     TEXT
);
CREATE INDEX audit_log_tenant ON audit_log(tenant_id, at);
"#;

/// The queue is claimed per endpoint (see [`queue::claim_due`]), and succeeded deliveries are
/// pruned per tenant by age: one index for each, instead of one global due index whose scan
/// walked past a slow endpoint's whole backlog.
pub const QUEUE_INDEXES: &str = r#"
DROP INDEX webhook_deliveries_due;
CREATE INDEX webhook_deliveries_endpoint_due ON webhook_deliveries(endpoint_id, next_attempt_at)
    WHERE status IN ('pending', 'retrying');
CREATE INDEX webhook_deliveries_succeeded ON webhook_deliveries(tenant_id, last_attempt_at)
    WHERE status = 'succeeded';
"#;

/// The switch and policy; defaults (off) when the tenant never saved them.
pub fn settings(conn: &Connection, tenant_id: &str) -> Result<WebhookSettings, AppError> {
    let row: Option<(bool, String)> = conn
        .query_row("SELECT enabled, policy FROM webhook_config WHERE tenant_id = ?1", [tenant_id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    Ok(match row {
        None => WebhookSettings::default(),
        Some((enabled, policy)) => {
            let mut s: WebhookSettings = serde_json::from_str(&policy).unwrap_or_default();
            s.enabled = enabled;
            s
        }
    })
}

pub fn put_settings(conn: &Connection, tenant_id: &str, s: &WebhookSettings) -> Result<(), AppError> {
    let policy = serde_json::to_string(s).map_err(AppError::internal)?;
    conn.execute(
        "INSERT INTO webhook_config (tenant_id, enabled, policy) VALUES (?1, ?2, ?3)
         ON CONFLICT (tenant_id) DO UPDATE SET enabled = excluded.enabled, policy = excluded.policy",
        params![tenant_id, s.enabled, policy],
    )?;
    Ok(())
}

/// An endpoint as stored (health is computed separately).
pub struct EndpointRow {
    pub id: String,
    pub tenant_id: String,
    pub url: String,
    pub description: String,
    pub event_types: Vec<String>,
    pub custom_headers: Vec<CustomHeader>,
    pub status: EndpointStatus,
    pub disabled_reason: Option<String>,
    pub failing_since: Option<u64>,
    pub created_at: u64,
}

const ENDPOINT_COLUMNS: &str =
    "id, tenant_id, url, description, event_types, custom_headers, status, disabled_reason, failing_since, created_at";

fn endpoint_row(r: &Row) -> rusqlite::Result<EndpointRow> {
    let types: String = r.get(4)?;
    let headers: String = r.get(5)?;
    let status: String = r.get(6)?;
    Ok(EndpointRow {
        id: r.get(0)?,
        tenant_id: r.get(1)?,
        url: r.get(2)?,
        description: r.get(3)?,
        event_types: serde_json::from_str(&types).unwrap_or_default(),
        custom_headers: serde_json::from_str(&headers).unwrap_or_default(),
        status: EndpointStatus::parse(&status).unwrap_or(EndpointStatus::Paused),
        disabled_reason: r.get(7)?,
        failing_since: r.get::<_, Option<i64>>(8)?.map(|v| v as u64),
        created_at: r.get::<_, i64>(9)? as u64,
    })
}

impl EndpointRow {
    pub fn into_endpoint(self, health: EndpointHealth, previous_secret_expires_at: Option<u64>) -> Endpoint {
        Endpoint {
            id: self.id,
            url: self.url,
            description: self.description,
            event_types: self.event_types,
            status: self.status,
            disabled_reason: self.disabled_reason,
            custom_headers: self.custom_headers,
            previous_secret_expires_at: previous_secret_expires_at.map(rfc3339),
            created_at: rfc3339(self.created_at),
            health,
        }
    }

    /// Whether an event of `event_type` goes to this endpoint.
    pub fn wants(&self, event_type: &str) -> bool {
        self.event_types.is_empty() || self.event_types.iter().any(|t| t == event_type)
    }
}

pub fn insert_endpoint(conn: &Connection, e: &EndpointRow) -> Result<(), AppError> {
    conn.execute(
        &format!("INSERT INTO webhook_endpoints ({ENDPOINT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
        params![
            e.id,
            e.tenant_id,
            e.url,
            e.description,
            serde_json::to_string(&e.event_types).unwrap_or_default(),
            serde_json::to_string(&e.custom_headers).unwrap_or_default(),
            e.status.as_str(),
            e.disabled_reason,
            e.failing_since.map(|v| v as i64),
            e.created_at as i64
        ],
    )?;
    Ok(())
}

/// Writes every editable field of `e` back.
pub fn update_endpoint(conn: &Connection, e: &EndpointRow) -> Result<(), AppError> {
    conn.execute(
        "UPDATE webhook_endpoints SET url = ?3, description = ?4, event_types = ?5, custom_headers = ?6,
             status = ?7, disabled_reason = ?8, failing_since = ?9
         WHERE tenant_id = ?1 AND id = ?2",
        params![
            e.tenant_id,
            e.id,
            e.url,
            e.description,
            serde_json::to_string(&e.event_types).unwrap_or_default(),
            serde_json::to_string(&e.custom_headers).unwrap_or_default(),
            e.status.as_str(),
            e.disabled_reason,
            e.failing_since.map(|v| v as i64)
        ],
    )?;
    Ok(())
}

pub fn endpoint(conn: &Connection, tenant_id: &str, id: &str) -> Result<Option<EndpointRow>, AppError> {
    Ok(conn
        .query_row(
            &format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE tenant_id = ?1 AND id = ?2"),
            [tenant_id, id],
            endpoint_row,
        )
        .optional()?)
}

/// An endpoint by its id alone (ids are unique across tenants): for work that starts from an
/// issue or a queued delivery rather than a request.
pub fn endpoint_by_id(conn: &Connection, id: &str) -> Result<Option<EndpointRow>, AppError> {
    Ok(conn
        .query_row(&format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = ?1"), [id], endpoint_row)
        .optional()?)
}

/// Newest first; `before` is the (created_at, id) of the previous page's last row.
pub fn endpoints(
    conn: &Connection,
    tenant_id: &str,
    limit: u32,
    before: Option<(i64, String)>,
) -> Result<Vec<EndpointRow>, AppError> {
    let (at, id) = before.unwrap_or((i64::MAX, String::new()));
    let mut stmt = conn.prepare(&format!(
        "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE tenant_id = ?1 AND (created_at, id) < (?2, ?3)
         ORDER BY created_at DESC, id DESC LIMIT ?4"
    ))?;
    let rows = stmt.query_map(params![tenant_id, at, id, limit as i64], endpoint_row)?.collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Active and total endpoint counts of a tenant.
pub fn endpoint_counts(conn: &Connection, tenant_id: &str) -> Result<(u32, u32), AppError> {
    Ok(conn.query_row(
        "SELECT COALESCE(SUM(status = 'active'), 0), COUNT(*) FROM webhook_endpoints WHERE tenant_id = ?1",
        [tenant_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

pub fn delete_endpoint(conn: &Connection, tenant_id: &str, id: &str) -> Result<bool, AppError> {
    conn.execute("DELETE FROM webhook_deliveries WHERE endpoint_id = ?1 AND status IN ('pending', 'retrying')", [id])?;
    Ok(conn.execute("DELETE FROM webhook_endpoints WHERE tenant_id = ?1 AND id = ?2", [tenant_id, id])? > 0)
}

/// Adds a sealed secret; with `retire_others_at`, the current ones stay valid until then.
pub fn add_secret(
    conn: &Connection,
    endpoint_id: &str,
    sealed: &str,
    now: u64,
    retire_others_at: Option<u64>,
) -> Result<(), AppError> {
    if let Some(at) = retire_others_at {
        conn.execute(
            "UPDATE webhook_secrets SET expires_at = ?2 WHERE endpoint_id = ?1 AND (expires_at IS NULL OR expires_at > ?2)",
            params![endpoint_id, at as i64],
        )?;
    }
    conn.execute(
        "INSERT INTO webhook_secrets (endpoint_id, sealed, created_at) VALUES (?1, ?2, ?3)",
        params![endpoint_id, sealed, now as i64],
    )?;
    Ok(())
}

/// The sealed secrets that still sign, newest first.
pub fn live_secrets(conn: &Connection, endpoint_id: &str, now: u64) -> Result<Vec<String>, AppError> {
    let mut stmt = conn.prepare_cached(
        "SELECT sealed FROM webhook_secrets WHERE endpoint_id = ?1 AND (expires_at IS NULL OR expires_at > ?2)
         ORDER BY created_at DESC, rowid DESC",
    )?;
    let rows = stmt.query_map(params![endpoint_id, now as i64], |r| r.get(0))?.collect::<Result<_, _>>()?;
    Ok(rows)
}

/// When the previous secret stops signing, while a rotation is in its grace period.
pub fn previous_secret_expiry(conn: &Connection, endpoint_id: &str, now: u64) -> Result<Option<u64>, AppError> {
    Ok(conn
        .query_row(
            "SELECT MAX(expires_at) FROM webhook_secrets WHERE endpoint_id = ?1 AND expires_at > ?2",
            params![endpoint_id, now as i64],
            |r| r.get::<_, Option<i64>>(0),
        )?
        .map(|v| v as u64))
}

pub fn audit(
    conn: &Connection,
    tenant_id: &str,
    now: u64,
    actor: &str,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<(), AppError> {
    conn.execute(
        "INSERT INTO audit_log (tenant_id, at, actor, action, target, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![tenant_id, now as i64, actor, action, target, detail],
    )?;
    Ok(())
}
