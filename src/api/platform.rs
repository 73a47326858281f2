//! Time, randomness, sleeping and cancellation: the few things the gate needs from the browser.
//!
//! On wasm these use `Date.now()`, `Math.random()`, `crypto.getRandomValues` and gloo-timers;
//! natively (unit tests) they fall back to plain std so pure logic still runs.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

pub type LocalBoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// Unix time in milliseconds.
pub fn now_ms() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as f64).unwrap_or(0.0)
    }
}

/// A number in `[0, 1)` for backoff jitter.
pub fn random() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Math::random()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.5
    }
}

/// Sleeps `ms` milliseconds (natively: returns at once).
pub async fn sleep_ms(ms: f64) {
    #[cfg(target_arch = "wasm32")]
    {
        let ms = ms.clamp(0.0, i32::MAX as f64) as u32;
        gloo_timers::future::TimeoutFuture::new(ms).await;
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = ms;
    }
}

/// A fresh `Idempotency-Key` (UUID v4 text) for one user action, from `crypto.getRandomValues`.
pub fn idempotency_key() -> String {
    let mut bytes = [0u8; 16];
    #[cfg(target_arch = "wasm32")]
    {
        let filled = web_sys::window()
            .and_then(|w| w.crypto().ok())
            .and_then(|c| c.get_random_values_with_u8_array(&mut bytes).ok())
            .is_some();
        if !filled {
            for b in bytes.iter_mut() {
                *b = (js_sys::Math::random() * 256.0) as u8;
            }
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let seed = now_ms() as u128 ^ (&bytes as *const _ as u128);
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (seed >> ((i % 16) * 8)) as u8 ^ (i as u8).wrapping_mul(151);
        }
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// Cancels one request (or one user action's requests): aborts its wait at the gate and its
/// in-flight fetch. Clones share the same state.
#[derive(Clone, Default)]
pub struct CancelToken(Rc<CancelInner>);

type Callback = Box<dyn FnOnce()>;

#[derive(Default)]
struct CancelInner {
    cancelled: Cell<bool>,
    wakers: RefCell<Vec<Waker>>,
    on_cancel: RefCell<Vec<(u64, Callback)>>,
    next_callback: Cell<u64>,
}

/// Removes its callback from the token when dropped (see [`CancelToken::on_cancel_scoped`]).
pub struct OnCancel {
    token: std::rc::Weak<CancelInner>,
    id: u64,
}

impl Drop for OnCancel {
    fn drop(&mut self) {
        if let Some(inner) = self.token.upgrade() {
            inner.on_cancel.borrow_mut().retain(|(id, _)| *id != self.id);
        }
    }
}

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        if self.0.cancelled.replace(true) {
            return;
        }
        let wakers = std::mem::take(&mut *self.0.wakers.borrow_mut());
        wakers.into_iter().for_each(Waker::wake);
        let callbacks = std::mem::take(&mut *self.0.on_cancel.borrow_mut());
        callbacks.into_iter().for_each(|(_, f)| f());
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.get()
    }

    /// Runs `f` once when cancelled (at once if it already is), e.g. to abort a fetch.
    pub fn on_cancel(&self, f: impl FnOnce() + 'static) {
        if self.is_cancelled() {
            f();
        } else {
            let id = self.0.next_callback.get() + 1;
            self.0.next_callback.set(id);
            self.0.on_cancel.borrow_mut().push((id, Box::new(f)));
        }
    }

    /// Like [`on_cancel`](Self::on_cancel), but only while the guard lives: a page's long-lived
    /// token does not collect one closure per request it ever carried.
    pub fn on_cancel_scoped(&self, f: impl FnOnce() + 'static) -> OnCancel {
        let before = self.0.next_callback.get();
        self.on_cancel(f);
        OnCancel { token: Rc::downgrade(&self.0), id: if self.is_cancelled() { 0 } else { before + 1 } }
    }

    /// Callbacks still registered (tests: nothing is left behind).
    pub fn pending_callbacks(&self) -> usize {
        self.0.on_cancel.borrow().len()
    }

    /// Resolves when the token is cancelled.
    pub fn cancelled(&self) -> Cancelled {
        Cancelled(self.clone())
    }
}

pub struct Cancelled(CancelToken);

impl Future for Cancelled {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0.is_cancelled() {
            return Poll::Ready(());
        }
        let mut wakers = self.0 .0.wakers.borrow_mut();
        if !wakers.iter().any(|w| w.will_wake(cx.waker())) {
            wakers.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

/// The page on screen (its path) and the token its requests share.
struct PageScope {
    path: String,
    token: CancelToken,
}

thread_local! {
    static PAGE: RefCell<Option<PageScope>> = const { RefCell::new(None) };
}

/// Gives the router's current path, or `None` once the app is gone.
type PathSource = Rc<dyn Fn() -> Option<String>>;

thread_local! {
    static PATH_SOURCE: RefCell<Option<PathSource>> = const { RefCell::new(None) };
}

/// Where the page's path comes from: the router knows of a navigation before the address bar.
/// `None` from the source (the app is gone) falls back to the address bar.
pub fn set_path_source(source: impl Fn() -> Option<String> + 'static) {
    PATH_SOURCE.with(|s| *s.borrow_mut() = Some(Rc::new(source)));
}

fn current_pathname() -> String {
    if let Some(path) = PATH_SOURCE.with(|s| s.borrow().clone()).and_then(|source| source()) {
        return path;
    }
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window().and_then(|w| w.location().pathname().ok()).unwrap_or_default()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        String::new()
    }
}

/// Leaving a page ends what it was waiting for: when the path has changed since the page's
/// requests started, their shared token is cancelled (aborting gate waits and fetches) and a
/// fresh one begins. Idempotent, so both `send` and the router's path change may call it.
pub fn sync_page() {
    let path = current_pathname();
    let left = PAGE.with(|p| {
        let mut page = p.borrow_mut();
        match &*page {
            Some(scope) if scope.path == path => None,
            _ => page.replace(PageScope { path, token: CancelToken::new() }).map(|s| s.token),
        }
    });
    if let Some(token) = left {
        token.cancel();
    }
}

/// Forgets the page and where its path came from (tests, between apps).
pub fn forget_page() {
    PATH_SOURCE.with(|s| s.borrow_mut().take());
    PAGE.with(|p| p.borrow_mut().take());
}

/// The token of the page on screen, for requests that carry none of their own.
pub fn page_token() -> CancelToken {
    sync_page();
    PAGE.with(|p| p.borrow().as_ref().map(|s| s.token.clone())).unwrap_or_default()
}

/// Which of two raced futures finished first.
pub enum Either<A, B> {
    Left(A),
    Right(B),
}

/// Polls both futures and returns the first result; the other is dropped.
pub async fn race<A: Future, B: Future>(a: A, b: B) -> Either<A::Output, B::Output> {
    let mut a = Box::pin(a);
    let mut b = Box::pin(b);
    std::future::poll_fn(move |cx| {
        if let Poll::Ready(v) = a.as_mut().poll(cx) {
            return Poll::Ready(Either::Left(v));
        }
        if let Poll::Ready(v) = b.as_mut().poll(cx) {
            return Poll::Ready(Either::Right(v));
        }
        Poll::Pending
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn idempotency_keys_look_like_uuid_v4() {
        let key = idempotency_key();
        assert_eq!(key.len(), 36);
        assert_eq!(&key[14..15], "4");
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn cancel_runs_callbacks_once() {
        let token = CancelToken::new();
        let hits = Rc::new(Cell::new(0));
        let h = hits.clone();
        token.on_cancel(move || h.set(h.get() + 1));
        token.cancel();
        token.cancel();
        assert!(token.is_cancelled());
        assert_eq!(hits.get(), 1);
    }
}
