//! Console sessions: start one after a good sign-in, say who it is, end it.

use super::{Actor, Principal};
use crate::error::AppResult;
use crate::ids::{random_hex, secret_hash};
use crate::state::AppState;
use crate::store::tenants::UserRow;
use crate::store::{sessions, tenants};
use sluice_contract::session::{SessionInfo, TenantInfo, UserInfo};

pub const SESSION_TTL_MS: u64 = 12 * 3600 * 1000;

/// A new session for `user`; answers its token (for the cookie, never stored) and who it is.
/// The session the browser came with (`previous` token), if any, ends here: a sign-in always
/// starts a new id, so a session id planted before sign-in is worth nothing after it.
pub async fn start(state: &AppState, user: UserRow, previous: Option<String>) -> AppResult<(String, SessionInfo)> {
    let token = random_hex(32);
    let hash = secret_hash(&token);
    let previous = previous.map(|t| secret_hash(&t));
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
    Ok((token, info))
}

/// Who is calling, and in which tenant.
pub async fn describe(state: &AppState, principal: Principal) -> AppResult<SessionInfo> {
    let tenant_id = principal.tenant_id.clone();
    let name = state.store.call(move |c| tenants::tenant_name(c, &tenant_id)).await?.unwrap_or_default();
    let user = match principal.actor {
        Actor::User { id, email, .. } => UserInfo { id, email },
        Actor::ApiKey { id, name } => UserInfo { id, email: format!("API key {name}") },
    };
    Ok(SessionInfo { user, tenant: TenantInfo { id: principal.tenant_id, name } })
}

/// Deletes the session with this token (nothing when there is none).
pub async fn end(state: &AppState, token: &str) -> AppResult<()> {
    let hash = secret_hash(token);
    state.store.call(move |c| sessions::delete(c, &hash)).await
}
