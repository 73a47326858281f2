//! `/api/v1/usage`

use crate::auth::Principal;
use crate::error::{ApiJson, ApiQuery, AppResult};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use sluice_contract::error::ErrorBody;
use sluice_contract::usage::{UsageReport, UsageThresholds};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(report)).routes(routes!(get_thresholds, put_thresholds))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct RangeQuery {
    /// `1h` (per minute), `24h` (per 15 min) or `7d` (per hour). Default `1h`.
    #[param(pattern = "^(1h|24h|7d)$")]
    range: Option<String>,
}

/// The current window, requests over time, and the top routes and callers.
#[utoipa::path(get, path = "/usage", tag = "usage", params(RangeQuery),
    responses((status = 200, body = UsageReport), (status = 400, body = ErrorBody)))]
async fn report(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(q): ApiQuery<RangeQuery>,
) -> AppResult<Json<UsageReport>> {
    let range = q.range.unwrap_or_else(|| "1h".into());
    Ok(Json(crate::usage::report(&state, &principal, &range).await?))
}

/// The warning and error thresholds, in percent of the window's limit.
#[utoipa::path(get, path = "/usage/thresholds", tag = "usage", responses((status = 200, body = UsageThresholds)))]
async fn get_thresholds(State(state): State<AppState>, principal: Principal) -> AppResult<Json<UsageThresholds>> {
    Ok(Json(crate::usage::thresholds(&state, &principal.tenant_id).await?))
}

/// Sets the thresholds (1–100, warning below error).
#[utoipa::path(put, path = "/usage/thresholds", tag = "usage", request_body = UsageThresholds,
    responses((status = 200, body = UsageThresholds), (status = 400, body = ErrorBody)))]
async fn put_thresholds(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(t): ApiJson<UsageThresholds>,
) -> AppResult<Json<UsageThresholds>> {
    Ok(Json(crate::usage::set_thresholds(&state, &principal.tenant_id, t).await?))
}
