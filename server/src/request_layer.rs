//! The layer every `/api/v1` request passes before its route: who is calling, the rate-limit
//! window it spends, usage counting, the cross-origin check for cookie sessions, and `Idempotency-Key` replay.

use crate::area::Setup;
use crate::error::AppError;
use crate::state::AppState;
use crate::usage::admission::Allowance;
use crate::usage::limiter::WindowState;
use crate::{idempotency, preauth, usage};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sluice_contract::headers::{RATE_LIMIT_LIMIT, RATE_LIMIT_REMAINING, RATE_LIMIT_RESET};

/// What this layer keeps between requests: the per-address limit in front of authentication and
/// the idempotent requests now running. (The windows themselves are the usage area's.)
pub fn setup(setup: &mut Setup) {
    setup.provide(preauth::PreAuthLimiter::default());
    setup.provide(idempotency::Running::default());
}

pub async fn handle(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let now = state.now_ms();
    let principal = match preauth::resolve(&state, &req, now).await {
        Ok(Some(p)) => p,
        // No credentials: the route decides (sign-in is open; everything else answers 401).
        Ok(None) => return next.run(req).await,
        Err(e) => return e.into_response(),
    };
    if principal.is_session() && is_cross_origin(req.method(), req.headers()) {
        return AppError::Forbidden("Requests that change things must come from the console's own origin.".into())
            .into_response();
    }
    let route = format!(
        "{} {}",
        req.method(),
        req.extensions().get::<MatchedPath>().map(|p| p.as_str()).unwrap_or("(unmatched)")
    );
    let caller = principal.caller_label();
    let tenant_id = principal.tenant_id.clone();
    // API keys spend the tenant's Public API window, a console session its own.
    let admission = usage::admission::admit(&state, &principal, now);
    usage::Usage::of(&state).recorder.record(&tenant_id, now, &route, &caller, admission.refused_for_secs.is_some());
    let mut response = match admission.refusal() {
        Some(refused) => refused.into_response(),
        None => {
            req.extensions_mut().insert(principal.clone());
            idempotency::run(&state, &principal, req, next).await
        }
    };
    add_window_headers(response.headers_mut(), admission.window);
    // Thresholds judge the Public API window only: the console's own use never raises them.
    if admission.allowance == Allowance::PublicApi {
        usage::alerts::observe(&state, &tenant_id, admission.window).await;
    }
    response
}

fn add_window_headers(headers: &mut HeaderMap, window: WindowState) {
    headers.insert(RATE_LIMIT_LIMIT, HeaderValue::from(window.limit));
    headers.insert(RATE_LIMIT_REMAINING, HeaderValue::from(window.remaining));
    headers.insert(RATE_LIMIT_RESET, HeaderValue::from(window.reset_secs));
}

/// A state-changing request whose `Origin` names another host than the one it was sent to.
fn is_cross_origin(method: &Method, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return false };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or(origin);
    origin_host != host
}
