//! Checking a password, throttled; the session cookie's form.

use super::guard::LoginGuard;
use super::password;
use crate::error::{AppError, AppResult};
use crate::ids::secret_hash;
use crate::state::AppState;
use crate::store::tenants::{self, UserRow};
use sluice_contract::headers::{SESSION_COOKIE, SESSION_COOKIE_SECURE};
use std::net::IpAddr;
use tokio::sync::Semaphore;

/// argon2 takes 19 MiB and tens of milliseconds per check: a burst of sign-ins waits here
/// instead of exhausting memory or the blocking pool every SQLite call shares.
static VERIFYING: Semaphore = Semaphore::const_new(2);

/// The user whose password this is, or why not. The attempt is counted before the password is
/// checked and refunded when it was right, so parallel guesses cannot pass the limit together.
pub async fn check(state: &AppState, email: &str, password: &str, ip: IpAddr) -> AppResult<UserRow> {
    let guard: &LoginGuard = &super::Auth::of(state).login_guard;
    let now = state.now_ms();
    let attempt =
        guard.begin(email, ip, now).map_err(|retry_after_secs| AppError::TooManyAttempts { retry_after_secs })?;
    let lookup = email.to_string();
    let user = state.store.call(move |c| tenants::user_by_email(c, &lookup)).await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let password = password.to_string();
    let permit = VERIFYING.acquire().await.map_err(AppError::internal)?;
    // Verify even for unknown emails so both answers take the same time.
    let ok = tokio::task::spawn_blocking(move || {
        password::verify(&password, stored.as_deref().unwrap_or(password::decoy_hash())) && stored.is_some()
    })
    .await
    .map_err(AppError::internal)?;
    drop(permit);
    match user.filter(|_| ok) {
        Some(user) => {
            guard.succeeded(attempt, state.now_ms());
            Ok(user)
        }
        None => {
            tracing::info!(email_hash = %&secret_hash(&email.to_lowercase())[..12], %ip, "sign-in failed");
            // The failure that crosses a threshold is answered as a lock-out at once, so the
            // admin learns how long to wait instead of trying again.
            match guard.locked_for(&attempt, state.now_ms()) {
                Some(retry_after_secs) => Err(AppError::TooManyAttempts { retry_after_secs }),
                None => Err(AppError::InvalidCredentials),
            }
        }
    }
}

/// `Set-Cookie` for `token` (or clearing it, with `None`). Over HTTPS it is `Secure` with the
/// `__Host-` prefix, which the browser enforces: no other host or path can plant or read it.
pub fn cookie(token: Option<&str>, https: bool, max_age_secs: u64) -> String {
    let (name, secure) = if https { (SESSION_COOKIE_SECURE, "; Secure") } else { (SESSION_COOKIE, "") };
    let (value, max_age) = match token {
        Some(t) => (t, max_age_secs),
        None => ("", 0),
    };
    format!("{name}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}")
}
