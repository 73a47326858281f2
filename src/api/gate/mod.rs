//! The shared gate every request of the console passes (issue #5).
//!
//! * A 429 (code `rate_limited`) or 503 closes the window for everyone: `Retry-After` when given
//!   (a wait longer than the policy accepts gives up), otherwise exponential backoff with jitter.
//! * While the window is closed no request is sent: they all wait here, and other tabs are told
//!   through the `sluice-rate-limit` BroadcastChannel so they wait too.
//! * When `X-RateLimit-Remaining` runs low, requests are spaced out (`pacing_delay_ms`).
//! * Retries spend a shared [`RetryBudget`]; a request that changes state is retried only when it
//!   carries an `Idempotency-Key`.
//!
//! The view observes [`GateStatus`] through [`subscribe`]; [`retry_now`] and [`cancel`] act on it.

mod run;
mod tabs;

pub(crate) use run::run;

#[cfg(target_arch = "wasm32")]
use super::platform::sleep_ms;
use super::platform::{now_ms, CancelToken};
use sluice_contract::retry::{RateLimitInfo, RetryBudget, RetryPolicy};
use std::cell::RefCell;
use std::rc::Rc;
use std::task::Waker;
use tabs::{broadcast, ensure_channel};

/// What the banner and the header meter show.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GateStatus {
    /// Unix ms at which the closed window opens again; `None` while requests flow.
    pub waiting_until_ms: Option<f64>,
    pub remaining: Option<u64>,
    pub limit: Option<u64>,
    pub reset_secs: Option<u64>,
    /// Set when the console stopped retrying: says what did not happen.
    pub gave_up_message: Option<String>,
    /// Requests currently held at the gate.
    pub waiting: usize,
    /// Unix ms the next request may go while few requests remain (spacing them out so the
    /// window is not refused); `None` when nothing waits for that.
    pub paced_until_ms: Option<f64>,
}

/// Tunables of the gate; `Default` is what the console ships with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GateConfig {
    pub policy: RetryPolicy,
    pub budget: RetryBudget,
    /// Pacing starts when `remaining` falls to this fraction of the limit.
    pub low_water: f64,
    /// No pacing pause is longer than this.
    pub max_pacing_ms: u64,
}

impl Default for GateConfig {
    fn default() -> Self {
        GateConfig {
            policy: RetryPolicy::default(),
            budget: RetryBudget::default(),
            low_water: 0.1,
            max_pacing_ms: 10_000,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubscriptionId(u64);

type Observer = Rc<dyn Fn(&GateStatus)>;

#[derive(Default)]
struct Gate {
    config: GateConfig,
    budget: RetryBudget,
    closed_until: Option<f64>,
    next_send_at: f64,
    rate: Option<RateLimitInfo>,
    /// False while `rate` describes a window that has since closed: no pacing on stale numbers.
    rate_fresh: bool,
    gave_up: Option<String>,
    waiting: usize,
    generation: u64,
    wakers: Vec<Waker>,
    observers: Vec<(u64, Observer)>,
    active: Vec<(u64, CancelToken)>,
    next_id: u64,
    channel_open: bool,
}

impl Gate {
    fn status(&self) -> GateStatus {
        GateStatus {
            waiting_until_ms: self.closed_until,
            remaining: self.rate.map(|r| r.remaining),
            limit: self.rate.map(|r| r.limit),
            reset_secs: self.rate.map(|r| r.reset_secs),
            gave_up_message: self.gave_up.clone(),
            waiting: self.waiting,
            paced_until_ms: (self.waiting > 0 && self.closed_until.is_none() && self.next_send_at > now_ms())
                .then_some(self.next_send_at),
        }
    }

    /// Wakes everyone waiting at the gate so they look at it again.
    fn bump(&mut self) {
        self.generation += 1;
        self.wakers.drain(..).for_each(Waker::wake);
    }

    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

thread_local! {
    static GATE: RefCell<Gate> = RefCell::new(Gate {
        budget: GateConfig::default().budget,
        ..Gate::default()
    });
}

fn with<R>(f: impl FnOnce(&mut Gate) -> R) -> R {
    GATE.with(|g| f(&mut g.borrow_mut()))
}

/// Tells every observer the current status (outside the borrow, so observers may call back).
fn emit() {
    let (status, observers) = with(|g| {
        let observers: Vec<Observer> = g.observers.iter().map(|(_, o)| o.clone()).collect();
        (g.status(), observers)
    });
    observers.iter().for_each(|o| o(&status));
}

pub fn status() -> GateStatus {
    with(|g| g.status())
}

/// Calls `observer` with the status now and on every change until [`unsubscribe`].
pub fn subscribe(observer: impl Fn(&GateStatus) + 'static) -> SubscriptionId {
    ensure_channel();
    let observer: Observer = Rc::new(observer);
    let (id, status) = with(|g| {
        let id = g.id();
        g.observers.push((id, observer.clone()));
        (id, g.status())
    });
    observer(&status);
    SubscriptionId(id)
}

pub fn unsubscribe(id: SubscriptionId) {
    with(|g| g.observers.retain(|(i, _)| *i != id.0));
}

/// Opens the window now: waiting requests go at once (the user accepts the risk of a new 429).
pub fn retry_now() {
    with(|g| {
        g.closed_until = None;
        g.next_send_at = 0.0;
        g.gave_up = None;
        g.bump();
    });
    emit();
}

/// Cancels every waiting and in-flight request; each returns [`ApiError::Cancelled`].
pub fn cancel() {
    let tokens = with(|g| {
        let tokens: Vec<CancelToken> = g.active.drain(..).map(|(_, t)| t).collect();
        g.closed_until = None;
        if !tokens.is_empty() {
            let n = tokens.len();
            let what = if n == 1 { "request was" } else { "requests were" };
            g.gave_up = Some(format!("Cancelled: {n} {what} not sent."));
        }
        g.bump();
        tokens
    });
    tokens.iter().for_each(CancelToken::cancel);
    emit();
}

/// Hides the "gave up" message.
pub fn dismiss() {
    with(|g| g.gave_up = None);
    emit();
}

/// Records the window a response (or the usage report) described, for the meter and pacing.
pub fn note_rate_limit(info: RateLimitInfo) {
    with(|g| {
        g.rate = Some(info);
        g.rate_fresh = g.closed_until.is_none();
    });
    emit();
}

/// Starts over with `config`, forgetting windows, budget and observers (tests).
pub fn reset(config: GateConfig) {
    let tokens = with(|g| {
        let channel_open = g.channel_open;
        let old = std::mem::take(g);
        *g = Gate { config, budget: config.budget, channel_open, next_id: old.next_id, ..Gate::default() };
        old.wakers.into_iter().for_each(Waker::wake);
        old.active
    });
    tokens.into_iter().for_each(|(_, t)| t.cancel());
    crate::api::platform::forget_page();
}

/// Closes the window until `until` (Unix ms) for this tab, and tells other tabs when `share`.
fn close_window(until: f64, share: bool) {
    let changed = with(|g| {
        if g.closed_until.is_some_and(|c| c >= until) {
            return false;
        }
        g.closed_until = Some(until);
        g.rate_fresh = false;
        g.bump();
        true
    });
    if !changed {
        return;
    }
    if share {
        broadcast(until);
    }
    emit();
    // Nobody may be waiting (a refused POST): clear the banner when the window opens anyway.
    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_futures::spawn_local(async move {
        sleep_ms(until - now_ms()).await;
        let opened = with(|g| {
            let open = g.closed_until.is_some_and(|c| c <= now_ms());
            if open {
                g.closed_until = None;
                g.bump();
            }
            open
        });
        if opened {
            emit();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn observers_hear_status_changes_until_unsubscribed() {
        reset(GateConfig::default());
        let seen = Rc::new(RefCell::new(Vec::new()));
        let s = seen.clone();
        let id = subscribe(move |st| s.borrow_mut().push(st.remaining));
        note_rate_limit(RateLimitInfo { limit: 500, remaining: 412, reset_secs: 60 });
        unsubscribe(id);
        note_rate_limit(RateLimitInfo { limit: 500, remaining: 411, reset_secs: 60 });
        assert_eq!(*seen.borrow(), vec![None, Some(412)]);
    }
}
