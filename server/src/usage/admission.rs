//! Which rolling window a request spends, and whether it has room.
//!
//! API keys spend the tenant's Public API window (`--rate-limit`); each console session spends its
//! own window (`--console-rate-limit`). Two windows so that a runaway integration with an API key
//! can never lock the admin out of the console that shows who is using the quota.

use super::limiter::{Verdict, WindowState};
use crate::auth::{Actor, Principal};
use crate::error::AppError;
use crate::state::AppState;

/// The window a caller spends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowance {
    /// The tenant's Public API window, shared by all its API keys.
    PublicApi,
    /// One console session's own window.
    Console,
}

/// What the request layer learns for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admission {
    pub allowance: Allowance,
    /// The window after this request (the one the response's headers describe).
    pub window: WindowState,
    pub window_secs: u64,
    /// `Some(seconds)` when the request is refused: its `Retry-After`.
    pub refused_for_secs: Option<u64>,
}

/// Counts the request against the caller's window if it has room.
pub fn admit(state: &AppState, principal: &Principal, now_ms: u64) -> Admission {
    let (allowance, limiter, key) = match &principal.actor {
        Actor::User { session, .. } => (Allowance::Console, &super::Usage::of(state).console_limiter, session.as_str()),
        Actor::ApiKey { .. } => (Allowance::PublicApi, &super::Usage::of(state).limiter, principal.tenant_id.as_str()),
    };
    let window_secs = limiter.spec().window_secs;
    match limiter.check(key, now_ms) {
        Verdict::Allowed(window) => Admission { allowance, window, window_secs, refused_for_secs: None },
        Verdict::Refused { state: window, retry_after_secs } => {
            Admission { allowance, window, window_secs, refused_for_secs: Some(retry_after_secs) }
        }
    }
}

impl Admission {
    /// The 429 for a refused request: the same body for both windows, naming which one is spent.
    pub fn refusal(&self) -> Option<AppError> {
        let retry_after_secs = self.refused_for_secs?;
        let who = match self.allowance {
            Allowance::PublicApi => "This tenant's Public API",
            Allowance::Console => "This console session",
        };
        Some(AppError::RateLimited {
            retry_after_secs,
            message: format!(
                "{who} has used all {} requests of its {}-second window. Try again in {retry_after_secs} s.",
                self.window.limit, self.window_secs
            ),
        })
    }
}

/// The console session's own window as it stands, without counting anything.
pub fn console_window(state: &AppState, session: &str, now_ms: u64) -> WindowState {
    super::Usage::of(state).console_limiter.peek(session, now_ms)
}
