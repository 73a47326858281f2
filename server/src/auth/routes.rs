//! `POST /session` (sign in), `GET /session` (who am I), `DELETE /session` (sign out).

use super::session::{self, SESSION_TTL_MS};
use super::{session_token, sign_in, Principal};
use crate::error::{ApiJson, AppError, AppResult};
use crate::state::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use sluice_contract::error::ErrorBody;
use sluice_contract::session::{LoginRequest, SessionInfo};
use std::net::SocketAddr;
use utoipa_axum::{router::OpenApiRouter, routes};

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
    let (token, info) = session::start(&state, user, session_token(&headers)).await?;
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
    Ok(Json(session::describe(&state, principal).await?))
}

/// Sign out: the session is deleted on the server and the cookie cleared.
#[utoipa::path(delete, path = "/session", tag = "session", responses((status = 204)))]
async fn logout(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> AppResult<Response> {
    if let Some(token) = session_token(&headers) {
        session::end(&state, &token).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    let cookie = sign_in::cookie(None, crate::peer::is_https(&state.config, Some(peer.ip()), &headers), 0);
    response.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(AppError::internal)?);
    Ok(response)
}
