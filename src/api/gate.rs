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

use super::platform::{now_ms, race, random, sleep_ms, CancelToken};
use super::transport::{self, Request, Response};
use super::ApiError;
use sluice_contract::headers::{IDEMPOTENCY_KEY, RETRY_AFTER};
use sluice_contract::retry::{
    is_retryable_status, is_safe_to_retry, pacing_delay_ms, parse_rate_limit, parse_retry_after,
    GiveUp, RateLimitInfo, RetryBudget, RetryPolicy,
};
use sluice_contract::ErrorBody;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

const CHANNEL: &str = "sluice-rate-limit";

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
    with(|g| g.rate = Some(info));
    emit();
}

/// Starts over with `config`, forgetting windows, budget and observers (tests).
pub fn reset(config: GateConfig) {
    let tokens = with(|g| {
        let channel_open = g.channel_open;
        let old = std::mem::take(g);
        *g = Gate {
            config,
            budget: config.budget,
            channel_open,
            next_id: old.next_id,
            ..Gate::default()
        };
        old.wakers.into_iter().for_each(Waker::wake);
        old.active
    });
    tokens.into_iter().for_each(|(_, t)| t.cancel());
}

/// Closes the window until `until` (Unix ms) for this tab, and tells other tabs when `share`.
fn close_window(until: f64, share: bool) {
    let changed = with(|g| {
        if g.closed_until.is_some_and(|c| c >= until) {
            return false;
        }
        g.closed_until = Some(until);
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

#[cfg(target_arch = "wasm32")]
fn ensure_channel() {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    if with(|g| std::mem::replace(&mut g.channel_open, true)) {
        return;
    }
    let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL) else {
        return;
    };
    let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(|e: web_sys::MessageEvent| {
        if let Some(until) = e.data().as_f64() {
            if until > now_ms() {
                close_window(until, false);
            }
        }
    });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    CHANNEL_HANDLE.with(|c| *c.borrow_mut() = Some(channel));
}

#[cfg(not(target_arch = "wasm32"))]
fn ensure_channel() {}

#[cfg(target_arch = "wasm32")]
thread_local! {
    static CHANNEL_HANDLE: RefCell<Option<web_sys::BroadcastChannel>> = const { RefCell::new(None) };
}

fn broadcast(until: f64) {
    #[cfg(target_arch = "wasm32")]
    CHANNEL_HANDLE.with(|c| {
        if let Some(channel) = c.borrow().as_ref() {
            let _ = channel.post_message(&wasm_bindgen::JsValue::from_f64(until));
        }
    });
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (until, CHANNEL);
}

/// Resolves when the gate's generation moves past `seen`.
struct Changed(u64);

impl Future for Changed {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        with(|g| {
            if g.generation != self.0 {
                Poll::Ready(())
            } else {
                g.wakers.push(cx.waker().clone());
                Poll::Pending
            }
        })
    }
}

/// Keeps a request in the gate's lists while it runs.
struct Registration {
    id: u64,
    counted_waiting: bool,
}

impl Drop for Registration {
    fn drop(&mut self) {
        let id = self.id;
        let counted = self.counted_waiting;
        with(|g| {
            g.active.retain(|(i, _)| *i != id);
            if counted {
                g.waiting = g.waiting.saturating_sub(1);
            }
        });
        if counted {
            emit();
        }
    }
}

/// Waits until the window is open and the pacing slot is free, then takes the slot.
async fn pass(reg: &mut Registration, cancel: &CancelToken, action: &str) -> Result<(), ApiError> {
    loop {
        if cancel.is_cancelled() {
            return Err(ApiError::Cancelled);
        }
        let now = now_ms();
        let (open_at, generation, too_long) = with(|g| {
            let closed = g.closed_until.unwrap_or(0.0);
            let too_long = closed - now > g.config.policy.max_retry_after_ms as f64;
            (closed.max(g.next_send_at), g.generation, too_long)
        });
        if too_long {
            let secs = ((open_at - now) / 1000.0).ceil() as u64;
            return Err(give_up(format!(
                "API limit reached — “{action}” did not happen: the server asks to wait {secs} s."
            )));
        }
        if open_at <= now {
            let was_waiting = std::mem::take(&mut reg.counted_waiting);
            with(|g| {
                if was_waiting {
                    g.waiting = g.waiting.saturating_sub(1);
                }
                if let Some(rate) = g.rate.as_mut() {
                    let pause = pacing_delay_ms(rate, g.config.low_water).min(g.config.max_pacing_ms);
                    g.next_send_at = now + pause as f64;
                    rate.remaining = rate.remaining.saturating_sub(1);
                }
            });
            if was_waiting {
                emit();
            }
            return Ok(());
        }
        if !reg.counted_waiting {
            reg.counted_waiting = true;
            with(|g| g.waiting += 1);
            emit();
        }
        race(
            sleep_ms(open_at - now),
            race(Changed(generation), cancel.cancelled()),
        )
        .await;
    }
}

fn give_up(message: String) -> ApiError {
    let retry_after_ms = with(|g| {
        g.gave_up = Some(message.clone());
        g.closed_until.map(|c| (c - now_ms()).max(0.0) as u64)
    });
    emit();
    ApiError::RateLimited {
        retry_after_ms,
        message,
    }
}

/// A 429 closes the shared window only when it is the API limit (`rate_limited`, or no body we
/// know); a login lockout (`too_many_attempts`) is that form's business, not every request's.
fn closes_window(response: &Response) -> bool {
    if !is_retryable_status(response.status) {
        return false;
    }
    response.status == 503
        || serde_json::from_str::<ErrorBody>(&response.body)
            .map(|b| b.error.code == "rate_limited")
            .unwrap_or(true)
}

fn observe(response: &Response) {
    if let Some(info) = parse_rate_limit(|name| response.header(name).map(str::to_string)) {
        note_rate_limit(info);
    }
}

/// Sends `request` through the gate, retrying as the policy allows. `action` names the user's
/// action in messages ("Create API key").
pub(crate) async fn run(
    request: Request,
    cancel: CancelToken,
    action: &str,
) -> Result<Response, ApiError> {
    ensure_channel();
    let mut reg = with(|g| {
        let id = g.id();
        g.active.push((id, cancel.clone()));
        Registration {
            id,
            counted_waiting: false,
        }
    });
    let transport = transport::current();
    let safe = is_safe_to_retry(&request.method, request.header(IDEMPOTENCY_KEY).is_some());
    let mut retry = 0;
    loop {
        pass(&mut reg, &cancel, action).await?;
        let response = transport.send(request.clone(), cancel.clone()).await?;
        if cancel.is_cancelled() {
            return Err(ApiError::Cancelled);
        }
        observe(&response);
        if !closes_window(&response) {
            if (200..300).contains(&response.status) {
                with(|g| g.budget.on_success());
            }
            return Ok(response);
        }
        retry += 1;
        let now = now_ms();
        let retry_after = response
            .header(RETRY_AFTER)
            .and_then(|v| parse_retry_after(v, now as u64));
        let policy = with(|g| g.config.policy);
        let wait = match policy.delay(retry, retry_after, random()) {
            Ok(wait) => wait,
            Err(GiveUp::WaitTooLong { retry_after_ms }) => {
                close_window(now + retry_after_ms as f64, true);
                let secs = retry_after_ms.div_ceil(1000);
                return Err(give_up(format!(
                    "API limit reached — “{action}” did not happen: the server asks to wait {secs} s. Try again later."
                )));
            }
            Err(_) => {
                return Err(give_up(format!(
                    "API limit still reached after {} retries — “{action}” did not happen. Try again in a minute.",
                    retry - 1
                )));
            }
        };
        close_window(now + wait as f64, true);
        if !safe {
            return Err(give_up(format!(
                "API limit reached — “{action}” was not sent again, so it did not happen. Try again in {} s.",
                wait.div_ceil(1000)
            )));
        }
        if !with(|g| g.budget.try_spend()) {
            return Err(give_up(format!(
                "API limit reached and the retry budget is spent — “{action}” did not happen. Try again in a minute."
            )));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: vec![],
            body: body.into(),
        }
    }

    #[test]
    fn only_the_api_limit_closes_the_shared_window() {
        let limited = ErrorBody::new("rate_limited", "Slow down.");
        let lockout = ErrorBody::new("too_many_attempts", "Wait a minute.");
        assert!(closes_window(&response(429, &serde_json::to_string(&limited).unwrap())));
        assert!(closes_window(&response(429, "")));
        assert!(closes_window(&response(503, "")));
        assert!(!closes_window(&response(429, &serde_json::to_string(&lockout).unwrap())));
        assert!(!closes_window(&response(500, "")));
    }

    #[test]
    fn observers_hear_status_changes_until_unsubscribed() {
        reset(GateConfig::default());
        let seen = Rc::new(RefCell::new(Vec::new()));
        let s = seen.clone();
        let id = subscribe(move |st| s.borrow_mut().push(st.remaining));
        note_rate_limit(RateLimitInfo {
            limit: 500,
            remaining: 412,
            reset_secs: 60,
        });
        unsubscribe(id);
        note_rate_limit(RateLimitInfo {
            limit: 500,
            remaining: 411,
            reset_secs: 60,
        });
        assert_eq!(*seen.borrow(), vec![None, Some(412)]);
    }
}
