//! `/api/v1/session`: log in, who am I, log out.

use super::{idempotency_key, send, ApiError, ApiRequest, CancelToken};
use sluice_contract::session::{LoginRequest, SessionInfo};

/// Signs in; the server sets the session cookie. A 401 here is "wrong email or password".
pub async fn login(request: &LoginRequest) -> Result<SessionInfo, ApiError> {
    send(ApiRequest::post("/session", request, "Sign in")).await
}

/// The signed-in user and tenant; 401 `unauthenticated` when there is no session. The frame
/// needs it whatever page comes next, so it is not cancelled by navigation.
pub async fn current() -> Result<SessionInfo, ApiError> {
    send(ApiRequest::get("/session", "Load your session").cancel_with(CancelToken::new())).await
}

pub async fn logout() -> Result<(), ApiError> {
    send(ApiRequest::delete("/session", "Log out").idempotent(idempotency_key())).await
}
