//! `POST /session` (sign in), `GET /session` (who am I), `DELETE /session` (sign out).

use super::{session_token, sign_in, Actor, Principal};
use crate::error::{ApiJson, AppError, AppResult};
use crate::ids::{random_hex, secret_hash};
use crate::state::AppState;
use crate::store::{sessions, tenants};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use sluice_contract::error::ErrorBody;
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
    headers: HeaderMap,
    ApiJson(req): ApiJson<LoginRequest>,
) -> AppResult<Response> {
    req.validate()?;
    let ip = crate::peer::client_ip(&state.config, peer.ip(), &headers);
    let user = sign_in::check(&state, req.email.trim(), &req.password, ip).await?;
    let token = random_hex(32);
    let hash = secret_hash(&token);
    // The session the browser came with (if any) ends here: a sign-in always starts a new id,
    // so a session id planted before sign-in is worth nothing after it.
    let previous = session_token(&headers).map(|t| secret_hash(&t));
    let (tenant_id, user_id, now) = (user.tenant_id.clone(), user.id.clone(), state.now_ms());
    let tenant_name = state
        .store
        .call(move |c| {
            sessions::delete_expired(c, now)?;
            if let Some(previous) = previous {
                sessions::delete(c, &previous)?;
            }
            sessions::insert(c, &hash, &tenant_id, &user_id, now, now + SESSION_TTL_MS)?;
            tenants::tenant_name(c, &tenant_id)
        })
        .await?
        .unwrap_or_default();
    let info = SessionInfo {
        user: UserInfo { id: user.id, email: user.email },
        tenant: TenantInfo { id: user.tenant_id, name: tenant_name },
    };
    let https = crate::peer::is_https(&state.config, Some(peer.ip()), &headers);
    let cookie = sign_in::cookie(Some(&token), https, SESSION_TTL_MS / 1000);
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
async fn logout(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> AppResult<Response> {
    if let Some(token) = session_token(&headers) {
        let hash = secret_hash(&token);
        state.store.call(move |c| sessions::delete(c, &hash)).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    let cookie = sign_in::cookie(None, crate::peer::is_https(&state.config, Some(peer.ip()), &headers), 0);
    response.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(AppError::internal)?);
    Ok(response)
}
