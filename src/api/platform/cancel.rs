//! Cancellation: one token per request or user action, which aborts its wait at the gate and
//! its fetch; and racing a future against it.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

pub type LocalBoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

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
