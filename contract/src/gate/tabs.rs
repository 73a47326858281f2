//! What the tabs of one console session tell each other (over the BroadcastChannel), so that a
//! tab opened mid-wait waits too and only one tab sends the first request into a reopened window.

use super::{Closure, Gate, Probe};
use crate::retry::RateLimitInfo;

/// What one tab tells the others (over the BroadcastChannel), so a tab opened mid-wait waits too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shared {
    pub closed_until_ms: u64,
    pub window: Option<RateLimitInfo>,
    pub window_at_ms: u64,
    /// While this tab's first request into a reopened window has no answer: until when the
    /// others hold theirs (0 when none is out).
    pub probe_until_ms: u64,
}

impl Gate {
    /// What this tab knows, for the others.
    pub fn shared(&self) -> Shared {
        let probe_until_ms = match self.probe {
            Probe::InFlight { since_ms } => since_ms + self.config.probe_timeout_ms,
            _ => 0,
        };
        Shared {
            closed_until_ms: self.closed_until_ms,
            window: self.window,
            window_at_ms: self.window_at_ms,
            probe_until_ms,
        }
    }

    /// What another tab learnt: its closed window, its first request into the reopened window,
    /// and its newer window figures. `random` in `[0, 1)` spreads the tabs' return after a
    /// closure, so the one that was refused goes first and the others hear of it.
    pub fn learn(&mut self, now_ms: u64, other: Shared, random: f64) {
        if other.closed_until_ms > now_ms && other.closed_until_ms > self.learnt_closure_ms {
            self.learnt_closure_ms = other.closed_until_ms;
            // A new closure also ends any first request another tab had out.
            self.probe_elsewhere_until_ms = 0;
            let jitter = (random.clamp(0.0, 1.0) * self.config.jitter_ms as f64) as u64;
            self.close(other.closed_until_ms + jitter, Closure::Limit);
        }
        if other.window.is_some() && (self.window.is_none() || other.window_at_ms >= self.window_at_ms) {
            self.window = other.window;
            self.window_at_ms = other.window_at_ms;
            let room = other.window.is_some_and(|w| w.remaining > 0);
            let jitter = self.config.jitter_ms;
            if let Some(w) = other.window.filter(|w| w.remaining == 0) {
                // An empty window is a closure until its reset, for this tab too.
                let until = other.window_at_ms + w.reset_secs * 1000;
                if until > now_ms && until > self.learnt_closure_ms {
                    self.learnt_closure_ms = until;
                    self.probe_elsewhere_until_ms = 0;
                    let extra = (random.clamp(0.0, 1.0) * jitter as f64) as u64;
                    self.close(until + extra, Closure::Limit);
                } else if !self.probing() {
                    self.probe = Probe::Needed;
                }
            }
            // The closure this tab waits out, less the jitter it put on top of a learnt one.
            let closure = if self.learnt_closure_ms > 0 && self.closed_until_ms <= self.learnt_closure_ms + jitter {
                self.learnt_closure_ms
            } else {
                self.closed_until_ms
            };
            if room && other.probe_until_ms == 0 && other.window_at_ms >= closure {
                // Room reported after the closure (the other tab's first request found it):
                // this tab's queue may follow now.
                self.probe_elsewhere_until_ms = 0;
                if !self.probing() {
                    self.probe = Probe::Open;
                }
                self.closed_until_ms = self.closed_until_ms.min(now_ms);
            }
        }
        // Last, so that a closure read from the same message does not wipe the claim.
        if other.probe_until_ms > now_ms && !self.probing() {
            self.probe_elsewhere_until_ms = self.probe_elsewhere_until_ms.max(other.probe_until_ms);
        }
    }
}
