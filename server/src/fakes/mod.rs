//! Local fake providers (Autotask, HubSpot, Salesforce, Apollo.io) that speak each provider's
//! documented wire format (`shared/PROVIDERS.md`): URLs, JSON shapes, status codes, rate-limit
//! headers and error bodies. The tests, the benchmark and `--demo` all start these.
//!
//! Each fake enforces its own limits (Autotask's rolling hour, HubSpot's ten-second and daily
//! windows, Salesforce's rolling day, Apollo.io's minute/hour/day windows) and is steered at run
//! time through its [`Control`]: refuse credentials, expire or revoke tokens, answer 429 with
//! `Retry-After`, 5xx, HTML, 403, or slow down.

// Each fake's `admit` answers the provider's refusal itself: a big `Err`, on purpose.
#![allow(clippy::result_large_err)]

pub mod apollo;
pub mod autotask;
pub mod hubspot;
pub mod remote;
pub mod salesforce;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What a fake does instead of answering normally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 401 with the provider's body, whatever the credentials.
    RefuseCredentials,
    /// 403 with the provider's body (missing scope, key not allowed).
    Forbidden,
    /// 429 with the provider's body and `Retry-After: secs`.
    RateLimited { retry_after_secs: u64 },
    /// 500 with the provider's body.
    ServerError,
    /// 503 with `Retry-After`.
    Unavailable { retry_after_secs: u64 },
    /// 200 with an HTML page (a proxy or login page in the way).
    Html,
    /// 200 with a truncated JSON body.
    Malformed,
}

/// Steers one fake while it runs. Shared with the fake's handlers.
pub struct Control {
    /// Faults for the next calls, one call each.
    queue: Mutex<VecDeque<Fault>>,
    /// A fault for every call until the deadline (or for ever).
    sticky: Mutex<Option<(Fault, Option<Instant>)>>,
    delay_ms: AtomicU64,
    /// Every request the fake received, faults included.
    calls: AtomicU64,
    /// How many records (companies, contacts, ...) each collection holds.
    records: AtomicU64,
    /// Bumped to make every access token issued so far expired (1) or revoked (2).
    pub(crate) token_epoch: AtomicU64,
    pub(crate) revoked_epoch: AtomicU64,
    /// Token grants (OAuth refreshes) answered with success.
    pub(crate) grants: AtomicU64,
    /// Every credential is refused where the provider checks one (open endpoints stay open).
    refusing: std::sync::atomic::AtomicBool,
}

impl Control {
    fn new(records: u64) -> Arc<Control> {
        Arc::new(Control {
            queue: Mutex::new(VecDeque::new()),
            sticky: Mutex::new(None),
            delay_ms: AtomicU64::new(0),
            calls: AtomicU64::new(0),
            records: AtomicU64::new(records),
            token_epoch: AtomicU64::new(0),
            revoked_epoch: AtomicU64::new(0),
            grants: AtomicU64::new(0),
            refusing: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// The next `n` calls answer `fault`.
    pub fn fail_next(&self, n: usize, fault: Fault) {
        let mut q = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        q.extend(std::iter::repeat_n(fault, n));
    }

    /// Every call answers `fault` for `how_long` (or until [`Control::heal`] when `None`).
    /// `RefuseCredentials` refuses every credential where the provider checks one, until healed.
    pub fn fail_for(&self, fault: Fault, how_long: Option<Duration>) {
        if fault == Fault::RefuseCredentials {
            self.refusing.store(true, Ordering::SeqCst);
            return;
        }
        *self.sticky.lock().unwrap_or_else(|p| p.into_inner()) = Some((fault, how_long.map(|d| Instant::now() + d)));
    }

    /// Back to normal answers (queued and sticky faults dropped, no delay).
    pub fn heal(&self) {
        self.queue.lock().unwrap_or_else(|p| p.into_inner()).clear();
        *self.sticky.lock().unwrap_or_else(|p| p.into_inner()) = None;
        self.delay_ms.store(0, Ordering::SeqCst);
        self.refusing.store(false, Ordering::SeqCst);
    }

    /// Every answer waits this long first (timeouts, a provider under load).
    pub fn slow_down(&self, delay: Duration) {
        self.delay_ms.store(delay.as_millis() as u64, Ordering::SeqCst);
    }

    /// Access tokens issued so far are expired (the refresh token still works).
    pub fn expire_tokens(&self) {
        self.token_epoch.fetch_add(1, Ordering::SeqCst);
    }

    /// Access and refresh tokens issued so far are revoked: only new credentials help.
    pub fn revoke_tokens(&self) {
        self.token_epoch.fetch_add(1, Ordering::SeqCst);
        self.revoked_epoch.store(self.token_epoch.load(Ordering::SeqCst), Ordering::SeqCst);
    }

    /// Whether credentials are being refused (each fake's own check reads this).
    pub fn refusing(&self) -> bool {
        self.refusing.load(Ordering::SeqCst)
    }

    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::SeqCst)
    }

    /// Successful OAuth token grants so far.
    pub fn grants(&self) -> u64 {
        self.grants.load(Ordering::SeqCst)
    }

    pub fn set_records(&self, n: u64) {
        self.records.store(n, Ordering::SeqCst);
    }

    pub fn records(&self) -> u64 {
        self.records.load(Ordering::SeqCst)
    }

    /// The fault this call gets, if any; the remaining seconds for a sticky 429 window.
    fn take_fault(&self) -> Option<Fault> {
        if let Some(f) = self.queue.lock().unwrap_or_else(|p| p.into_inner()).pop_front() {
            return Some(f);
        }
        let mut sticky = self.sticky.lock().unwrap_or_else(|p| p.into_inner());
        match *sticky {
            Some((_, Some(until))) if Instant::now() >= until => {
                *sticky = None;
                None
            }
            Some((Fault::RateLimited { .. }, Some(until))) => {
                // The wait left, rounded up: a client that honours it comes back once.
                let left = until.saturating_duration_since(Instant::now()).as_millis().div_ceil(1000) as u64;
                Some(Fault::RateLimited { retry_after_secs: left.max(1) })
            }
            Some((f, _)) => Some(f),
            None => None,
        }
    }
}

/// Renders a fault in the provider's own words.
pub type Dialect = fn(Fault) -> Response;

/// A running fake: its address and its control.
pub struct Fake {
    pub addr: SocketAddr,
    pub control: Arc<Control>,
    task: tokio::task::JoinHandle<()>,
}

impl Fake {
    /// `http://127.0.0.1:port`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Binds 127.0.0.1:0 and serves `app` with the fault layer in front.
async fn serve(
    app: axum::Router,
    control: Arc<Control>,
    dialect: Dialect,
    extra: remote::Extra,
) -> std::io::Result<Fake> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = app
        .layer(axum::middleware::from_fn_with_state((control.clone(), dialect), faults))
        .merge(remote::routes(control.clone(), extra));
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(Fake { addr, control, task })
}

async fn faults(State((control, dialect)): State<(Arc<Control>, Dialect)>, req: Request, next: Next) -> Response {
    control.calls.fetch_add(1, Ordering::SeqCst);
    let delay = control.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    match control.take_fault() {
        Some(Fault::Html) => html_page(),
        Some(Fault::Malformed) => {
            ([(axum::http::header::CONTENT_TYPE, "application/json")], r#"{"items":[{"id":1,"#).into_response()
        }
        Some(fault) => dialect(fault),
        None => next.run(req).await,
    }
}

/// What a captive portal or a misconfigured proxy answers.
pub fn html_page() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<!DOCTYPE html><html><head><title>Sign in</title></head><body><h1>Please sign in</h1></body></html>",
    )
        .into_response()
}

/// `Retry-After` as a header pair.
fn retry_after(secs: u64) -> [(axum::http::HeaderName, String); 1] {
    [(axum::http::header::RETRY_AFTER, secs.to_string())]
}

/// A rolling window of the fake's own calls (Autotask's hour, Salesforce's day). Its span can be
/// shortened while it runs, so an e2e journey can let "the hour" roll on in seconds.
pub(crate) struct RollingWindow {
    span_ms: AtomicU64,
    calls: Mutex<VecDeque<Instant>>,
}

impl RollingWindow {
    pub(crate) fn new(span: Duration) -> RollingWindow {
        RollingWindow { span_ms: AtomicU64::new(span.as_millis() as u64), calls: Mutex::new(VecDeque::new()) }
    }

    fn span(&self) -> Duration {
        Duration::from_millis(self.span_ms.load(Ordering::SeqCst))
    }

    pub(crate) fn set_span(&self, span: Duration) {
        self.span_ms.store(span.as_millis() as u64, Ordering::SeqCst);
    }

    /// Drops the calls that left the window; the count still in it.
    fn prune(&self, calls: &mut VecDeque<Instant>, now: Instant) -> u64 {
        let span = self.span();
        while calls.front().is_some_and(|t| now.duration_since(*t) >= span) {
            calls.pop_front();
        }
        calls.len() as u64
    }

    /// Counts a call; answers the count in the window including it.
    pub(crate) fn record(&self) -> u64 {
        self.record_n(1)
    }

    /// Counts `n` calls made now (by other tools sharing the provider's limit, say).
    pub(crate) fn record_n(&self, n: u64) -> u64 {
        let now = Instant::now();
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        self.prune(&mut calls, now);
        calls.extend(std::iter::repeat_n(now, n as usize));
        calls.len() as u64
    }

    pub(crate) fn count(&self) -> u64 {
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        self.prune(&mut calls, Instant::now())
    }

    /// Seconds until the oldest counted call leaves the window.
    pub(crate) fn secs_until_room(&self) -> u64 {
        let calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        calls
            .front()
            .map(|t| (self.span().saturating_sub(t.elapsed())).as_millis().div_ceil(1000) as u64)
            .unwrap_or(0)
            .max(1)
    }
}

/// Fixed windows (Apollo.io's minute/hour/day, HubSpot's day): count since the window began.
pub(crate) struct FixedWindow {
    span: Duration,
    state: Mutex<(Instant, u64)>,
}

impl FixedWindow {
    pub(crate) fn new(span: Duration) -> FixedWindow {
        FixedWindow { span, state: Mutex::new((Instant::now(), 0)) }
    }

    /// Counts a call unless the window is full: `Ok(used)` or `Err(seconds until it resets)`.
    pub(crate) fn take(&self, limit: u64) -> Result<u64, u64> {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if s.0.elapsed() >= self.span {
            *s = (Instant::now(), 0);
        }
        if s.1 >= limit {
            return Err(self.span.saturating_sub(s.0.elapsed()).as_millis().div_ceil(1000).max(1) as u64);
        }
        s.1 += 1;
        Ok(s.1)
    }

    pub(crate) fn used(&self) -> u64 {
        let s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if s.0.elapsed() >= self.span {
            0
        } else {
            s.1
        }
    }
}

/// Deterministic company `n` (from 1): the same on every fake, so enrichment finds them.
pub fn company(n: u64) -> (String, String) {
    const WORDS: [&str; 8] =
        ["Northwind", "Contoso", "Fabrikam", "Tailspin", "Wingtip", "Litware", "Adatum", "Proseware"];
    let word = WORDS[(n % WORDS.len() as u64) as usize];
    (format!("{word} {n}"), format!("{}{n}.test", word.to_lowercase()))
}
