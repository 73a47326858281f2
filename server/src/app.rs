//! The router: `/api/health`, `/api/openapi.json`, `/api/v1/*` behind the request layer, and the
//! console's static files with SPA fallback.

use crate::area::AreaDef;
use crate::config::MAX_BODY_BYTES;
use crate::error::AppError;
use crate::state::AppState;
use crate::{health, openapi, request_layer, security, stream, web};
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{any, get};
use axum::{middleware, Json, Router};
use sluice_contract::error::ErrorBody;
use tower_http::trace::TraceLayer;
use utoipa_axum::router::OpenApiRouter;

/// The versioned API with its OpenAPI document: each area's routes, and the stream.
pub fn api_v1(areas: &[AreaDef]) -> OpenApiRouter<AppState> {
    areas.iter().fold(OpenApiRouter::new().merge(stream::routes()), |api, area| api.merge((area.routes)()))
}

pub fn router(state: AppState, areas: &[AreaDef]) -> Router {
    let (v1, api_doc) = OpenApiRouter::with_openapi(openapi::ApiDoc::document())
        .nest(sluice_contract::API_BASE, api_v1(areas))
        .split_for_parts();
    let api_doc = openapi::finish(api_doc);
    let v1 = v1
        .route_layer(middleware::from_fn_with_state(state.clone(), request_layer::handle))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES));

    let api = Router::new()
        .route("/api/health", get(health::health))
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
