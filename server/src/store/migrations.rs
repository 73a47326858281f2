//! The schema, as an append-only list: never edit a migration that has shipped, add one.

use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

pub fn run(conn: &mut Connection) -> Result<(), rusqlite_migration::Error> {
    Migrations::new(vec![
        M::up(FOUNDATION),
        M::up(super::issues::MIGRATION),
        M::up(super::usage::MIGRATION),
        M::up(super::issues::SEARCH_MIGRATION),
        M::up(super::idempotency::MIGRATION),
        M::up(super::usage::AGE_INDEX),
        M::up(super::events::AGE_INDEX),
        M::up(super::issues::SEARCH_KEY_MIGRATION),
        M::up(super::webhooks::MIGRATION),
        M::up(super::distributors::MIGRATION),
        M::up(super::webhooks::QUEUE_INDEXES),
        M::up(super::integrations::MIGRATION),
        M::up(super::distributors::SEEN_MIGRATION),
        M::up(super::integrations::ENRICHMENT_MIGRATION),
    ])
    .to_latest(conn)
}

const FOUNDATION: &str = r#"
CREATE TABLE tenants (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    user_id     TEXT NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_keys_tenant ON api_keys(tenant_id, created_at);

CREATE TABLE idempotency (
    tenant_id     TEXT NOT NULL,
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status        INTEGER NOT NULL,
    content_type  TEXT,
    body          BLOB NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_age ON idempotency(created_at);

-- The outbox of events Sluice produces (issue.opened, issue.resolved, ...), for webhook delivery.
CREATE TABLE events (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    type        TEXT NOT NULL,
    occurred_at INTEGER NOT NULL,
    data        TEXT NOT NULL
);
CREATE INDEX events_tenant ON events(tenant_id, occurred_at);

-- Settings per tenant, one JSON document per name.
CREATE TABLE tenant_settings (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    name       TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, name)
);
"#;
