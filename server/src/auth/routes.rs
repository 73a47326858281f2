//! `POST /session` (sign in), `GET /session` (who am I), `DELETE /session` (sign out).

use super::{password, session_token, Actor, Principal};
use crate::error::{ApiJson, AppError, AppResult};
use crate::ids::{random_hex, secret_hash};
use crate::state::AppState;
use crate::store::{sessions, tenants};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use sluice_contract::error::ErrorBody;
use sluice_contract::headers::SESSION_COOKIE;
use sluice_contract::session::{LoginRequest, SessionInfo, TenantInfo, UserInfo};
use std::net::SocketAddr;
use utoipa_axum::{router::OpenApiRouter, routes};

pub const SESSION_TTL_MS: u64 = 12 * 3600 * 1000;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(login, current, logout))
}

/// Sign in to the console: sets an `HttpOnly; SameSite=Strict` session cookie.
#[utoipa::path(post, path = "/session", tag = "session", request_body = LoginRequest,
    responses((status = 200, body = SessionInfo), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> AppResult<Response> {
    req.validate()?;
    let now = state.now_ms();
    let ip = Some(peer.ip());
    let email = req.email.trim().to_string();
    if let Some(retry_after_secs) = state.login_guard.locked_for(&email, ip, now) {
        return Err(AppError::TooManyAttempts { retry_after_secs });
    }
    let lookup = email.clone();
    let user = state.store.call(move |c| tenants::user_by_email(c, &lookup)).await?;
    let password = req.password.clone();
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    // Verify even for unknown emails so both answers take the same time.
    let ok = tokio::task::spawn_blocking(move || {
        let ok = password::verify(&password, stored.as_deref().unwrap_or(password::decoy_hash()));
        ok && stored.is_some()
    })
    .await
    .map_err(AppError::internal)?;
    let Some(user) = user.filter(|_| ok) else {
        state.login_guard.failed(&email, ip, now);
        tracing::info!(email_hash = %&secret_hash(&email.to_lowercase())[..12], "sign-in failed");
        // The failure that crosses the threshold is answered as a lock-out at once, so the
        // admin learns how long to wait instead of trying again.
        if let Some(retry_after_secs) = state.login_guard.locked_for(&email, ip, now) {
            return Err(AppError::TooManyAttempts { retry_after_secs });
        }
        return Err(AppError::InvalidCredentials);
    };
    state.login_guard.succeeded(&email);
    let token = random_hex(32);
    let hash = secret_hash(&token);
    let (tenant_id, user_id) = (user.tenant_id.clone(), user.id.clone());
    let tenant_name = state
        .store
        .call(move |c| {
            sessions::delete_expired(c, now)?;
            sessions::insert(c, &hash, &tenant_id, &user_id, now, now + SESSION_TTL_MS)?;
            tenants::tenant_name(c, &tenant_id)
        })
        .await?
        .unwrap_or_default();
    let info = SessionInfo {
        user: UserInfo { id: user.id, email: user.email },
        tenant: TenantInfo { id: user.tenant_id, name: tenant_name },
    };
    let cookie =
        format!("{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}", SESSION_TTL_MS / 1000);
    let mut response = Json(info).into_response();
    response.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(AppError::internal)?);
    Ok(response)
}

/// Who is signed in, and to which tenant.
#[utoipa::path(get, path = "/session", tag = "session",
    responses((status = 200, body = SessionInfo), (status = 401, body = ErrorBody)))]
async fn current(State(state): State<AppState>, principal: Principal) -> AppResult<Json<SessionInfo>> {
    let tenant_id = principal.tenant_id.clone();
    let name = state.store.call(move |c| tenants::tenant_name(c, &tenant_id)).await?.unwrap_or_default();
    let user = match principal.actor {
        Actor::User { id, email, .. } => UserInfo { id, email },
        Actor::ApiKey { id, name } => UserInfo { id, email: format!("API key {name}") },
    };
    Ok(Json(SessionInfo { user, tenant: TenantInfo { id: principal.tenant_id, name } }))
}

/// Sign out: the session is deleted on the server and the cookie cleared.
#[utoipa::path(delete, path = "/session", tag = "session", responses((status = 204)))]
async fn logout(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    if let Some(token) = session_token(&headers) {
        let hash = secret_hash(&token);
        state.store.call(move |c| sessions::delete(c, &hash)).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    let cookie = format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    response.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(AppError::internal)?);
    Ok(response)
}
