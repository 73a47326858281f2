//! The gate: the one implementation of how the console (and the storm benchmark) holds and
//! releases requests around a rate limit. The console's `src/api/gate` is a thin async shell
//! around it; `bench/src/bin/storm.rs` drives the very same type with the same [`CONSOLE`] constants.
//!
//! Pure state: the caller passes the time (`now_ms`, Unix ms) and randomness (`random` in `[0, 1)`)
//! in and does the waiting. The rules:
//! * A refusal (429) or a busy server (503) closes the gate for every request: `Retry-After` is a
//!   floor (at least `min_wait_ms`) plus a little jitter; without one, exponential backoff.
//! * When a closed window reopens, **one** request goes first; the rest follow only once a response
//!   reports room (`X-RateLimit-Remaining` above zero). A rolling window usually frees one slot at
//!   a time, so releasing the whole queue at once would earn a fresh 429 for nearly each of them.
//! * A window reported empty (`Remaining: 0`) closes the gate until its `Reset`, which ages with
//!   time; when few requests remain, sends are spaced over the time to reset.
//! * A wait longer than the policy's `max_retry_after_ms` is not a failure: the gate stays closed
//!   until the server's moment and the request keeps waiting (the view says when it reopens).
//! * Tabs share one window (one console session), so the one-request-first rule holds across them:
//!   a tab that learns of a closure comes back up to `jitter_ms` after the tab that was refused,
//!   and a tab that sends the first request says so ([`Shared::probe_until_ms`]); the others wait
//!   for its answer instead of sending first requests of their own.

mod tabs;
#[cfg(test)]
mod tests;

pub use tabs::Shared;

use crate::retry::{pacing_delay_ms, RateLimitInfo, RetryBudget, RetryPolicy};

/// Tunables of the gate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GateConfig {
    pub policy: RetryPolicy,
    /// Retry budget: tokens, and tokens earned back per success.
    pub budget_tokens: f64,
    pub budget_refund: f64,
    /// Pacing starts when `remaining` falls to this fraction of the limit.
    pub low_water: f64,
    /// No pacing pause is longer than this.
    pub max_pacing_ms: u64,
    /// The least a refusal closes the gate for (`Retry-After: 0` included).
    pub min_wait_ms: u64,
    /// Up to this much is added to a `Retry-After`, so tabs and clients do not all return at once.
    pub jitter_ms: u64,
    /// The first request into a reopened window that has no answer after this is presumed lost.
    pub probe_timeout_ms: u64,
}

/// What the console ships with, and what the storm benchmark measures.
pub const CONSOLE: GateConfig = GateConfig {
    policy: RetryPolicy { base_ms: 500, cap_ms: 30_000, max_retry_after_ms: 120_000, max_retries: 6 },
    budget_tokens: 20.0,
    budget_refund: 0.2,
    low_water: 0.1,
    max_pacing_ms: 10_000,
    min_wait_ms: 250,
    jitter_ms: 500,
    probe_timeout_ms: 30_000,
};

impl Default for GateConfig {
    fn default() -> Self {
        CONSOLE
    }
}

/// The gate's answer to "may a request go now?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// Send it now (the send is counted).
    Go,
    /// Ask again after this many ms, or sooner when the gate changes.
    Wait(u64),
}

/// How a released request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// A response that is not a refusal (2xx, or an error that retrying cannot fix).
    Done { ok: bool },
    /// 429 from the rate limit, with its `Retry-After` (ms, already read against the response's `Date`).
    Refused { retry_after_ms: Option<u64> },
    /// 503: the server is busy.
    Busy { retry_after_ms: Option<u64> },
    /// No response: the network failed or the request timed out.
    NetworkError,
    /// Cancelled after it was released: it may never have reached the server.
    Dropped,
}

/// Why the gate closed, for the words the admin sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Closure {
    #[default]
    Limit,
    Busy,
}

/// Why a request is not tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    RetriesExhausted,
    BudgetSpent,
    /// A state change without an `Idempotency-Key`: sending it again could do it twice.
    NotSafe,
}

/// What the caller does next with the request that got `Answer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Hand the response to the caller.
    Finish,
    /// Go through the gate again, not before this moment (Unix ms).
    Retry {
        not_before_ms: u64,
    },
    GiveUp(Stop),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Probe {
    /// Requests flow as the window allows.
    Open,
    /// The window was closed: the next request released is the only one until an answer.
    Needed,
    InFlight {
        since_ms: u64,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Gate {
    config: GateConfig,
    budget: RetryBudget,
    closed_until_ms: u64,
    closure: Closure,
    /// What the last response said, with our own sends since counted off `remaining`.
    window: Option<RateLimitInfo>,
    window_at_ms: u64,
    last_send_ms: Option<u64>,
    probe: Probe,
    /// Another tab's first request into the reopened window is out until then.
    probe_elsewhere_until_ms: u64,
    /// The closure another tab announced (without this tab's jitter on top).
    learnt_closure_ms: u64,
}

impl Gate {
    pub fn new(config: GateConfig) -> Self {
        Gate {
            config,
            budget: RetryBudget::new(config.budget_tokens, config.budget_refund),
            closed_until_ms: 0,
            closure: Closure::Limit,
            window: None,
            window_at_ms: 0,
            last_send_ms: None,
            probe: Probe::Open,
            probe_elsewhere_until_ms: 0,
            learnt_closure_ms: 0,
        }
    }

    pub fn config(&self) -> GateConfig {
        self.config
    }

    /// Until when the gate is closed, if it is at `now_ms`.
    pub fn closed_until(&self, now_ms: u64) -> Option<u64> {
        (self.closed_until_ms > now_ms).then_some(self.closed_until_ms)
    }

    pub fn closure(&self) -> Closure {
        self.closure
    }

    /// True from a closure until a response reports room: one request at a time.
    pub fn reopening(&self) -> bool {
        self.probe != Probe::Open
    }

    /// True while this tab's first request into a reopened window has no answer (other tabs
    /// should hear of it: [`Gate::shared`]).
    pub fn probing(&self) -> bool {
        matches!(self.probe, Probe::InFlight { .. })
    }

    /// The window as last reported, aged to `now_ms` (and counted down by our own sends).
    pub fn window(&self, now_ms: u64) -> Option<RateLimitInfo> {
        self.window.map(|w| self.aged(w, now_ms))
    }

    /// `reset_secs` counted down by the time since the window was reported; once it has passed,
    /// the oldest request has left and at least one slot is free.
    fn aged(&self, mut w: RateLimitInfo, now_ms: u64) -> RateLimitInfo {
        let reset_at = self.window_at_ms + w.reset_secs * 1000;
        w.reset_secs = reset_at.saturating_sub(now_ms).div_ceil(1000);
        // Once the reset has passed at least one slot is free — unless this tab spent it since.
        let spent_since = self.last_send_ms.is_some_and(|last| last >= reset_at);
        if now_ms >= reset_at && w.limit > 0 && !spent_since {
            w.remaining = w.remaining.max(1);
        }
        w
    }

    /// May a request go now? `Go` counts the send; `Wait` reserves nothing.
    pub fn try_pass(&mut self, now_ms: u64) -> Pass {
        if self.closed_until_ms > now_ms {
            return Pass::Wait(self.closed_until_ms - now_ms);
        }
        match self.probe {
            Probe::InFlight { since_ms } if now_ms < since_ms + self.config.probe_timeout_ms => {
                return Pass::Wait(since_ms + self.config.probe_timeout_ms - now_ms);
            }
            Probe::Needed if self.probe_elsewhere_until_ms > now_ms => {
                return Pass::Wait(self.probe_elsewhere_until_ms - now_ms);
            }
            Probe::InFlight { .. } | Probe::Needed => {
                self.probe = Probe::InFlight { since_ms: now_ms };
                self.count_send(now_ms);
                return Pass::Go;
            }
            Probe::Open => {}
        }
        if let Some(w) = self.window(now_ms) {
            if w.remaining == 0 {
                let until = self.empty_until(now_ms);
                self.close(until, Closure::Limit);
                return Pass::Wait(until - now_ms);
            }
            let pause = pacing_delay_ms(&w, self.config.low_water).min(self.config.max_pacing_ms);
            if let Some(last) = self.last_send_ms.filter(|&last| last + pause > now_ms) {
                return Pass::Wait(last + pause - now_ms);
            }
        }
        self.count_send(now_ms);
        Pass::Go
    }

    /// A window with nothing left is closed until its oldest request leaves (then one goes first).
    fn empty_until(&self, now_ms: u64) -> u64 {
        let reported = self.window.map_or(0, |raw| raw.reset_secs);
        (self.window_at_ms + reported * 1000).max(now_ms + self.config.min_wait_ms)
    }

    fn count_send(&mut self, now_ms: u64) {
        self.last_send_ms = Some(now_ms);
        if let Some(w) = self.window.as_mut() {
            w.remaining = w.remaining.saturating_sub(1);
        }
    }

    fn close(&mut self, until_ms: u64, closure: Closure) {
        if until_ms > self.closed_until_ms {
            self.closed_until_ms = until_ms;
            self.closure = closure;
        }
        if !matches!(self.probe, Probe::InFlight { .. }) {
            self.probe = Probe::Needed;
        }
    }

    /// Learns from how a released request ended; `retries` is how many times it was already
    /// retried, `safe` whether sending it again cannot do the work twice.
    pub fn on_answer(
        &mut self,
        now_ms: u64,
        answer: Answer,
        window: Option<RateLimitInfo>,
        retries: u32,
        safe: bool,
        random: f64,
    ) -> Next {
        if let Some(w) = window {
            self.window = Some(w);
            self.window_at_ms = now_ms;
        }
        let cfg = self.config;
        let refused = match answer {
            Answer::Refused { retry_after_ms } => Some((retry_after_ms, Closure::Limit)),
            Answer::Busy { retry_after_ms } => Some((retry_after_ms, Closure::Busy)),
            _ => None,
        };
        if let Some((retry_after_ms, closure)) = refused {
            let wait = match retry_after_ms {
                // A floor, plus jitter so that tabs and clients do not all come back at once.
                Some(ra) => ra.max(cfg.min_wait_ms) + (random.clamp(0.0, 1.0) * cfg.jitter_ms as f64) as u64,
                None => cfg.policy.backoff(retries + 1, random).max(cfg.min_wait_ms),
            };
            self.probe = Probe::Needed;
            self.close(now_ms + wait, closure);
            return self.retry_or_stop(now_ms, retries, safe);
        }
        match answer {
            Answer::NetworkError | Answer::Dropped => {
                if matches!(self.probe, Probe::InFlight { .. }) {
                    // The probe never told us anything: the next request probes instead.
                    self.probe = Probe::Needed;
                }
                if answer == Answer::Dropped {
                    return Next::Finish;
                }
                match self.retry_or_stop(now_ms, retries, safe) {
                    Next::Retry { .. } => {
                        Next::Retry { not_before_ms: now_ms + cfg.policy.backoff(retries + 1, random) }
                    }
                    other => other,
                }
            }
            _ => {
                if answer == (Answer::Done { ok: true }) {
                    self.budget.on_success();
                }
                // Room reported (or nothing said about the window): the queue may follow.
                if window.is_none() {
                    // An answer that says nothing of the window leaves the old figures stale
                    // (the request got through, so they were wrong): forget them.
                    self.window = None;
                }
                // An empty window is a closure like a refusal: one request first when it reopens.
                if window.is_some_and(|w| w.remaining == 0) {
                    let until = self.empty_until(now_ms);
                    self.probe = Probe::Needed;
                    self.close(until, Closure::Limit);
                } else {
                    self.probe = Probe::Open;
                }
                Next::Finish
            }
        }
    }

    fn retry_or_stop(&mut self, now_ms: u64, retries: u32, safe: bool) -> Next {
        if !safe {
            Next::GiveUp(Stop::NotSafe)
        } else if retries + 1 > self.config.policy.max_retries {
            Next::GiveUp(Stop::RetriesExhausted)
        } else if !self.budget.try_spend() {
            Next::GiveUp(Stop::BudgetSpent)
        } else {
            Next::Retry { not_before_ms: now_ms }
        }
    }

    /// "Retry now": the wait ends at once, but still one request goes first.
    pub fn open_now(&mut self, now_ms: u64) {
        if self.closed_until_ms > now_ms {
            self.closed_until_ms = now_ms;
            self.probe = Probe::Needed;
        }
        // The admin asked: one request goes even into a window reported empty.
        if let Some(w) = self.window.as_mut() {
            w.remaining = w.remaining.max(1);
            self.probe = Probe::Needed;
        }
    }
}
