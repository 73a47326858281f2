//! `/api/v1/distributors` and `/api/v1/products`

use super::{preview, products, runs, sync};
use crate::auth::Principal;
use crate::error::{ApiJson, ApiPath, ApiQuery, AppResult};
use crate::pagination::PageQuery;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use sluice_contract::distributors::{
    ConnectionTest, Distributor, DistributorInput, Product, ProductBatchRequest, ProductBatchResult, SyncRun,
};
use sluice_contract::error::ErrorBody;
use sluice_contract::Page;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(test_unsaved))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(test_saved))
        .routes(routes!(force_sync))
        .routes(routes!(list_runs))
        .routes(routes!(get_run))
        .routes(routes!(search_products))
        .routes(routes!(batch_products))
}

/// The tenant's distributors, by priority.
#[utoipa::path(get, path = "/distributors", tag = "distributors", responses((status = 200, body = Page<Distributor>)))]
async fn list(State(state): State<AppState>, principal: Principal) -> AppResult<Json<Page<Distributor>>> {
    let items = super::list(&state, &principal.tenant_id).await?;
    Ok(Json(Page { items, next_cursor: None }))
}

/// Adds a connection; the first scheduled sync comes one cadence later (or Force re-fetch).
#[utoipa::path(post, path = "/distributors", tag = "distributors", request_body = DistributorInput,
    responses((status = 201, body = Distributor), (status = 400, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(input): ApiJson<DistributorInput>,
) -> AppResult<(StatusCode, Json<Distributor>)> {
    Ok((StatusCode::CREATED, Json(super::create(&state, &principal.tenant_id, input).await?)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct TestQuery {
    /// Testing changes to this saved connection: its stored password is used when none is typed.
    distributor: Option<String>,
}

/// Tests a connection before it is saved: reach, authenticate, the first rows mapped.
#[utoipa::path(post, path = "/distributors/test", tag = "distributors", params(TestQuery), request_body = DistributorInput,
    responses((status = 200, body = ConnectionTest), (status = 400, body = ErrorBody)))]
async fn test_unsaved(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(q): ApiQuery<TestQuery>,
    ApiJson(input): ApiJson<DistributorInput>,
) -> AppResult<Json<ConnectionTest>> {
    Ok(Json(
        preview::test_input(&state, &principal.tenant_id, input, q.distributor.as_deref().filter(|d| !d.is_empty()))
            .await?,
    ))
}

#[utoipa::path(get, path = "/distributors/{id}", tag = "distributors", params(("id" = String, Path)),
    responses((status = 200, body = Distributor), (status = 404, body = ErrorBody)))]
async fn get_one(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
) -> AppResult<Json<Distributor>> {
    Ok(Json(super::get(&state, &principal.tenant_id, &id).await?))
}

/// Changes the connection. Leave `password` out to keep the stored one.
#[utoipa::path(put, path = "/distributors/{id}", tag = "distributors", params(("id" = String, Path)), request_body = DistributorInput,
    responses((status = 200, body = Distributor), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn update(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<DistributorInput>,
) -> AppResult<Json<Distributor>> {
    Ok(Json(super::update(&state, &principal.tenant_id, &id, input).await?))
}

/// Removes the connection, its prices, runs and password.
#[utoipa::path(delete, path = "/distributors/{id}", tag = "distributors", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
) -> AppResult<StatusCode> {
    super::delete(&state, &principal.tenant_id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Tests the saved connection.
#[utoipa::path(post, path = "/distributors/{id}/test", tag = "distributors", params(("id" = String, Path)),
    responses((status = 200, body = ConnectionTest), (status = 404, body = ErrorBody)))]
async fn test_saved(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
) -> AppResult<Json<ConnectionTest>> {
    Ok(Json(preview::test_saved(&state, &principal.tenant_id, &id).await?))
}

/// Force re-fetch: starts a run now and answers it (running); progress comes on the stream as
/// `distributors` events, the outcome on the run.
#[utoipa::path(post, path = "/distributors/{id}/sync", tag = "distributors", params(("id" = String, Path)),
    responses((status = 202, body = SyncRun), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`sync_running`: a run is already in progress")))]
async fn force_sync(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
) -> AppResult<(StatusCode, Json<SyncRun>)> {
    Ok((StatusCode::ACCEPTED, Json(sync::start(&state, &principal.tenant_id, &id, sync::Trigger::Manual).await?)))
}

/// Run history, newest first.
#[utoipa::path(get, path = "/distributors/{id}/runs", tag = "distributors", params(("id" = String, Path), PageQuery),
    responses((status = 200, body = Page<SyncRun>), (status = 404, body = ErrorBody)))]
async fn list_runs(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> AppResult<Json<Page<SyncRun>>> {
    Ok(Json(runs::list(&state, &principal.tenant_id, &id, page).await?))
}

#[utoipa::path(get, path = "/distributors/{id}/runs/{run_id}", tag = "distributors",
    params(("id" = String, Path), ("run_id" = String, Path)),
    responses((status = 200, body = SyncRun), (status = 404, body = ErrorBody)))]
async fn get_run(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath((id, run_id)): ApiPath<(String, String)>,
) -> AppResult<Json<SyncRun>> {
    Ok(Json(runs::get(&state, &principal.tenant_id, &id, &run_id).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ProductQuery {
    /// A SKU or manufacturer part number (exact or in part), or words of the description.
    #[param(min_length = 1)]
    q: String,
    /// 1 to 200; 50 when absent.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

/// Products matching `q`, each with every distributor's offer and the winner marked.
#[utoipa::path(get, path = "/products", tag = "products", params(ProductQuery),
    responses((status = 200, body = Page<Product>), (status = 400, body = ErrorBody)))]
async fn search_products(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(q): ApiQuery<ProductQuery>,
) -> AppResult<Json<Page<Product>>> {
    let limit = crate::pagination::check_limit(q.limit)?;
    let items = products::search(&state, &principal.tenant_id, &q.q, limit).await?;
    Ok(Json(Page { items, next_cursor: None }))
}

/// Up to 100 SKUs in one call: the documented alternative to looping over `/products`.
#[utoipa::path(post, path = "/products/batch", tag = "products", request_body = ProductBatchRequest,
    responses((status = 200, body = ProductBatchResult), (status = 400, body = ErrorBody)))]
async fn batch_products(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(req): ApiJson<ProductBatchRequest>,
) -> AppResult<Json<ProductBatchResult>> {
    Ok(Json(products::batch(&state, &principal.tenant_id, req).await?))
}
