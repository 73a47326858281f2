//! The console's shell around the one gate, [`sluice_contract::gate::Gate`]: it owns the clock,
//! the waiting (timers and wakers), the view's status, and the other tabs (`tabs.rs`). Every rule
//! about when a request may go lives in the contract, where the storm benchmark runs it too.
//!
//! The view observes [`GateStatus`] through [`subscribe`]; [`retry_now`] and [`cancel`] act on it.

mod run;
mod tabs;

pub(crate) use run::run;
pub use sluice_contract::gate::GateConfig;

use super::platform::now_ms;
#[cfg(target_arch = "wasm32")]
use super::platform::sleep_ms;
use sluice_contract::gate::{Closure, Gate};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::task::Waker;
use tabs::{ensure_channel, share};

/// What the banner and the header meter show.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GateStatus {
    /// Unix ms at which the closed window opens again; `None` while requests flow.
    pub waiting_until_ms: Option<f64>,
    /// The server is busy (503), not the limit reached.
    pub busy: bool,
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
    /// Waits longer than this are shown as a time of day ("at 14:32") rather than a countdown.
    pub long_wait_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubscriptionId(u64);

type Observer = Rc<dyn Fn(&GateStatus)>;

struct Shell {
    core: Gate,
    gave_up: Option<String>,
    /// Requests held at the gate, each with the flag [`cancel`] sets to drop it.
    waiting: Vec<(u64, Rc<Cell<bool>>)>,
    paced_until: Option<f64>,
    generation: u64,
    wakers: Vec<Waker>,
    observers: Vec<(u64, Observer)>,
    next_id: u64,
    channel_open: bool,
}

impl Shell {
    fn new(config: GateConfig) -> Self {
        Shell {
            core: Gate::new(config),
            gave_up: None,
            waiting: Vec::new(),
            paced_until: None,
            generation: 0,
            wakers: Vec::new(),
            observers: Vec::new(),
            next_id: 0,
            channel_open: false,
        }
    }

    fn status(&self) -> GateStatus {
        let now = now_ms();
        let closed = self.core.closed_until(now as u64);
        let window = self.core.window(now as u64);
        GateStatus {
            waiting_until_ms: closed.map(|c| c as f64),
            busy: closed.is_some() && self.core.closure() == Closure::Busy,
            remaining: window.map(|w| w.remaining),
            limit: window.map(|w| w.limit),
            reset_secs: window.map(|w| w.reset_secs),
            gave_up_message: self.gave_up.clone(),
            waiting: self.waiting.len(),
            paced_until_ms: self.paced_until.filter(|&p| closed.is_none() && !self.waiting.is_empty() && p > now),
            long_wait_ms: self.core.config().policy.max_retry_after_ms,
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
    static GATE: RefCell<Shell> = RefCell::new(Shell::new(GateConfig::default()));
}

fn with<R>(f: impl FnOnce(&mut Shell) -> R) -> R {
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

/// "Retry now": the wait ends at once, but one request still goes first (no herd).
pub fn retry_now() {
    with(|g| {
        g.core.open_now(now_ms() as u64);
        g.gave_up = None;
        g.bump();
    });
    emit();
}

/// Drops the requests waiting at the gate (each returns [`ApiError::Cancelled`]). The window
/// stays closed — the server's is — and later requests of the page wait for it as usual.
pub fn cancel() {
    with(|g| {
        let n = g.waiting.len();
        g.waiting.drain(..).for_each(|(_, dropped)| dropped.set(true));
        if n > 0 {
            let what = if n == 1 { "request was" } else { "requests were" };
            g.gave_up = Some(format!("Cancelled: {n} waiting {what} not sent."));
        }
        g.bump();
    });
    emit();
}

/// Hides the "gave up" message.
pub fn dismiss() {
    with(|g| g.gave_up = None);
    emit();
}

/// Until when (Unix ms) the window is closed, if it is: the event stream waits for it too.
pub fn closed_until() -> Option<f64> {
    with(|g| g.core.closed_until(now_ms() as u64).map(|c| c as f64))
}

/// Starts over with `config`, forgetting windows, budget and observers (tests).
pub fn reset(config: GateConfig) {
    with(|g| {
        let mut fresh = Shell::new(config);
        fresh.channel_open = g.channel_open;
        fresh.next_id = g.next_id;
        let old = std::mem::replace(g, fresh);
        old.waiting.iter().for_each(|(_, dropped)| dropped.set(true));
        old.wakers.into_iter().for_each(Waker::wake);
    });
    tabs::forget();
    crate::api::platform::forget_page();
}

/// After the gate learnt something: wake the waiters, tell the view and the other tabs, and
/// take the banner down when a closed window opens even if no request is waiting.
fn changed(tell_tabs: bool) {
    let (shared, closed) = with(|g| {
        g.bump();
        (g.core.shared(), g.core.closed_until(now_ms() as u64))
    });
    if tell_tabs {
        share(shared);
    }
    emit();
    #[cfg(target_arch = "wasm32")]
    if let Some(until) = closed {
        wasm_bindgen_futures::spawn_local(async move {
            sleep_ms(until as f64 - now_ms() + 1.0).await;
            if with(|g| g.core.closed_until(now_ms() as u64).is_none()) {
                with(|g| g.bump());
                emit();
            }
        });
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = closed;
}
