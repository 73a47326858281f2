//! `GET /api/health`: liveness for load balancers and scripts.

use axum::Json;
use sluice_contract::session::Health;

/// Liveness: no auth, no rate limit.
#[utoipa::path(get, path = "/api/health", tag = "health", responses((status = 200, body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health { status: "ok".into(), version: env!("CARGO_PKG_VERSION").into() })
}
