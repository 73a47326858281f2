//! The router: `/api/health`, `/api/openapi.json`, `/api/v1/*` behind the API gate, and the
//! console's static files with SPA fallback.

use crate::error::AppError;
use crate::state::AppState;
use crate::{
    api_keys, auth, distributors, gate, integrations, issues, openapi, security, stream, usage, web, webhooks,
};
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{any, get};
use axum::{middleware, Json, Router};
use sluice_contract::error::ErrorBody;
use sluice_contract::session::Health;
use tower_http::trace::TraceLayer;
use utoipa_axum::router::OpenApiRouter;

/// Largest request body any route takes.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// The versioned API with its OpenAPI document.
pub fn api_v1() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(auth::routes::routes())
        .merge(api_keys::routes::routes())
        .merge(issues::routes::routes())
        .merge(usage::routes::routes())
        .merge(webhooks::routes::routes())
        .merge(distributors::routes::routes())
        .merge(integrations::routes::routes())
        .merge(stream::routes())
}

pub fn router(state: AppState) -> Router {
    let (v1, api_doc) = OpenApiRouter::with_openapi(openapi::ApiDoc::document())
        .nest(sluice_contract::API_BASE, api_v1())
        .split_for_parts();
    let api_doc = openapi::finish(api_doc);
    let v1 = v1
        .route_layer(middleware::from_fn_with_state(state.clone(), gate::api_gate))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES));

    let api = Router::new()
        .route("/api/health", get(health))
        .route("/api/openapi.json", get(move || async move { Json(api_doc) }))
        .merge(v1)
        // Unknown API paths answer JSON, not the console's index.html.
        .route("/api/{*rest}", any(|| async { AppError::NotFound("route") }))
        // axum adds `Allow` with the methods the path has.
        .method_not_allowed_fallback(|| async {
            let body = ErrorBody::new("method_not_allowed", "This route does not take that method; see Allow.");
            (StatusCode::METHOD_NOT_ALLOWED, Json(body))
        });

    let console = Router::new()
        .merge(api)
        .fallback_service(web::console(&state.config.dist_dir))
        .layer(middleware::from_fn(web::cache_headers));
    security::apply(console, &state.config.dist_dir).layer(TraceLayer::new_for_http()).with_state(state)
}

/// Liveness: no auth, no rate limit.
#[utoipa::path(get, path = "/api/health", tag = "health", responses((status = 200, body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health { status: "ok".into(), version: env!("CARGO_PKG_VERSION").into() })
}
