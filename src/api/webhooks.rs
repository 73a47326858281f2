//! `/api/v1/webhooks`: the switch, endpoints, the event catalog, deliveries and bulk retries.
//!
//! Reads take a [`CancelToken`] so a page can abort a load it no longer wants (the filters
//! changed); writes that create something carry the dialog's `Idempotency-Key`.

use super::transport::{self, EventStream};
use super::{encode_query_value, query_string, send, ApiError, ApiRequest, CancelToken};
use sluice_contract::webhooks::{
    Delivery, DeliveryDetail, DeliveryQuery, Endpoint, EndpointChange, EndpointWithSecret, EventType, NewEndpoint,
    RetryBatch, RetryFailed, TestResult, WebhookOverview, WebhookSettings,
};
use sluice_contract::{Page, API_BASE};
use std::rc::Rc;

fn endpoint_path(id: &str) -> String {
    format!("/webhooks/endpoints/{}", encode_query_value(id))
}

pub async fn overview(cancel: CancelToken) -> Result<WebhookOverview, ApiError> {
    send(ApiRequest::get("/webhooks/settings", "Load webhook settings").cancel_with(cancel)).await
}

/// Turns webhooks on or off for the tenant (and saves the delivery policy sent with it).
pub async fn save_settings(settings: &WebhookSettings, idempotency_key: &str) -> Result<WebhookOverview, ApiError> {
    send(ApiRequest::put("/webhooks/settings", settings, "Save webhook settings").idempotent(idempotency_key)).await
}

/// Newest first; `cursor` from the previous page's `nextCursor`.
pub async fn endpoints(cursor: Option<String>, cancel: CancelToken) -> Result<Page<Endpoint>, ApiError> {
    let qs = query_string([("limit", Some("100".to_string())), ("cursor", cursor)]);
    send(ApiRequest::get(format!("/webhooks/endpoints{qs}"), "Load webhook endpoints").cancel_with(cancel)).await
}

/// The answer carries the signing secret, this once.
pub async fn create_endpoint(endpoint: &NewEndpoint, idempotency_key: &str) -> Result<EndpointWithSecret, ApiError> {
    with_secret(ApiRequest::post("/webhooks/endpoints", endpoint, "Add endpoint").idempotent(idempotency_key)).await
}

pub async fn endpoint(id: &str, cancel: CancelToken) -> Result<Endpoint, ApiError> {
    send(ApiRequest::get(endpoint_path(id), "Load the endpoint").cancel_with(cancel)).await
}

/// Changes the fields given; `enabled: Some(false)` pauses, `Some(true)` turns it on again.
pub async fn change_endpoint(id: &str, change: &EndpointChange, idempotency_key: &str) -> Result<Endpoint, ApiError> {
    send(ApiRequest::patch(endpoint_path(id), change, "Change endpoint").idempotent(idempotency_key)).await
}

pub async fn delete_endpoint(id: &str, idempotency_key: &str) -> Result<(), ApiError> {
    send(ApiRequest::delete(endpoint_path(id), "Delete endpoint").idempotent(idempotency_key)).await
}

/// A new secret, shown once; the old one keeps signing for 24 h alongside it.
pub async fn rotate_secret(id: &str, idempotency_key: &str) -> Result<EndpointWithSecret, ApiError> {
    let path = format!("{}/rotate-secret", endpoint_path(id));
    with_secret(ApiRequest::post(path, &Empty {}, "Rotate secret").idempotent(idempotency_key)).await
}

/// Reads an [`EndpointWithSecret`] as the endpoint and, beside it, the secret: two plain
/// decodes of the same parsed answer. Its derived decoder goes through serde's `flatten`, which
/// buffers the object and so compiles the endpoint's decoder a second time into the wasm.
async fn with_secret(request: ApiRequest) -> Result<EndpointWithSecret, ApiError> {
    #[derive(serde::Deserialize)]
    struct Parsed(#[serde(with = "serde_wasm_bindgen::preserve")] wasm_bindgen::JsValue);
    #[derive(serde::Deserialize)]
    struct Secret {
        secret: String,
    }
    let Parsed(answer) = send(request).await?;
    let decode_error = |e: serde_wasm_bindgen::Error| ApiError::Decode(e.to_string());
    let endpoint: Endpoint = serde_wasm_bindgen::from_value(answer.clone()).map_err(decode_error)?;
    let Secret { secret } = serde_wasm_bindgen::from_value(answer).map_err(decode_error)?;
    Ok(EndpointWithSecret { endpoint, secret })
}

/// Sends a `sluice.test` event now and answers the attempt. 409 `webhooks_disabled` when the
/// tenant switch is off, `endpoint_not_active` when the endpoint is paused or disabled.
pub async fn send_test(id: &str, idempotency_key: &str) -> Result<TestResult, ApiError> {
    let path = format!("{}/test", endpoint_path(id));
    send(ApiRequest::post(path, &Empty {}, "Send test event").idempotent(idempotency_key)).await
}

/// The catalog: Sluice's own event types and the tenant's published ones.
pub async fn event_types(cancel: CancelToken) -> Result<Vec<EventType>, ApiError> {
    send(ApiRequest::get("/webhooks/event-types", "Load the event catalog").cancel_with(cancel)).await
}

/// The query string of a delivery-log request, in the server's (camelCase) names.
pub fn delivery_query_string(query: &DeliveryQuery) -> String {
    query_string([
        ("status", query.status.clone()),
        ("eventType", query.event_type.clone()),
        ("endpointId", query.endpoint_id.clone()),
        ("eventId", query.event_id.clone()),
        ("since", query.since.clone()),
        ("until", query.until.clone()),
        ("limit", query.limit.map(|l| l.to_string())),
        ("cursor", query.cursor.clone()),
    ])
}

/// One page of the delivery log, newest first.
pub async fn deliveries(query: &DeliveryQuery, cancel: CancelToken) -> Result<Page<Delivery>, ApiError> {
    let path = format!("/webhooks/deliveries{}", delivery_query_string(query));
    send(ApiRequest::get(path, "Load deliveries").cancel_with(cancel)).await
}

/// A delivery with its payload and every attempt (newest first).
pub async fn delivery(id: &str, cancel: CancelToken) -> Result<DeliveryDetail, ApiError> {
    let path = format!("/webhooks/deliveries/{}", encode_query_value(id));
    send(ApiRequest::get(path, "Load the delivery").cancel_with(cancel)).await
}

/// Sends one delivery again now (same `webhook-id`).
pub async fn redeliver(id: &str, idempotency_key: &str) -> Result<Delivery, ApiError> {
    let path = format!("/webhooks/deliveries/{}/redeliver", encode_query_value(id));
    send(ApiRequest::post(path, &Empty {}, "Redeliver").idempotent(idempotency_key)).await
}

/// With `dry_run` only counts what would be retried (`id` is then `None`); otherwise starts
/// the bulk retry, whose progress [`retry_progress`] reads.
pub async fn retry_failed(request: &RetryFailed, idempotency_key: &str) -> Result<RetryBatch, ApiError> {
    let what = if request.dry_run { "Count failed deliveries" } else { "Retry failed deliveries" };
    send(ApiRequest::post("/webhooks/deliveries/retry-failed", request, what).idempotent(idempotency_key)).await
}

pub async fn retry_progress(id: &str, cancel: CancelToken) -> Result<RetryBatch, ApiError> {
    let path = format!("/webhooks/retries/{}", encode_query_value(id));
    send(ApiRequest::get(path, "Follow the bulk retry").cancel_with(cancel)).await
}

/// What the server's `webhooks` event says changed.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhooksChanged {
    #[serde(default)]
    pub delivery_ids: Vec<String>,
    #[serde(default)]
    pub endpoint_ids: Vec<String>,
}

/// Calls `on_change` on every `webhooks` event of the server's stream; drop the handle to stop.
pub fn watch(on_change: impl Fn(WebhooksChanged) + 'static) -> Option<EventStream> {
    let on_data = Rc::new(move |data: String| on_change(super::decode(&data).unwrap_or_default()));
    transport::current().open_events(&format!("{API_BASE}/stream?topics=webhooks"), "webhooks", on_data)
}

/// The empty JSON object an action without options sends.
#[derive(serde::Serialize)]
struct Empty {}
