//! `/api/v1/issues`

use super::{actions, bulk as bulk_actions, read, retry as retries};
use crate::auth::Principal;
use crate::error::{ApiJson, ApiPath, ApiQuery, AppResult};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use sluice_contract::error::ErrorBody;
use sluice_contract::issues::{BulkIssueAction, BulkIssueResult, Issue, IssueCounts, IssueDetail, IssueQuery};
use sluice_contract::Page;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(counts))
        .routes(routes!(bulk))
        .routes(routes!(detail))
        .routes(routes!(acknowledge))
        .routes(routes!(dismiss))
        .routes(routes!(retry))
}

/// Issues, most recently seen first; by default the active ones (open and acknowledged).
#[utoipa::path(get, path = "/issues", tag = "issues", params(IssueQuery),
    responses((status = 200, body = Page<Issue>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(q): ApiQuery<IssueQuery>,
) -> AppResult<Json<Page<Issue>>> {
    Ok(Json(read::list(&state, &principal.tenant_id, &q).await?))
}

/// Active issues per area, all issues per status, and the active total.
#[utoipa::path(get, path = "/issues/counts", tag = "issues", responses((status = 200, body = IssueCounts)))]
async fn counts(State(state): State<AppState>, principal: Principal) -> AppResult<Json<IssueCounts>> {
    Ok(Json(super::counts(&state, &principal.tenant_id).await?))
}

/// One issue with its last 50 occurrences, newest first.
#[utoipa::path(get, path = "/issues/{id}", tag = "issues", params(("id" = String, Path)),
    responses((status = 200, body = IssueDetail), (status = 404, body = ErrorBody)))]
async fn detail(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
) -> AppResult<Json<IssueDetail>> {
    Ok(Json(read::detail(&state, &principal.tenant_id, &id).await?))
}

/// Marks an active issue as seen by someone; it stays in the active list.
#[utoipa::path(post, path = "/issues/{id}/acknowledge", tag = "issues", params(("id" = String, Path)),
    responses((status = 200, body = Issue), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`issue_not_active`: already resolved or dismissed")))]
async fn acknowledge(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
) -> AppResult<Json<Issue>> {
    Ok(Json(actions::acknowledge(&state, &principal.tenant_id, &id, &principal.actor_label()).await?))
}

/// Takes an active issue off the list until it happens again.
#[utoipa::path(post, path = "/issues/{id}/dismiss", tag = "issues", params(("id" = String, Path)),
    responses((status = 200, body = Issue), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`issue_not_active`: already resolved or dismissed")))]
async fn dismiss(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
) -> AppResult<Json<Issue>> {
    Ok(Json(actions::dismiss(&state, &principal.tenant_id, &id, &principal.actor_label()).await?))
}

/// Runs the failing operation again through its area. Answers 200 with the issue either way:
/// resolved when the retry succeeded, still open with `lastRetry` saying why when it failed.
#[utoipa::path(post, path = "/issues/{id}/retry", tag = "issues", params(("id" = String, Path)),
    responses((status = 200, body = Issue), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`issue_not_active`, or `retry_unavailable` when its area cannot retry")))]
async fn retry(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
) -> AppResult<Json<Issue>> {
    Ok(Json(retries::retry(&state, &principal.tenant_id, &id).await?))
}

/// Acknowledge, dismiss or retry up to 100 issues; each row reports its own outcome.
#[utoipa::path(post, path = "/issues/bulk", tag = "issues", request_body = BulkIssueAction,
    responses((status = 200, body = BulkIssueResult), (status = 400, body = ErrorBody)))]
async fn bulk(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(req): ApiJson<BulkIssueAction>,
) -> AppResult<Json<BulkIssueResult>> {
    Ok(Json(bulk_actions::bulk(&state, &principal.tenant_id, &principal.actor_label(), req).await?))
}
