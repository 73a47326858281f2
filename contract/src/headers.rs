//! Header names both sides use.

pub const RATE_LIMIT_LIMIT: &str = "x-ratelimit-limit";
pub const RATE_LIMIT_REMAINING: &str = "x-ratelimit-remaining";
pub const RATE_LIMIT_RESET: &str = "x-ratelimit-reset";
pub const RETRY_AFTER: &str = "retry-after";
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// Set on a response replayed from the idempotency store.
pub const IDEMPOTENT_REPLAYED: &str = "idempotent-replayed";
pub const SESSION_COOKIE: &str = "sluice_session";
/// The session cookie's name when the console is served over HTTPS: the `__Host-` prefix makes
/// the browser refuse it unless it is `Secure`, host-only and for `/`.
pub const SESSION_COOKIE_SECURE: &str = "__Host-sluice_session";
