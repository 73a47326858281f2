//! Shared helpers for the browser tests: a fake transport that counts requests, mounting, and
//! finding things the way a user does.
#![allow(dead_code)]

pub mod integrations;
pub mod issues;
pub mod webhooks;

use leptos::prelude::*;
use sluice_console::api::gate::{self, GateConfig};
use sluice_console::api::transport::EventStream;
use sluice_console::api::transport::{self, Request, Response, Transport};
use sluice_console::api::{now_ms, ApiError, CancelToken};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use wasm_bindgen::JsCast;

/// One request as the fake saw it, with the time it arrived (Unix ms).
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub at: f64,
    pub request: Request,
}

/// Answers: given the request and how many requests came before it, a response (and an
/// optional delay before answering).
pub type Handler = dyn Fn(&Request, usize) -> (Response, u32);

pub struct Fake {
    handler: Box<Handler>,
    pub seen: RefCell<Vec<Seen>>,
}

impl Fake {
    pub fn count(&self) -> usize {
        self.seen.borrow().len()
    }

    pub fn count_path(&self, path: &str) -> usize {
        self.seen.borrow().iter().filter(|s| s.path == path).count()
    }
}

struct FakeTransport(Rc<Fake>);

impl Transport for FakeTransport {
    fn send(&self, request: Request, cancel: CancelToken) -> Pin<Box<dyn Future<Output = Result<Response, ApiError>>>> {
        let index = self.0.count();
        self.0.seen.borrow_mut().push(Seen {
            method: request.method.clone(),
            path: request.path.clone(),
            at: now_ms(),
            request: request.clone(),
        });
        let (response, delay) = (self.0.handler)(&request, index);
        Box::pin(async move {
            if delay > 0 {
                let sleep = gloo_timers::future::TimeoutFuture::new(delay);
                let cancelled = cancel.cancelled();
                futures_race(sleep, cancelled).await;
            }
            if cancel.is_cancelled() {
                return Err(ApiError::Cancelled);
            }
            Ok(response)
        })
    }

    fn open_events(&self, path: &str, event: &str, on_data: Rc<dyn Fn(String)>) -> Option<EventStream> {
        let open = Rc::new(std::cell::Cell::new(true));
        let subscription =
            EventSubscription { path: path.to_string(), event: event.to_string(), on_data, open: open.clone() };
        EVENTS.with(|e| e.borrow_mut().push(subscription));
        Some(EventStream::new(move || open.set(false)))
    }
}

/// A server-sent-events subscription the app opened through the fake; `push_event` feeds it.
struct EventSubscription {
    path: String,
    event: String,
    on_data: Rc<dyn Fn(String)>,
    open: Rc<std::cell::Cell<bool>>,
}

thread_local! {
    static EVENTS: RefCell<Vec<EventSubscription>> = const { RefCell::new(Vec::new()) };
}

/// Delivers `data` as the server's `event` to every open subscription for it, as the browser's
/// EventSource would; answers how many listeners got it.
pub fn push_event(event: &str, data: &str) -> usize {
    let listeners: Vec<Rc<dyn Fn(String)>> = EVENTS
        .with(|e| e.borrow().iter().filter(|s| s.open.get() && s.event == event).map(|s| s.on_data.clone()).collect());
    for listener in &listeners {
        listener(data.to_string());
    }
    listeners.len()
}

/// Open event subscriptions, as `(path, event)`.
pub fn open_event_streams() -> Vec<(String, String)> {
    EVENTS.with(|e| e.borrow().iter().filter(|s| s.open.get()).map(|s| (s.path.clone(), s.event.clone())).collect())
}

async fn futures_race(a: impl Future<Output = ()>, b: impl Future<Output = ()>) {
    let mut a = Box::pin(a);
    let mut b = Box::pin(b);
    std::future::poll_fn(move |cx| {
        if a.as_mut().poll(cx).is_ready() || b.as_mut().poll(cx).is_ready() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await
}

/// Resets the gate and installs a fake transport answering with `handler`.
pub fn install(handler: impl Fn(&Request, usize) -> (Response, u32) + 'static) -> Rc<Fake> {
    // Mounting the app does this too; plain `api::` tests need it for `tick()`.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    gate::reset(GateConfig::default());
    EVENTS.with(|e| e.borrow_mut().clear());
    let fake = Rc::new(Fake { handler: Box::new(handler), seen: RefCell::new(Vec::new()) });
    transport::install(Rc::new(FakeTransport(fake.clone())));
    fake
}

fn rate_headers() -> Vec<(String, String)> {
    vec![
        ("content-type".into(), "application/json".into()),
        ("x-ratelimit-limit".into(), "500".into()),
        ("x-ratelimit-remaining".into(), "412".into()),
        ("x-ratelimit-reset".into(), "60".into()),
    ]
}

pub fn json(status: u16, body: &str) -> (Response, u32) {
    (Response { status, headers: rate_headers(), body: body.to_string() }, 0)
}

pub fn error(status: u16, code: &str, message: &str) -> (Response, u32) {
    json(status, &format!(r#"{{"error":{{"code":"{code}","message":"{message}"}}}}"#))
}

/// A 429 from the API limit with `Retry-After: <secs>`.
pub fn rate_limited(secs: u32) -> (Response, u32) {
    let (mut response, delay) = error(429, "rate_limited", "Too many requests.");
    response.headers.retain(|(k, _)| k != "x-ratelimit-remaining");
    response.headers.push(("x-ratelimit-remaining".into(), "0".into()));
    response.headers.push(("retry-after".into(), secs.to_string()));
    (response, delay)
}

pub const SESSION: &str = r#"{"user":{"id":"u1","email":"admin@example.com"},"tenant":{"id":"t1","name":"Acme Ltd"}}"#;
pub const COUNTS: &str = r#"{"byArea":{},"byStatus":{},"active":3}"#;

/// Answers for a signed-in console; `None` from `more` falls back to a 404.
pub fn signed_in(
    more: impl Fn(&Request, usize) -> Option<(Response, u32)> + 'static,
) -> impl Fn(&Request, usize) -> (Response, u32) + 'static {
    move |request, index| {
        if let Some(answer) = more(request, index) {
            return answer;
        }
        match (request.method.as_str(), request.path.as_str()) {
            ("GET", "/api/v1/session") => json(200, SESSION),
            ("GET", "/api/v1/issues/counts") => json(200, COUNTS),
            _ => error(404, "not_found", "No such thing."),
        }
    }
}

/// Mounts the whole app at `path` into a fresh element; drop the result to unmount.
pub struct Mounted {
    _handle: Box<dyn std::any::Any>,
    root: web_sys::HtmlElement,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.root.remove();
    }
}

pub fn mount_app_at(path: &str) -> Mounted {
    window().history().unwrap().push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path)).unwrap();
    let root: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&root).unwrap();
    let handle = leptos::mount::mount_to(root.clone(), sluice_console::App);
    Mounted { _handle: Box::new(handle), root }
}

/// Like [`mount_app_at`], but dropping it also ends the app's reactive owner, so its router
/// stops handling link clicks and Back: tests that click links after others mounted use this.
pub struct MountedCleanly {
    app: Option<Mounted>,
    owner: Owner,
}

impl Drop for MountedCleanly {
    fn drop(&mut self) {
        drop(self.app.take());
        self.owner.cleanup();
    }
}

pub fn mount_app_cleanly_at(path: &str) -> MountedCleanly {
    let owner = Owner::new();
    let app = owner.with(|| mount_app_at(path));
    MountedCleanly { app: Some(app), owner }
}

pub fn by_testid(id: &str) -> Option<web_sys::HtmlElement> {
    document().query_selector(&format!("[data-testid='{id}']")).unwrap().map(|e| e.unchecked_into())
}

pub fn all_by_testid(id: &str) -> Vec<web_sys::HtmlElement> {
    let list = document().query_selector_all(&format!("[data-testid='{id}']")).unwrap();
    (0..list.length()).filter_map(|i| list.item(i)).map(|n| n.unchecked_into()).collect()
}

pub fn text_of(id: &str) -> String {
    by_testid(id).and_then(|e| e.text_content()).unwrap_or_default()
}

pub fn body_text() -> String {
    document().body().unwrap().text_content().unwrap_or_default()
}

/// Types into an input the way a user does (value + `input` event).
pub fn type_into(id: &str, text: &str) {
    let input: web_sys::HtmlInputElement = by_testid(id).expect(id).unchecked_into();
    input.set_value(text);
    let event = web_sys::Event::new("input").unwrap();
    input.dispatch_event(&event).unwrap();
}

pub fn click(id: &str) {
    by_testid(id).unwrap_or_else(|| panic!("no element {id}")).click();
}

pub async fn sleep(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
}

/// Waits (ticking the runtime) until `cond` holds, up to `timeout_ms`.
pub async fn wait_until(timeout_ms: f64, cond: impl Fn() -> bool) -> bool {
    let start = now_ms();
    loop {
        leptos::task::tick().await;
        if cond() {
            return true;
        }
        if now_ms() - start > timeout_ms {
            return false;
        }
        sleep(15).await;
    }
}
