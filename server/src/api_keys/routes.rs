//! `/api/v1/api-keys`

use crate::auth::Principal;
use crate::error::{ApiJson, ApiPath, ApiQuery, AppError, AppResult};
use crate::idempotency::StoreInstead;
use crate::pagination::PageQuery;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use sluice_contract::api_keys::{ApiKey, CreateApiKey, CreatedApiKey};
use sluice_contract::error::ErrorBody;
use sluice_contract::Page;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(revoke))
}

/// The tenant's API keys, newest first (secrets are never listed).
#[utoipa::path(get, path = "/api-keys", tag = "api-keys", params(PageQuery),
    responses((status = 200, body = Page<ApiKey>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> AppResult<Json<Page<ApiKey>>> {
    Ok(Json(super::list(&state, &principal.tenant_id, &q).await?))
}

/// Creates a key. The answer carries its secret, this once.
#[utoipa::path(post, path = "/api-keys", tag = "api-keys", request_body = CreateApiKey,
    responses((status = 201, body = CreatedApiKey), (status = 400, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(req): ApiJson<CreateApiKey>,
) -> AppResult<Response> {
    let created = super::create(&state.store, &principal.tenant_id, req, state.now_ms()).await?;
    tracing::info!(tenant = %principal.tenant_id, key = %created.key.id, by = %principal.actor_label(), "API key created");
    // A retry with the same Idempotency-Key gets the key without its secret.
    let replay = serde_json::to_vec(&created.withheld()).map_err(AppError::internal)?;
    let location = format!("{}/api-keys/{}", sluice_contract::API_BASE, created.key.id);
    let mut response = (StatusCode::CREATED, [(header::LOCATION, location)], Json(created)).into_response();
    response.extensions_mut().insert(StoreInstead(replay.into()));
    Ok(response)
}

/// Revokes a key: it stops working at once. Revoking twice is harmless.
#[utoipa::path(delete, path = "/api-keys/{id}", tag = "api-keys", params(("id" = String, Path)),
    responses((status = 200, body = ApiKey), (status = 404, body = ErrorBody)))]
async fn revoke(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
) -> AppResult<Json<ApiKey>> {
    let key = super::revoke(&state, &principal.tenant_id, &id).await?;
    tracing::info!(tenant = %principal.tenant_id, key = %key.id, by = %principal.actor_label(), "API key revoked");
    Ok(Json(key))
}
