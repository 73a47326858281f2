//! The per-tenant rolling window: at most `count` requests in any `window_secs`.
//!
//! Kept in memory for one instance; several instances would share it through the database or
//! Redis (DESIGN.md, "Storage and scale"), behind this same interface.

use crate::config::RateLimitSpec;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowState {
    pub limit: u64,
    pub used: u64,
    pub remaining: u64,
    /// Seconds until the oldest counted request leaves the window (0 when none is counted).
    pub reset_secs: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed(WindowState),
    Refused { state: WindowState, retry_after_secs: u64 },
}

pub struct RateLimiter {
    spec: RateLimitSpec,
    windows: Mutex<HashMap<String, VecDeque<u64>>>,
}

impl RateLimiter {
    pub fn new(spec: RateLimitSpec) -> Self {
        RateLimiter { spec, windows: Mutex::new(HashMap::new()) }
    }

    pub fn spec(&self) -> RateLimitSpec {
        self.spec
    }

    fn window_ms(&self) -> u64 {
        self.spec.window_secs * 1000
    }

    /// Counts a request of `tenant` at `now_ms` if the window has room.
    pub fn check(&self, tenant: &str, now_ms: u64) -> Verdict {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let window = windows.entry(tenant.to_string()).or_default();
        self.expire(window, now_ms);
        if (window.len() as u64) < self.spec.count {
            window.push_back(now_ms);
            Verdict::Allowed(self.state(window, now_ms))
        } else {
            let state = self.state(window, now_ms);
            Verdict::Refused { state, retry_after_secs: state.reset_secs.max(1) }
        }
    }

    /// The window as it stands, without counting anything.
    pub fn peek(&self, tenant: &str, now_ms: u64) -> WindowState {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        match windows.get_mut(tenant) {
            Some(window) => {
                self.expire(window, now_ms);
                self.state(window, now_ms)
            }
            None => WindowState { limit: self.spec.count, used: 0, remaining: self.spec.count, reset_secs: 0 },
        }
    }

    fn expire(&self, window: &mut VecDeque<u64>, now_ms: u64) {
        while window.front().is_some_and(|&t| t + self.window_ms() <= now_ms) {
            window.pop_front();
        }
    }

    fn state(&self, window: &VecDeque<u64>, now_ms: u64) -> WindowState {
        let used = window.len() as u64;
        let reset_secs = window
            .front()
            .map(|&oldest| (oldest + self.window_ms()).saturating_sub(now_ms).div_ceil(1000))
            .unwrap_or(0);
        WindowState { limit: self.spec.count, used, remaining: self.spec.count.saturating_sub(used), reset_secs }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_limit_passes_the_next_is_refused_until_the_oldest_leaves() {
        let limiter = RateLimiter::new(RateLimitSpec { count: 500, window_secs: 600 });
        let t0 = 1_000_000;
        for i in 0..500 {
            assert!(matches!(limiter.check("a", t0 + i), Verdict::Allowed(_)), "request {}", i + 1);
        }
        match limiter.check("a", t0 + 1000) {
            Verdict::Refused { retry_after_secs, state } => {
                assert_eq!(retry_after_secs, 599);
                assert_eq!(state.remaining, 0);
            }
            other => panic!("501st request allowed: {other:?}"),
        }
        // One millisecond before the oldest leaves: still closed; exactly then: one slot.
        assert!(matches!(limiter.check("a", t0 + 600_000 - 1), Verdict::Refused { retry_after_secs: 1, .. }));
        assert!(matches!(limiter.check("a", t0 + 600_000), Verdict::Allowed(s) if s.remaining == 0));
        assert!(matches!(limiter.check("a", t0 + 600_000), Verdict::Refused { .. }));
        // Tenants don't share a window.
        assert!(matches!(limiter.check("b", t0 + 600_000), Verdict::Allowed(s) if s.remaining == 499));
    }
}
