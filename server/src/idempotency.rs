//! `Idempotency-Key` on POST/PUT/PATCH/DELETE: the first response is stored per tenant for 24 h
//! and replayed for a repeat of the same key; the same key with another body is a 422.

use crate::auth::Principal;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::idempotency::{self as store, StoredResponse};
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use sluice_contract::headers::{IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED};

pub const KEEP_MS: u64 = 24 * 3600 * 1000;
const MAX_KEY_LEN: usize = 255;

pub async fn run(state: &AppState, principal: &Principal, req: Request, next: Next) -> Response {
    let changes = matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH | Method::DELETE);
    let Some(key) = req.headers().get(IDEMPOTENCY_KEY).filter(|_| changes) else { return next.run(req).await };
    let key = match key.to_str() {
        Ok(k) if !k.is_empty() && k.len() <= MAX_KEY_LEN => k.to_string(),
        _ => {
            return AppError::field("Idempotency-Key", "Use 1 to 255 visible ASCII characters, such as a UUID.")
                .into_response()
        }
    };
    let tenant = principal.tenant_id.clone();
    let slot = (tenant.clone(), key.clone());
    {
        let mut in_flight = state.idempotency_in_flight.lock().unwrap_or_else(|p| p.into_inner());
        if !in_flight.insert(slot.clone()) {
            return AppError::conflict(
                "idempotency_key_in_use",
                "A request with this Idempotency-Key is still being processed.",
            )
            .into_response();
        }
    }
    let response = replay_or_run(state, &tenant, &key, req, next).await;
    state.idempotency_in_flight.lock().unwrap_or_else(|p| p.into_inner()).remove(&slot);
    response
}

async fn replay_or_run(state: &AppState, tenant: &str, key: &str, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, crate::app::MAX_BODY_BYTES).await else {
        return AppError::PayloadTooLarge(format!(
            "The body is larger than {} KiB.",
            crate::app::MAX_BODY_BYTES / 1024
        ))
        .into_response();
    };
    let mut hasher = Sha256::new();
    hasher.update(parts.method.as_str());
    hasher.update(b" ");
    hasher.update(parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or(""));
    hasher.update(b"\n");
    hasher.update(&bytes);
    let request_hash = hex::encode(hasher.finalize());

    let now = state.now_ms();
    let (t, k) = (tenant.to_string(), key.to_string());
    let found = match state.store.call(move |c| store::find(c, &t, &k, now.saturating_sub(KEEP_MS))).await {
        Ok(found) => found,
        Err(e) => return e.into_response(),
    };
    if let Some(stored) = found {
        if stored.request_hash != request_hash {
            return AppError::Unprocessable(
                "This Idempotency-Key was already used for a different request. Use a new key for a new action.".into(),
            )
            .into_response();
        }
        return replay(stored);
    }

    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let status = response.status();
    // Refusals that did no work (rate limit) and server failures may be tried again for real.
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(body) = to_bytes(body, 16 * 1024 * 1024).await else {
        return AppError::internal("response too large to store for idempotency").into_response();
    };
    let stored = StoredResponse {
        request_hash,
        status: status.as_u16(),
        content_type: parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(String::from),
        body: body.to_vec(),
    };
    let (t, k) = (tenant.to_string(), key.to_string());
    if let Err(e) = state.store.call(move |c| store::save(c, &t, &k, &stored, now)).await {
        tracing::warn!(error = %e, "could not store an idempotent response");
    }
    Response::from_parts(parts, Body::from(body))
}

fn replay(stored: StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = (status, stored.body).into_response();
    let headers = response.headers_mut();
    headers.remove(header::CONTENT_TYPE);
    if let Some(ct) = stored.content_type.and_then(|ct| HeaderValue::from_str(&ct).ok()) {
        headers.insert(header::CONTENT_TYPE, ct);
    }
    headers.insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    response
}
