//! Who is calling: a console session (cookie) or a program (tenant API key).

pub mod guard;
pub mod password;
pub mod routes;
pub mod session;
pub mod sign_in;

use crate::area::AreaDef;

use crate::error::AppError;
use crate::ids::secret_hash;
use crate::state::AppState;
use crate::store::{api_keys, sessions, tenants};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use sluice_contract::headers::{SESSION_COOKIE, SESSION_COOKIE_SECURE};

pub const AREA: AreaDef = AreaDef {
    name: "auth",
    setup: |setup| {
        setup.provide(Auth::default());
        Ok(())
    },
    routes: routes::routes,
    start: None,
    demo: None,
};

/// The area's own state: failed sign-ins per email and address.
#[derive(Default)]
pub struct Auth {
    pub login_guard: guard::LoginGuard,
}

impl Auth {
    pub fn of(state: &AppState) -> &Auth {
        state.part::<Auth>()
    }
}

/// How usage history names console sessions ([`Principal::caller_label`]).
pub const CONSOLE_CALLER: &str = "console";

/// The authenticated caller, scoped to one tenant.
#[derive(Debug, Clone)]
pub struct Principal {
    pub tenant_id: String,
    pub actor: Actor,
}

#[derive(Debug, Clone)]
pub enum Actor {
    /// `session` is the hash of the session's cookie token: the key of its own rate-limit window.
    User {
        id: String,
        email: String,
        session: String,
    },
    ApiKey {
        id: String,
        name: String,
    },
}

impl Principal {
    /// How usage reports name this caller.
    pub fn caller_label(&self) -> String {
        match &self.actor {
            Actor::User { .. } => CONSOLE_CALLER.to_string(),
            Actor::ApiKey { name, .. } => format!("key: {name}"),
        }
    }

    /// Who did it, for "acknowledged by".
    pub fn actor_label(&self) -> String {
        match &self.actor {
            Actor::User { email, .. } => email.clone(),
            Actor::ApiKey { name, .. } => format!("API key {name}"),
        }
    }

    /// Who within the tenant, for scoping what is kept per caller (idempotency records).
    pub fn caller_id(&self) -> String {
        match &self.actor {
            Actor::User { id, .. } => format!("user:{id}"),
            Actor::ApiKey { id, .. } => format!("key:{id}"),
        }
    }

    pub fn is_session(&self) -> bool {
        matches!(self.actor, Actor::User { .. })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .ok_or(AppError::Unauthenticated("Sign in, or send a tenant API key as Authorization: Bearer <key>."))
    }
}

/// The session token from the cookie header, if any: the `__Host-` cookie set over HTTPS, or
/// the plain one set over HTTP.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    let cookies = || {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
    };
    [SESSION_COOKIE_SECURE, SESSION_COOKIE]
        .into_iter()
        .find_map(|wanted| cookies().find(|(name, _)| *name == wanted))
        .map(|(_, value)| value.to_string())
}

/// Resolves the caller from `Authorization: Bearer` or the session cookie. `Ok(None)` when the
/// request carries neither; a bearer key that is wrong or revoked is refused outright.
pub async fn resolve(state: &AppState, headers: &HeaderMap, now: u64) -> Result<Option<Principal>, AppError> {
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        let key = auth
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .ok_or(AppError::Unauthenticated("Send the API key as Authorization: Bearer <key>."))?
            .to_string();
        let hash = secret_hash(&key);
        let owner = state.store.call(move |c| api_keys::authenticate(c, &hash, now)).await?;
        let owner = owner.ok_or(AppError::Unauthenticated("This API key is not valid or has been revoked."))?;
        return Ok(Some(Principal {
            tenant_id: owner.tenant_id,
            actor: Actor::ApiKey { id: owner.id, name: owner.name },
        }));
    }
    let Some(token) = session_token(headers) else { return Ok(None) };
    let hash = secret_hash(&token);
    let found = state
        .store
        .call(move |c| {
            let Some(session) = sessions::find_live(c, &hash, now)? else { return Ok(None) };
            let email = tenants::user_email(c, &session.user_id)?.unwrap_or_default();
            let actor = Actor::User { id: session.user_id, email, session: hash };
            Ok(Some(Principal { tenant_id: session.tenant_id, actor }))
        })
        .await?;
    Ok(found)
}

/// Whether the caller's credentials still hold: the session not ended or expired, the key not
/// revoked (long-lived streams ask, so that signing out ends them).
pub async fn still_valid(state: &AppState, principal: &Principal) -> Result<bool, AppError> {
    let now = state.now_ms();
    match &principal.actor {
        Actor::User { session, .. } => {
            let hash = session.clone();
            state.store.call(move |c| Ok(sessions::find_live(c, &hash, now)?.is_some())).await
        }
        Actor::ApiKey { id, .. } => {
            let (tenant, id) = (principal.tenant_id.clone(), id.clone());
            state.store.call(move |c| Ok(api_keys::get(c, &tenant, &id)?.is_some_and(|k| k.revoked_at.is_none()))).await
        }
    }
}
