//! How every form and dialog submits: a Leptos `Action` with pending, the server's field errors
//! (shown next to their fields), an error line for the rest, and one `Idempotency-Key` per
//! dialog — so a double click, or a request retried at the rate-limit gate or after a dropped
//! connection, is done once.

use crate::api::{self, ApiError};
use leptos::prelude::*;
use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

/// What an action takes and gives, with its type erased: every form shares one `Action` type,
/// so the wasm carries Leptos' action code once rather than once per form.
type Erased = Arc<dyn Any + Send + Sync>;

pub struct Submit<I: 'static, O: 'static> {
    action: Action<Erased, Result<Erased, ApiError>>,
    types: PhantomData<fn(I) -> O>,
}

impl<I, O> Clone for Submit<I, O> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<I, O> Copy for Submit<I, O> {}

impl<I, O> Submit<I, O>
where
    I: Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    /// `run(input, idempotency_key)` sends the request. Create one per dialog or button.
    pub fn new<Fu>(run: impl Fn(I, String) -> Fu + 'static) -> Self
    where
        Fu: Future<Output = Result<O, ApiError>> + 'static,
    {
        let key = StoredValue::new(api::idempotency_key());
        let run = std::rc::Rc::new(run);
        let action = Action::new_unsync(move |input: &Erased| {
            let input = input.downcast_ref::<I>().cloned().expect("dispatched by this Submit, with its input type");
            let (run, sent_with) = (run.clone(), key.get_value());
            async move {
                let result = run(input, sent_with).await;
                // The key belongs to one user action until it has an answer: a request lost to
                // the network, a 5xx or a 429 is sent again with it (done once). Once answered —
                // done, or refused (4xx did nothing, and the server keeps that answer for the key)
                // — the next submit is a new action with a new key.
                let answered = match &result {
                    Ok(_) => true,
                    Err(e) => {
                        e.status().is_some_and(|s| (400..500).contains(&s) && s != 429)
                            && e.code() != Some("idempotency_key_in_use")
                    }
                };
                if answered {
                    key.try_set_value(api::idempotency_key());
                }
                result.map(|done| Arc::new(done) as Erased)
            }
        });
        Submit { action, types: PhantomData }
    }

    /// Sends `input`, unless a send is still pending (a double click).
    pub fn dispatch(self, input: I) {
        if !self.action.pending().get_untracked() {
            self.action.dispatch(Arc::new(input));
        }
    }

    pub fn pending(self) -> Signal<bool> {
        let pending = self.action.pending();
        Signal::derive(move || pending.get())
    }

    /// The last answer, when it was a success.
    pub fn done(self) -> Signal<Option<O>> {
        let value = self.action.value();
        Signal::derive(move || value.with(|v| v.as_ref()?.as_ref().ok()?.downcast_ref::<O>().cloned()))
    }

    /// What the server said about one request field (camelCase, as sent).
    pub fn field(self, name: &'static str) -> Signal<Option<String>> {
        let value = self.action.value();
        Signal::derive(move || value.with(|v| v.as_ref().and_then(|r| r.as_ref().err()).and_then(|e| e.field(name))))
    }

    /// The last failure in words (a field error's summary too); `None` after a success.
    pub fn error(self) -> Signal<Option<String>> {
        let value = self.action.value();
        Signal::derive(move || {
            value.with(|v| match v {
                Some(Err(ApiError::Cancelled)) | None | Some(Ok(_)) => None,
                Some(Err(e)) => Some(e.user_message()),
            })
        })
    }

    /// The last failure itself, for pages that act on its code (409 `webhooks_disabled`).
    pub fn failure(self) -> Signal<Option<ApiError>> {
        let value = self.action.value();
        Signal::derive(move || value.with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned())))
    }
}

/// The error line under a form: what failed, in words.
pub fn form_error(message: Signal<Option<String>>) -> impl IntoView {
    move || message.get().map(|m| view! { <p class="form-error" role="alert" data-testid="form-error">{m}</p> })
}
