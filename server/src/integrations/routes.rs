//! `/api/v1/integrations`

use super::{actions, provider, syncs, view};
use crate::auth::Principal;
use crate::error::{ApiJson, ApiPath, ApiQuery, AppError, AppResult};
use crate::pagination::Cursor;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use sluice_contract::error::ErrorBody;
use sluice_contract::integrations::{
    syncs_of, CredentialInput, IntegrationDetail, IntegrationPatch, IntegrationSummary, SaveCredentialResult, SyncInfo,
    SyncPatch, SyncRun, TestResult,
};
use sluice_contract::Page;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(get_one, patch_one))
        .routes(routes!(save_credentials, delete_credentials))
        .routes(routes!(test))
        .routes(routes!(patch_sync))
        .routes(routes!(run_sync))
        .routes(routes!(list_runs))
}

/// Every provider, configured or not, in a fixed order.
#[utoipa::path(get, path = "/integrations", tag = "integrations", responses((status = 200, body = Page<IntegrationSummary>)))]
async fn list(State(state): State<AppState>, principal: Principal) -> AppResult<Json<Page<IntegrationSummary>>> {
    Ok(Json(Page { items: view::list(&state, &principal.tenant_id).await?, next_cursor: None }))
}

/// The integration: credential form and saved credential (never a secret), syncs, usage, calls per hour.
#[utoipa::path(get, path = "/integrations/{provider}", tag = "integrations",
    params(("provider" = String, Path, description = "autotask, hubspot, salesforce or apollo")),
    responses((status = 200, body = IntegrationDetail), (status = 404, body = ErrorBody)))]
async fn get_one(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(p): ApiPath<String>,
) -> AppResult<Json<IntegrationDetail>> {
    Ok(Json(view::detail(&state, &principal.tenant_id, provider(&p)?).await?))
}

/// Enables or disables the integration (disabling stops its syncs at once).
#[utoipa::path(patch, path = "/integrations/{provider}", tag = "integrations", params(("provider" = String, Path)),
    request_body = IntegrationPatch,
    responses((status = 200, body = IntegrationSummary), (status = 404, body = ErrorBody)))]
async fn patch_one(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(p): ApiPath<String>,
    ApiJson(patch): ApiJson<IntegrationPatch>,
) -> AppResult<Json<IntegrationSummary>> {
    Ok(Json(view::set_enabled(&state, &principal.tenant_id, provider(&p)?, patch.enabled).await?))
}

/// Tests the new credential, and saves it only if the test passed or `saveAnyway` is set; an
/// empty secret field keeps the stored value.
#[utoipa::path(put, path = "/integrations/{provider}/credentials", tag = "integrations", params(("provider" = String, Path)),
    request_body = CredentialInput,
    responses((status = 200, body = SaveCredentialResult),
        (status = 400, body = ErrorBody, description = "`validation_failed`: `fields.<name>` or `expiresOn`"),
        (status = 404, body = ErrorBody)))]
async fn save_credentials(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(p): ApiPath<String>,
    ApiJson(input): ApiJson<CredentialInput>,
) -> AppResult<Json<SaveCredentialResult>> {
    Ok(Json(actions::save(&state, &principal.tenant_id, provider(&p)?, input).await?))
}

/// Removes the credentials: the integration is Not configured again and its syncs stop.
#[utoipa::path(delete, path = "/integrations/{provider}/credentials", tag = "integrations", params(("provider" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_credentials(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(p): ApiPath<String>,
) -> AppResult<StatusCode> {
    actions::remove(&state, &principal.tenant_id, provider(&p)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Test connection with the saved credential: reach, authenticate, read.
#[utoipa::path(post, path = "/integrations/{provider}/test", tag = "integrations", params(("provider" = String, Path)),
    responses((status = 200, body = TestResult), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`not_configured`")))]
async fn test(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(p): ApiPath<String>,
) -> AppResult<Json<TestResult>> {
    Ok(Json(actions::test_saved(&state, &principal.tenant_id, provider(&p)?).await?))
}

/// Changes a sync's cadence or pauses it. A cadence whose projection exceeds the provider's
/// limit answers 409 unless `confirmOverLimit`.
#[utoipa::path(patch, path = "/integrations/{provider}/syncs/{sync}", tag = "integrations",
    params(("provider" = String, Path), ("sync" = String, Path)), request_body = SyncPatch,
    responses((status = 200, body = SyncInfo), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`over_provider_limit`: the message is the projection")))]
async fn patch_sync(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath((p, sync)): ApiPath<(String, String)>,
    ApiJson(patch): ApiJson<SyncPatch>,
) -> AppResult<Json<SyncInfo>> {
    Ok(Json(syncs::patch(&state, &principal.tenant_id, provider(&p)?, &sync, patch).await?))
}

/// Runs the sync now; the outcome is on the run.
#[utoipa::path(post, path = "/integrations/{provider}/syncs/{sync}/run", tag = "integrations",
    params(("provider" = String, Path), ("sync" = String, Path)),
    responses((status = 202, body = SyncRun), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`not_configured`, `integration_disabled` or `sync_running`")))]
async fn run_sync(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath((p, sync)): ApiPath<(String, String)>,
) -> AppResult<(StatusCode, Json<SyncRun>)> {
    Ok((StatusCode::ACCEPTED, Json(syncs::start(&state, &principal.tenant_id, provider(&p)?, &sync).await?)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct RunsQuery {
    /// 1 to 200; 50 when absent.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// `nextCursor` of the previous page.
    cursor: Option<String>,
    /// Only this sync's runs.
    sync: Option<String>,
}

/// Sync runs, newest first.
#[utoipa::path(get, path = "/integrations/{provider}/runs", tag = "integrations", params(("provider" = String, Path), RunsQuery),
    responses((status = 200, body = Page<SyncRun>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_runs(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(p): ApiPath<String>,
    ApiQuery(q): ApiQuery<RunsQuery>,
) -> AppResult<Json<Page<SyncRun>>> {
    let provider = provider(&p)?;
    let limit = crate::pagination::check_limit(q.limit)?;
    let sync = q.sync.filter(|s| !s.is_empty());
    if let Some(s) = &sync {
        if !syncs_of(provider).iter().any(|(id, _, _)| id == s) {
            return Err(AppError::field("sync", format!("{} has no sync {s}.", provider.name())));
        }
    }
    let before: Option<(u64, String)> =
        q.cursor.as_deref().filter(|c| !c.is_empty()).map(Cursor::decode).transpose()?;
    let t = principal.tenant_id.clone();
    let mut items = state
        .store
        .call(move |c| {
            crate::store::integrations::runs::list(c, &t, provider.as_str(), sync.as_deref(), before, limit + 1)
        })
        .await?;
    let next_cursor = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|r| Cursor::encode(&(r.started_at, r.id.clone())))
    } else {
        None
    };
    Ok(Json(Page { items, next_cursor }))
}
