//! `Idempotency-Key` on POST/PUT/PATCH/DELETE: the first response is stored per caller (the
//! session's user or the API key, within its tenant) for 24 h and replayed for a repeat of the
//! same key; the same key with another body is a 422.
//!
//! A change that has started always finishes: it runs in its own task, so a client that
//! disconnects mid-request finds its answer stored when it retries, and the key's in-flight slot
//! is released by a guard whatever happens (disconnect, panic).

use crate::auth::Principal;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::idempotency::{self as store, StoredResponse};
use axum::body::{to_bytes, Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use sluice_contract::headers::{IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED};

pub const KEEP_MS: u64 = 24 * 3600 * 1000;
const MAX_KEY_LEN: usize = 255;

/// Response headers a replay must repeat: what the client acts on (`Location` of a created
/// thing, its validators). Never `Set-Cookie` (a replay must not hand out a session) and never
/// the rate-limit headers, which describe the window of the replay itself.
const REPLAYED_HEADERS: [HeaderName; 5] =
    [header::CONTENT_TYPE, header::LOCATION, header::CONTENT_LOCATION, header::ETAG, header::LAST_MODIFIED];

/// Put on a response by a handler whose body carries a secret (a new API key): this body is
/// stored and replayed instead, so no secret is ever at rest in the idempotency table.
#[derive(Clone)]
pub struct StoreInstead(pub Bytes);

/// One caller's key, held while its request runs.
type Slot = (String, String, String);

/// (tenant, caller, key) of idempotent requests now running.
#[derive(Default)]
pub struct Running(std::sync::Mutex<std::collections::HashSet<Slot>>);

impl Running {
    fn slots(state: &AppState) -> std::sync::MutexGuard<'_, std::collections::HashSet<Slot>> {
        state.part::<Running>().0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Releases the in-flight slot when dropped, whichever way the request ends.
struct InFlight {
    state: AppState,
    slot: Slot,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        Running::slots(&self.state).remove(&self.slot);
    }
}

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
    let slot = (principal.tenant_id.clone(), principal.caller_id(), key);
    if !Running::slots(state).insert(slot.clone()) {
        return AppError::conflict(
            "idempotency_key_in_use",
            "A request with this Idempotency-Key is still being processed.",
        )
        .into_response();
    }
    let guard = InFlight { state: state.clone(), slot };
    // Spawned, so that dropping this future (the client went away) does not stop the change
    // half-way or lose its answer.
    let task = tokio::spawn(async move {
        let response = replay_or_run(&guard.state, &guard.slot, req, next).await;
        drop(guard);
        response
    });
    match task.await {
        Ok(response) => response,
        Err(e) => AppError::internal(format!("idempotent request failed: {e}")).into_response(),
    }
}

async fn replay_or_run(state: &AppState, slot: &Slot, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, crate::config::MAX_BODY_BYTES).await else {
        return AppError::PayloadTooLarge(format!(
            "The body is larger than {} KiB.",
            crate::config::MAX_BODY_BYTES / 1024
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
    let (t, c, k) = slot.clone();
    let found = match state.store.call(move |conn| store::find(conn, &t, &c, &k, now.saturating_sub(KEEP_MS))).await {
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
    let (mut parts, body) = response.into_parts();
    let Ok(body) = to_bytes(body, 16 * 1024 * 1024).await else {
        return AppError::internal("response too large to store for idempotency").into_response();
    };
    let stored_body = parts.extensions.remove::<StoreInstead>().map(|s| s.0).unwrap_or_else(|| body.clone());
    let stored = StoredResponse {
        request_hash,
        status: status.as_u16(),
        headers: kept_headers(&parts.headers),
        body: stored_body.to_vec(),
    };
    let (t, c, k) = slot.clone();
    if let Err(e) = state.store.call(move |conn| store::save(conn, &t, &c, &k, &stored, now)).await {
        tracing::warn!(error = %e, "could not store an idempotent response");
    }
    Response::from_parts(parts, Body::from(body))
}

fn kept_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    REPLAYED_HEADERS
        .iter()
        .flat_map(|name| headers.get_all(name).iter().map(move |v| (name, v)))
        .filter_map(|(name, v)| Some((name.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect()
}

fn replay(stored: StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = (status, stored.body).into_response();
    let headers = response.headers_mut();
    headers.remove(header::CONTENT_TYPE);
    for (name, value) in stored.headers {
        let name = HeaderName::from_bytes(name.as_bytes()).ok().filter(|n| REPLAYED_HEADERS.contains(n));
        if let (Some(name), Ok(value)) = (name, HeaderValue::from_str(&value)) {
            headers.append(name, value);
        }
    }
    headers.insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    response
}
