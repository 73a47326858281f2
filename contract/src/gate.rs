//! The gate's bookkeeping: one per console (and per native client in the storm benchmark).
//!
//! Pure state: the caller passes the time in and does the waiting. When any request is refused
//! the gate closes until the server's `Retry-After` (or a backoff) has passed, and every other
//! request waits for that same moment instead of adding to the storm; when the window's
//! `remaining` runs low, sends are spaced out so the window is not emptied before it refills.

use crate::retry::{pacing_delay_ms, RateLimitInfo};

/// Below this share of the limit left, requests are spaced out.
pub const LOW_WATER_FRACTION: f64 = 0.1;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct GateState {
    /// No request leaves before this moment (Unix ms).
    closed_until_ms: u64,
    /// What the last response said, with our own sends since counted off `remaining`.
    window: Option<RateLimitInfo>,
    /// When that was learnt.
    window_at_ms: u64,
    /// The next free send slot while pacing.
    next_slot_ms: u64,
}

impl GateState {
    pub fn new() -> Self {
        Self::default()
    }

    /// Until when the window is closed, if it is at `now_ms`.
    pub fn closed_until(&self, now_ms: u64) -> Option<u64> {
        (self.closed_until_ms > now_ms).then_some(self.closed_until_ms)
    }

    /// The window as last reported (remaining counted down by our own sends since).
    pub fn window(&self) -> Option<RateLimitInfo> {
        self.window
    }

    /// Reserves a send: how long to wait before sending a request now. Call once per send.
    pub fn wait_before_send(&mut self, now_ms: u64) -> u64 {
        let mut closed_wait = self.closed_until_ms.saturating_sub(now_ms);
        let window = self.window.map(|w| self.aged(w, now_ms));
        let mut pacing = 0;
        if let Some(w) = window {
            if w.remaining == 0 {
                // Nothing left: wait for the oldest request to leave, no slot to reserve.
                closed_wait = closed_wait.max(w.reset_secs * 1000);
            } else {
                pacing = pacing_delay_ms(&w, LOW_WATER_FRACTION);
            }
        }
        let wait = if pacing == 0 {
            closed_wait
        } else {
            let start = self.next_slot_ms.max(now_ms + closed_wait);
            self.next_slot_ms = start + pacing;
            start - now_ms
        };
        if let Some(w) = self.window.as_mut() {
            w.remaining = w.remaining.saturating_sub(1);
        }
        wait
    }

    /// `reset_secs` counted down by the time since the window was reported.
    fn aged(&self, mut w: RateLimitInfo, now_ms: u64) -> RateLimitInfo {
        let elapsed_secs = now_ms.saturating_sub(self.window_at_ms) / 1000;
        w.reset_secs = w.reset_secs.saturating_sub(elapsed_secs);
        if w.reset_secs == 0 && now_ms > self.window_at_ms {
            // The oldest request has left since: at least one slot is free again.
            w.remaining = w.remaining.max(1);
        }
        w
    }

    /// Learns from a response: its window headers, and on a refusal how long to stay closed.
    pub fn on_response(&mut self, now_ms: u64, window: Option<RateLimitInfo>, refused_for_ms: Option<u64>) {
        if let Some(w) = window {
            self.window = Some(w);
            self.window_at_ms = now_ms;
        }
        if let Some(wait) = refused_for_ms {
            self.close_until(now_ms + wait);
        }
    }

    /// Closes the gate until `until_ms` (also what another tab reported).
    pub fn close_until(&mut self, until_ms: u64) {
        self.closed_until_ms = self.closed_until_ms.max(until_ms);
    }

    /// "Retry now": open the gate at once.
    pub fn open(&mut self) {
        self.closed_until_ms = 0;
        self.next_slot_ms = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(limit: u64, remaining: u64, reset_secs: u64) -> Option<RateLimitInfo> {
        Some(RateLimitInfo { limit, remaining, reset_secs })
    }

    #[test]
    fn a_refusal_holds_every_later_send_until_the_same_moment() {
        let mut gate = GateState::new();
        assert_eq!(gate.wait_before_send(1_000), 0);
        gate.on_response(1_000, info(500, 0, 12), Some(12_000));
        assert_eq!(gate.closed_until(1_000), Some(13_000));
        assert_eq!(gate.wait_before_send(2_000), 11_000);
        assert_eq!(gate.wait_before_send(5_000), 8_000);
        assert_eq!(gate.closed_until(13_000), None);
    }

    #[test]
    fn plenty_left_means_no_waiting() {
        let mut gate = GateState::new();
        gate.on_response(0, info(500, 300, 600), None);
        for _ in 0..10 {
            assert_eq!(gate.wait_before_send(0), 0);
        }
        assert_eq!(gate.window().unwrap().remaining, 290);
    }

    #[test]
    fn few_left_spaces_sends_over_the_time_to_reset() {
        let mut gate = GateState::new();
        // 4 left, 10 s to reset: 2 s apart, each send reserving its own slot.
        gate.on_response(0, info(100, 4, 10), None);
        assert_eq!(gate.wait_before_send(0), 0);
        let second = gate.wait_before_send(0);
        let third = gate.wait_before_send(0);
        assert!(second >= 2_000 && third > second, "{second} then {third}");
    }

    #[test]
    fn another_tab_can_close_it_and_retry_now_opens_it() {
        let mut gate = GateState::new();
        gate.close_until(9_000);
        assert_eq!(gate.wait_before_send(4_000), 5_000);
        gate.open();
        assert_eq!(gate.wait_before_send(4_000), 0);
    }
}
