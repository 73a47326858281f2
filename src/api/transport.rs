//! The wire under `send()`: a plain request in, a plain response out.
//!
//! Production uses [`GlooTransport`] (the only code that touches `gloo_net`); tests install a
//! fake with [`install`] and count what would have gone over the network.

use super::platform::{race, CancelToken, Either, LocalBoxFuture};
use super::ApiError;
use std::cell::RefCell;
use std::rc::Rc;

#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    pub method: String,
    /// Same-origin path including the query, e.g. `/api/v1/api-keys?limit=50`.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    /// Case-insensitive header lookup.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// Closes a server-sent-events subscription when dropped.
pub struct EventStream {
    close: Option<Box<dyn FnOnce()>>,
}

impl EventStream {
    pub fn new(close: impl FnOnce() + 'static) -> Self {
        EventStream { close: Some(Box::new(close)) }
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        if let Some(close) = self.close.take() {
            close();
        }
    }
}

pub trait Transport {
    /// Sends one request. Cancelling `cancel` must resolve with [`ApiError::Cancelled`].
    fn send(&self, request: Request, cancel: CancelToken) -> LocalBoxFuture<'static, Result<Response, ApiError>>;

    /// Subscribes to one event type of a same-origin SSE stream. Transports without streams
    /// (test fakes) return `None`.
    fn open_events(&self, _path: &str, _event: &str, _on_data: Rc<dyn Fn(String)>) -> Option<EventStream> {
        None
    }
}

thread_local! {
    static TRANSPORT: RefCell<Option<Rc<dyn Transport>>> = const { RefCell::new(None) };
}

/// Replaces the transport every `api::` call uses (tests install fakes here).
pub fn install(transport: Rc<dyn Transport>) {
    TRANSPORT.with(|t| *t.borrow_mut() = Some(transport));
}

/// The installed transport, the browser's fetch unless a test installed another.
pub fn current() -> Rc<dyn Transport> {
    TRANSPORT.with(|t| t.borrow_mut().get_or_insert_with(|| Rc::new(GlooTransport)).clone())
}

/// `fetch` through gloo-net, with same-origin cookies and an `AbortController` per request.
pub struct GlooTransport;

impl Transport for GlooTransport {
    fn send(&self, request: Request, cancel: CancelToken) -> LocalBoxFuture<'static, Result<Response, ApiError>> {
        Box::pin(gloo_send(request, cancel))
    }

    fn open_events(&self, path: &str, event: &str, on_data: Rc<dyn Fn(String)>) -> Option<EventStream> {
        open_event_source(path, event, on_data)
    }
}

async fn gloo_send(request: Request, cancel: CancelToken) -> Result<Response, ApiError> {
    use gloo_net::http::{Method, RequestBuilder};
    let method: Method =
        request.method.parse().map_err(|_| ApiError::Network(format!("unknown method {}", request.method)))?;
    let controller = web_sys::AbortController::new().ok();
    let signal = controller.as_ref().map(|c| c.signal());
    if let Some(controller) = controller {
        cancel.on_cancel(move || controller.abort());
    }
    let mut builder = RequestBuilder::new(&request.path)
        .method(method)
        .credentials(web_sys::RequestCredentials::SameOrigin)
        .abort_signal(signal.as_ref());
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    let built = match request.body {
        Some(body) => builder.body(body),
        None => builder.build(),
    }
    .map_err(|e| ApiError::Network(e.to_string()))?;
    let answer = async {
        let response = built.send().await?;
        let body = response.text().await?;
        Ok::<_, gloo_net::Error>((response, body))
    };
    match race(answer, cancel.cancelled()).await {
        Either::Left(Ok((response, body))) => {
            Ok(Response { status: response.status(), headers: response.headers().entries().collect(), body })
        }
        Either::Left(Err(_)) if cancel.is_cancelled() => Err(ApiError::Cancelled),
        Either::Left(Err(e)) => Err(ApiError::Network(e.to_string())),
        Either::Right(()) => Err(ApiError::Cancelled),
    }
}

/// A subscription that outlives failed connections: the browser retries dropped connections by
/// itself, but gives up for good on an error status (a 429 while the window is closed, a 503
/// during a restart). Then this reopens it, waiting 2 s, 4 s, … up to a minute.
struct LiveSource {
    path: String,
    event: String,
    on_data: Rc<dyn Fn(String)>,
    source: RefCell<Option<web_sys::EventSource>>,
    closed: std::cell::Cell<bool>,
    delay_ms: std::cell::Cell<u32>,
}

const RECONNECT_FIRST_MS: u32 = 2_000;
const RECONNECT_MAX_MS: u32 = 60_000;

impl LiveSource {
    fn connect(self: &Rc<Self>) -> Option<()> {
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;
        if self.closed.get() {
            return Some(());
        }
        let source = web_sys::EventSource::new(&self.path).ok()?;
        let live = Rc::downgrade(self);
        let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            if let (Some(live), Some(data)) = (live.upgrade(), e.data().as_string()) {
                live.delay_ms.set(RECONNECT_FIRST_MS);
                (live.on_data)(data);
            }
        });
        source.add_event_listener_with_callback(&self.event, on_message.as_ref().unchecked_ref()).ok()?;
        let live = Rc::downgrade(self);
        let on_error = Closure::<dyn Fn()>::new(move || {
            let Some(live) = live.upgrade() else { return };
            let gone = live.source.borrow().as_ref().is_some_and(|s| s.ready_state() == web_sys::EventSource::CLOSED);
            if gone && !live.closed.get() {
                let delay = live.delay_ms.get();
                live.delay_ms.set((delay * 2).min(RECONNECT_MAX_MS));
                // Reconnecting into a closed window would be refused again: wait at the gate too.
                let closed_for = super::gate::closed_until()
                    .map(|until| (until - super::platform::now_ms()).max(0.0) as u32)
                    .unwrap_or(0);
                let delay = delay.max(closed_for);
                let again = Rc::downgrade(&live);
                gloo_timers::callback::Timeout::new(delay, move || {
                    if let Some(live) = again.upgrade() {
                        live.connect();
                    }
                })
                .forget();
            }
        });
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        // The closures live as long as the page; each reconnect adds two small ones.
        on_message.forget();
        on_error.forget();
        if let Some(old) = self.source.replace(Some(source)) {
            old.close();
        }
        Some(())
    }

    fn close(&self) {
        self.closed.set(true);
        if let Some(source) = self.source.take() {
            source.close();
        }
    }
}

fn open_event_source(path: &str, event: &str, on_data: Rc<dyn Fn(String)>) -> Option<EventStream> {
    let live = Rc::new(LiveSource {
        path: path.to_string(),
        event: event.to_string(),
        on_data,
        source: RefCell::new(None),
        closed: std::cell::Cell::new(false),
        delay_ms: std::cell::Cell::new(RECONNECT_FIRST_MS),
    });
    live.connect()?;
    Some(EventStream::new(move || live.close()))
}
