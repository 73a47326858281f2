//! `/api/v1/webhooks/*` and `/api/v1/events`.

use super::{endpoints, log, publish};
use crate::auth::Principal;
use crate::error::{ApiJson, ApiPath, ApiQuery, AppResult};
use crate::pagination::PageQuery;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use sluice_contract::error::ErrorBody;
use sluice_contract::webhooks::{
    Delivery, DeliveryDetail, DeliveryQuery, Endpoint, EndpointChange, EndpointWithSecret, EventType, NewEndpoint,
    PublishBatch, PublishEvent, Published, PublishedBatch, RetryBatch, RetryFailed, TestResult, WebhookOverview,
    WebhookSettings,
};
use sluice_contract::Page;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(list_endpoints, create_endpoint))
        .routes(routes!(get_endpoint, update_endpoint, delete_endpoint))
        .routes(routes!(rotate_secret))
        .routes(routes!(send_test))
        .routes(routes!(event_types))
        .routes(routes!(list_deliveries))
        .routes(routes!(retry_failed))
        .routes(routes!(delivery))
        .routes(routes!(redeliver))
        .routes(routes!(retry_batch))
        .routes(routes!(publish_event))
        .routes(routes!(publish_batch))
}

type Id = ApiPath<String>;

/// The tenant's switch and delivery policy, with how many endpoints would receive events.
#[utoipa::path(get, path = "/webhooks/settings", tag = "webhooks", responses((status = 200, body = WebhookOverview), (status = 401, body = ErrorBody)))]
async fn get_settings(State(state): State<AppState>, p: Principal) -> AppResult<Json<WebhookOverview>> {
    Ok(Json(super::overview(&state, &p.tenant_id).await?))
}

/// Turns webhooks on or off and sets the retry schedule, auto-disable delay and timeout.
#[utoipa::path(put, path = "/webhooks/settings", tag = "webhooks", request_body = WebhookSettings,
    responses((status = 200, body = WebhookOverview), (status = 400, body = ErrorBody)))]
async fn put_settings(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(s): ApiJson<WebhookSettings>,
) -> AppResult<Json<WebhookOverview>> {
    tracing::info!(tenant = %p.tenant_id, enabled = s.enabled, by = %p.actor_label(), "webhook settings changed");
    Ok(Json(super::put_settings(&state, &p.tenant_id, s).await?))
}

/// Endpoints, newest first, each with its health over 24 hours.
#[utoipa::path(get, path = "/webhooks/endpoints", tag = "webhooks", params(PageQuery),
    responses((status = 200, body = Page<Endpoint>), (status = 400, body = ErrorBody)))]
async fn list_endpoints(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> AppResult<Json<Page<Endpoint>>> {
    Ok(Json(endpoints::list(&state, &p.tenant_id, &q).await?))
}

/// Adds an endpoint. The answer carries its signing secret, this once.
#[utoipa::path(post, path = "/webhooks/endpoints", tag = "webhooks", request_body = NewEndpoint,
    responses((status = 201, body = EndpointWithSecret), (status = 400, body = ErrorBody)))]
async fn create_endpoint(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(new): ApiJson<NewEndpoint>,
) -> AppResult<(StatusCode, Json<EndpointWithSecret>)> {
    let created = endpoints::create(&state, &p.tenant_id, new).await?;
    tracing::info!(tenant = %p.tenant_id, endpoint = %created.endpoint.id, by = %p.actor_label(), "webhook endpoint created");
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(get, path = "/webhooks/endpoints/{id}", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 200, body = Endpoint), (status = 404, body = ErrorBody)))]
async fn get_endpoint(State(state): State<AppState>, p: Principal, ApiPath(id): Id) -> AppResult<Json<Endpoint>> {
    Ok(Json(endpoints::get(&state, &p.tenant_id, &id).await?))
}

/// Changes the given fields; `enabled` pauses or turns the endpoint on again.
#[utoipa::path(patch, path = "/webhooks/endpoints/{id}", tag = "webhooks", params(("id" = String, Path)), request_body = EndpointChange,
    responses((status = 200, body = Endpoint), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn update_endpoint(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): Id,
    ApiJson(change): ApiJson<EndpointChange>,
) -> AppResult<Json<Endpoint>> {
    tracing::info!(tenant = %p.tenant_id, endpoint = %id, by = %p.actor_label(), "webhook endpoint changed");
    Ok(Json(endpoints::update(&state, &p.tenant_id, &id, change).await?))
}

/// Deletes the endpoint; what was waiting for it is dropped, the log keeps what was sent.
#[utoipa::path(delete, path = "/webhooks/endpoints/{id}", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_endpoint(State(state): State<AppState>, p: Principal, ApiPath(id): Id) -> AppResult<StatusCode> {
    endpoints::delete(&state, &p.tenant_id, &id).await?;
    tracing::info!(tenant = %p.tenant_id, endpoint = %id, by = %p.actor_label(), "webhook endpoint deleted");
    Ok(StatusCode::NO_CONTENT)
}

/// A new signing secret, shown once; the previous one keeps signing for 24 hours.
#[utoipa::path(post, path = "/webhooks/endpoints/{id}/rotate-secret", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 200, body = EndpointWithSecret), (status = 404, body = ErrorBody)))]
async fn rotate_secret(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): Id,
) -> AppResult<Json<EndpointWithSecret>> {
    tracing::info!(tenant = %p.tenant_id, endpoint = %id, by = %p.actor_label(), "webhook secret rotated");
    Ok(Json(endpoints::rotate(&state, &p.tenant_id, &id).await?))
}

/// Sends a `sluice.test` event now and answers the attempt.
#[utoipa::path(post, path = "/webhooks/endpoints/{id}/test", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 200, body = TestResult), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`webhooks_disabled` or `endpoint_not_active`")))]
async fn send_test(State(state): State<AppState>, p: Principal, ApiPath(id): Id) -> AppResult<Json<TestResult>> {
    Ok(Json(endpoints::send_test(&state, &p.tenant_id, &id, &p.actor_label()).await?))
}

/// The event catalog: what Sluice produces and what this tenant has published.
#[utoipa::path(get, path = "/webhooks/event-types", tag = "webhooks", responses((status = 200, body = Vec<EventType>)))]
async fn event_types(State(state): State<AppState>, p: Principal) -> AppResult<Json<Vec<EventType>>> {
    Ok(Json(publish::catalog(&state, &p.tenant_id).await?))
}

/// The delivery log, newest first, filtered by the query.
#[utoipa::path(get, path = "/webhooks/deliveries", tag = "webhooks", params(DeliveryQuery),
    responses((status = 200, body = Page<Delivery>), (status = 400, body = ErrorBody)))]
async fn list_deliveries(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<DeliveryQuery>,
) -> AppResult<Json<Page<Delivery>>> {
    Ok(Json(log::list(&state, &p.tenant_id, &q).await?))
}

/// One delivery: the payload sent and every attempt, newest first.
#[utoipa::path(get, path = "/webhooks/deliveries/{id}", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 200, body = DeliveryDetail), (status = 404, body = ErrorBody)))]
async fn delivery(State(state): State<AppState>, p: Principal, ApiPath(id): Id) -> AppResult<Json<DeliveryDetail>> {
    Ok(Json(log::detail(&state, &p.tenant_id, &id).await?))
}

/// Sends a delivery again now (audited).
#[utoipa::path(post, path = "/webhooks/deliveries/{id}/redeliver", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 200, body = Delivery), (status = 404, body = ErrorBody)))]
async fn redeliver(State(state): State<AppState>, p: Principal, ApiPath(id): Id) -> AppResult<Json<Delivery>> {
    Ok(Json(log::redeliver(&state, &p.tenant_id, &id, &p.actor_label()).await?))
}

/// "Retry all failed since …": `dryRun` counts; otherwise starts and answers the batch to follow.
#[utoipa::path(post, path = "/webhooks/deliveries/retry-failed", tag = "webhooks", request_body = RetryFailed,
    responses((status = 200, body = RetryBatch, description = "dry run"), (status = 202, body = RetryBatch), (status = 400, body = ErrorBody)))]
async fn retry_failed(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(req): ApiJson<RetryFailed>,
) -> AppResult<(StatusCode, Json<RetryBatch>)> {
    let since = log::parse_since(&req.since)?;
    let batch =
        log::retry_failed_since(&state, &p.tenant_id, since, req.endpoint_id.as_deref(), &p.actor_label(), req.dry_run)
            .await?;
    let status = if req.dry_run { StatusCode::OK } else { StatusCode::ACCEPTED };
    Ok((status, Json(batch)))
}

/// How far a bulk retry has got.
#[utoipa::path(get, path = "/webhooks/retries/{id}", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 200, body = RetryBatch), (status = 404, body = ErrorBody)))]
async fn retry_batch(State(state): State<AppState>, p: Principal, ApiPath(id): Id) -> AppResult<Json<RetryBatch>> {
    Ok(Json(log::batch(&state, &p.tenant_id, &id).await?))
}

/// Publishes one of your own events; it is stored before this answers, then delivered to every
/// endpoint that takes its type. Publishing an `eventId` again delivers nothing new.
#[utoipa::path(post, path = "/events", tag = "webhooks", request_body = PublishEvent,
    responses((status = 202, body = Published), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody)))]
async fn publish_event(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(e): ApiJson<PublishEvent>,
) -> AppResult<(StatusCode, Json<Published>)> {
    let mut published = publish::publish(&state, &p.tenant_id, vec![e], true).await?;
    Ok((StatusCode::ACCEPTED, Json(published.remove(0))))
}

/// Publishes up to 100 events in one request.
#[utoipa::path(post, path = "/events/batch", tag = "webhooks", request_body = PublishBatch,
    responses((status = 202, body = PublishedBatch), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody)))]
async fn publish_batch(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(b): ApiJson<PublishBatch>,
) -> AppResult<(StatusCode, Json<PublishedBatch>)> {
    let events = publish::publish(&state, &p.tenant_id, b.events, false).await?;
    Ok((StatusCode::ACCEPTED, Json(PublishedBatch { events })))
}
