//! The retry and backoff policy, shared by the console's `send()` and the server's outbound calls.
//!
//! Pure code: the clock (`now_ms`, Unix milliseconds) and randomness (`random`, a number in
//! `[0, 1)`) are inputs, so every delay is exact in tests.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How a caller backs off. Delays are in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// First backoff step when the server gave no `Retry-After`.
    pub base_ms: u64,
    /// No computed backoff is longer than this.
    pub cap_ms: u64,
    /// A server's `Retry-After` longer than this is not waited out: the caller gives up instead.
    pub max_retry_after_ms: u64,
    /// Retries of one request; the first try is not counted.
    pub max_retries: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { base_ms: 500, cap_ms: 30_000, max_retry_after_ms: 120_000, max_retries: 6 }
    }
}

/// Why a request is not retried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiveUp {
    /// `max_retries` reached.
    RetriesExhausted,
    /// The server asked for a wait longer than the caller accepts.
    WaitTooLong { retry_after_ms: u64 },
    /// The shared budget is spent: retrying now would feed a storm.
    BudgetSpent,
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1 for the first retry).
    ///
    /// `Retry-After` wins when the server sent one and it is within `max_retry_after_ms`;
    /// otherwise exponential backoff with full jitter: `random * min(cap, base * 2^(retry-1))`.
    pub fn delay(&self, retry: u32, retry_after_ms: Option<u64>, random: f64) -> Result<u64, GiveUp> {
        if retry > self.max_retries {
            return Err(GiveUp::RetriesExhausted);
        }
        if let Some(wait) = retry_after_ms {
            if wait > self.max_retry_after_ms {
                return Err(GiveUp::WaitTooLong { retry_after_ms: wait });
            }
            return Ok(wait);
        }
        Ok(self.backoff(retry, random))
    }

    /// Exponential backoff with full jitter, never above `cap_ms`.
    pub fn backoff(&self, retry: u32, random: f64) -> u64 {
        let exp = retry.saturating_sub(1).min(40);
        let ceiling = self.base_ms.saturating_mul(1u64 << exp).min(self.cap_ms);
        let random = random.clamp(0.0, 1.0);
        ((ceiling as f64) * random).floor().min(ceiling as f64) as u64
    }
}

/// Status codes that mean "come back later" rather than "this request is wrong".
pub fn is_retryable_status(status: u16) -> bool {
    status == 429 || status == 503
}

/// A request may be sent again only if repeating it cannot do the work twice.
pub fn is_safe_to_retry(method: &str, has_idempotency_key: bool) -> bool {
    matches!(method.to_ascii_uppercase().as_str(), "GET" | "HEAD" | "OPTIONS") || has_idempotency_key
}

/// Parses `Retry-After`: delta-seconds (`"12"`) or an HTTP-date, as milliseconds from `now_ms`.
/// A date in the past means "now" (0).
pub fn parse_retry_after(value: &str, now_ms: u64) -> Option<u64> {
    parse_retry_after_with(value, now_ms, http_date_ms)
}

/// [`parse_retry_after`] with the HTTP-date parser given: the console passes the browser's own
/// (`Date.parse` reads the same formats) rather than carry one in its wasm.
pub fn parse_retry_after_with(value: &str, now_ms: u64, http_date: impl Fn(&str) -> Option<u64>) -> Option<u64> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(secs.saturating_mul(1000));
    }
    Some(http_date(value)?.saturating_sub(now_ms))
}

/// `Retry-After` read against the response's own `Date` when it has one: an HTTP-date names a
/// moment on the server's clock, so the wait is that moment minus the server's now, not ours.
pub fn retry_after_ms(value: &str, date: Option<&str>, local_now_ms: u64) -> Option<u64> {
    retry_after_ms_with(value, date, local_now_ms, http_date_ms)
}

/// [`retry_after_ms`] with the HTTP-date parser given (see [`parse_retry_after_with`]).
pub fn retry_after_ms_with(
    value: &str,
    date: Option<&str>,
    local_now_ms: u64,
    http_date: impl Fn(&str) -> Option<u64>,
) -> Option<u64> {
    let server_now = date.and_then(|d| http_date(d.trim())).unwrap_or(local_now_ms);
    parse_retry_after_with(value, server_now, http_date)
}

/// An HTTP-date (`Sun, 06 Nov 1994 08:49:37 GMT`) as Unix milliseconds.
pub fn http_date_ms(value: &str) -> Option<u64> {
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(UNIX_EPOCH).ok()?.as_millis() as u64)
}

/// Formats an HTTP-date for `Retry-After` (used by tests and fakes).
pub fn format_http_date(unix_ms: u64) -> String {
    httpdate::fmt_http_date(SystemTime::UNIX_EPOCH + Duration::from_millis(unix_ms))
}

/// What a response said about the caller's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitInfo {
    pub limit: u64,
    pub remaining: u64,
    /// Seconds until the window has room again (for a rolling window: until the oldest counted
    /// request leaves it).
    pub reset_secs: u64,
}

/// Reads `X-RateLimit-*`, or failing those the IETF draft's `RateLimit: limit=.., remaining=..,
/// reset=..` (with `RateLimit-Policy` for the limit when `RateLimit` lacks it).
pub fn parse_rate_limit(header: impl Fn(&str) -> Option<String>) -> Option<RateLimitInfo> {
    let num = |name: &str| header(name).and_then(|v| v.trim().parse::<u64>().ok());
    if let (Some(limit), Some(remaining)) = (num("x-ratelimit-limit"), num("x-ratelimit-remaining")) {
        return Some(RateLimitInfo { limit, remaining, reset_secs: num("x-ratelimit-reset").unwrap_or(0) });
    }
    let draft = header("ratelimit")?;
    let param = |text: &str, key: &str| {
        text.split([',', ';'])
            .filter_map(|part| part.trim().split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(key))
            .and_then(|(_, v)| v.trim().trim_matches('"').parse::<u64>().ok())
    };
    let remaining = param(&draft, "remaining").or_else(|| param(&draft, "r"))?;
    let limit = param(&draft, "limit").or_else(|| param(&draft, "q")).or_else(|| {
        header("ratelimit-policy")
            .and_then(|p| param(&p, "q").or_else(|| p.split([',', ';']).next()?.trim().parse().ok()))
    })?;
    let reset_secs = param(&draft, "reset").or_else(|| param(&draft, "t")).unwrap_or(0);
    Some(RateLimitInfo { limit, remaining, reset_secs })
}

/// When only a few requests are left in the window, space the next ones out so the window is
/// not emptied at once: the time to reset shared over what remains. Zero while there is room.
pub fn pacing_delay_ms(info: &RateLimitInfo, low_water_fraction: f64) -> u64 {
    let low_water = ((info.limit as f64) * low_water_fraction).ceil() as u64;
    if info.limit == 0 || info.remaining > low_water {
        return 0;
    }
    info.reset_secs.saturating_mul(1000) / (info.remaining + 1)
}

/// A retry budget in the style of gRPC's retry throttling: each retry spends a token, each
/// success earns back a fraction of one. When the tokens run low, callers stop retrying, so a
/// storm is not multiplied by every client's retries.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryBudget {
    pub max_tokens: f64,
    pub tokens: f64,
    /// Tokens earned back per success.
    pub refund: f64,
}

impl RetryBudget {
    pub fn new(max_tokens: f64, refund: f64) -> Self {
        RetryBudget { max_tokens, tokens: max_tokens, refund }
    }

    /// Takes a token for one retry; `false` means do not retry.
    pub fn try_spend(&mut self) -> bool {
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    pub fn on_success(&mut self) {
        self.tokens = (self.tokens + self.refund).min(self.max_tokens);
    }
}

impl Default for RetryBudget {
    fn default() -> Self {
        RetryBudget::new(20.0, 0.2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const P: RetryPolicy = RetryPolicy { base_ms: 500, cap_ms: 30_000, max_retry_after_ms: 60_000, max_retries: 5 };

    proptest! {
        #[test]
        fn backoff_never_exceeds_the_cap(retry in 1u32..200, random in 0.0f64..1.0) {
            prop_assert!(P.delay(retry.min(5), None, random).unwrap() <= P.cap_ms);
            prop_assert!(P.backoff(retry, random) <= P.cap_ms);
        }

        #[test]
        fn retry_after_under_the_cap_is_honoured_exactly(wait in 0u64..=60_000, random in 0.0f64..1.0, retry in 1u32..=5) {
            prop_assert_eq!(P.delay(retry, Some(wait), random), Ok(wait));
        }

        #[test]
        fn retry_after_over_the_cap_gives_up(wait in 60_001u64..10_000_000) {
            prop_assert_eq!(P.delay(1, Some(wait), 0.5), Err(GiveUp::WaitTooLong { retry_after_ms: wait }));
        }

        #[test]
        fn http_dates_round_trip_to_the_second(now_s in 1_000_000_000u64..4_000_000_000, ahead in 0u64..86_400) {
            let now = now_s * 1000;
            let header = format_http_date(now + ahead * 1000);
            prop_assert_eq!(parse_retry_after(&header, now), Some(ahead * 1000));
        }
    }

    #[test]
    fn full_jitter_spans_zero_to_the_exponential_ceiling() {
        assert_eq!(P.backoff(1, 0.0), 0);
        assert_eq!(P.backoff(1, 0.999_999), 499);
        assert_eq!(P.backoff(3, 0.5), 1000); // ceiling 2000
        assert_eq!(P.backoff(30, 0.5), 15_000); // capped at 30 s
    }

    #[test]
    fn retries_stop_after_the_last_one() {
        assert!(P.delay(5, None, 0.1).is_ok());
        assert_eq!(P.delay(6, None, 0.1), Err(GiveUp::RetriesExhausted));
        assert_eq!(P.delay(6, Some(1000), 0.1), Err(GiveUp::RetriesExhausted));
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        assert_eq!(parse_retry_after("12", 0), Some(12_000));
        assert_eq!(parse_retry_after(" 1 ", 0), Some(1000));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1_445_412_470_000), Some(10_000));
        // A date already past means "go now".
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1_445_412_490_000), Some(0));
        assert_eq!(parse_retry_after("soon", 0), None);
        assert_eq!(parse_retry_after("-3", 0), None);
    }

    #[test]
    fn an_http_date_retry_after_is_read_against_the_responses_date() {
        let server_now = 1_445_412_470_000;
        let date = format_http_date(server_now);
        // Our clock is 5 minutes fast: the server's Date still gives the 10 s it meant.
        let local = server_now + 300_000;
        assert_eq!(retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT", Some(&date), local), Some(10_000));
        assert_eq!(retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT", None, local), Some(0));
        assert_eq!(retry_after_ms("7", Some(&date), local), Some(7_000));
    }

    #[test]
    fn budget_exhaustion_stops_retries_and_successes_refill_it() {
        let mut budget = RetryBudget::new(3.0, 0.5);
        assert!(budget.try_spend());
        assert!(budget.try_spend());
        assert!(budget.try_spend());
        assert!(!budget.try_spend(), "a spent budget refuses the next retry");
        budget.on_success();
        assert!(!budget.try_spend(), "half a token is not a retry");
        budget.on_success();
        assert!(budget.try_spend());
    }

    #[test]
    fn reads_x_ratelimit_and_ietf_headers() {
        let x = |n: &str| match n {
            "x-ratelimit-limit" => Some("500".to_string()),
            "x-ratelimit-remaining" => Some("7".to_string()),
            "x-ratelimit-reset" => Some("42".to_string()),
            _ => None,
        };
        assert_eq!(parse_rate_limit(x), Some(RateLimitInfo { limit: 500, remaining: 7, reset_secs: 42 }));
        let ietf = |n: &str| match n {
            "ratelimit" => Some("limit=100, remaining=0, reset=30".to_string()),
            _ => None,
        };
        assert_eq!(parse_rate_limit(ietf), Some(RateLimitInfo { limit: 100, remaining: 0, reset_secs: 30 }));
        let newer = |n: &str| match n {
            "ratelimit" => Some("\"default\";r=50;t=30".to_string()),
            "ratelimit-policy" => Some("\"default\";q=100;w=60".to_string()),
            _ => None,
        };
        assert_eq!(parse_rate_limit(newer), Some(RateLimitInfo { limit: 100, remaining: 50, reset_secs: 30 }));
        assert_eq!(parse_rate_limit(|_| None), None);
    }

    #[test]
    fn pacing_starts_only_near_the_end_of_the_window() {
        let roomy = RateLimitInfo { limit: 500, remaining: 400, reset_secs: 600 };
        assert_eq!(pacing_delay_ms(&roomy, 0.1), 0);
        let low = RateLimitInfo { limit: 500, remaining: 9, reset_secs: 100 };
        assert_eq!(pacing_delay_ms(&low, 0.1), 10_000);
        let empty = RateLimitInfo { limit: 500, remaining: 0, reset_secs: 3 };
        assert_eq!(pacing_delay_ms(&empty, 0.1), 3000);
    }

    #[test]
    fn only_safe_requests_are_retried() {
        assert!(is_safe_to_retry("GET", false));
        assert!(!is_safe_to_retry("POST", false));
        assert!(is_safe_to_retry("POST", true));
        assert!(is_retryable_status(429) && is_retryable_status(503) && !is_retryable_status(500));
    }
}
