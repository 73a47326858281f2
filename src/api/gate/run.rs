//! One request's way through the gate: wait for a pass, send (with a timeout), tell the gate how
//! it ended, and do what the gate says next.

use super::{changed, emit, ensure_channel, share, with};
use crate::api::platform::{now_ms, race, random, sleep_ms, CancelToken, Either};
use crate::api::transport::{self, Request, Response};
use crate::api::ApiError;
use sluice_contract::gate::{Answer, Next, Pass, Stop};
use sluice_contract::headers::{IDEMPOTENCY_KEY, RETRY_AFTER};
use sluice_contract::retry::{is_safe_to_retry, parse_rate_limit, retry_after_ms_with};
use sluice_contract::ErrorBody;
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

/// A request that has no answer after this is abandoned (and retried when safe).
pub const REQUEST_TIMEOUT_MS: f64 = 30_000.0;

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

/// Holds a request in the gate's waiting list while it waits; Cancel sets `dropped`.
struct Waiting {
    id: u64,
    dropped: Rc<Cell<bool>>,
    listed: bool,
}

impl Waiting {
    fn list(&mut self) {
        if !self.listed {
            self.listed = true;
            let entry = (self.id, self.dropped.clone());
            with(|g| g.waiting.push(entry));
            emit();
        }
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if self.listed {
            let id = self.id;
            with(|g| g.waiting.retain(|(i, _)| *i != id));
            emit();
        }
    }
}

/// Waits until the gate lets this request go (and not before `not_before`).
async fn pass(cancel: &CancelToken, not_before: f64) -> Result<(), ApiError> {
    let mut waiting = Waiting { id: with(|g| g.id()), dropped: Rc::default(), listed: false };
    loop {
        if cancel.is_cancelled() || waiting.dropped.get() {
            return Err(ApiError::Cancelled);
        }
        let now = now_ms();
        let (pass, generation) = if now < not_before {
            (Pass::Wait((not_before - now).ceil() as u64), with(|g| g.generation))
        } else {
            with(|g| {
                let pass = g.core.try_pass(now as u64);
                let closed = g.core.closed_until(now as u64).is_some();
                g.paced_until = match pass {
                    Pass::Wait(ms) if !closed => Some(now + ms as f64),
                    _ => None,
                };
                (pass, g.generation)
            })
        };
        match pass {
            Pass::Go => {
                // The first request into a reopened window: the other tabs hold theirs until
                // it is answered.
                if with(|g| g.core.probing()) {
                    share(with(|g| g.core.shared()));
                }
                return Ok(());
            }
            Pass::Wait(ms) => {
                waiting.list();
                race(sleep_ms(ms as f64), race(Changed(generation), cancel.cancelled())).await;
            }
        }
    }
}

/// An HTTP-date by the browser's own parser (`Retry-After`, `Date`): RFC 7231's formats, with
/// no date parser of our own in the wasm.
fn browser_date_ms(value: &str) -> Option<u64> {
    let ms = js_sys::Date::parse(value);
    (ms.is_finite() && ms >= 0.0).then_some(ms as u64)
}

/// A 429 closes the shared window only when it is the API limit (`rate_limited`, or no body we
/// know); a login lockout (`too_many_attempts`) is that form's business, not every request's.
fn answer_of(response: &Response, now: f64) -> Answer {
    let retry_after = || {
        response
            .header(RETRY_AFTER)
            .and_then(|v| retry_after_ms_with(v, response.header("date"), now as u64, browser_date_ms))
    };
    match response.status {
        503 => Answer::Busy { retry_after_ms: retry_after() },
        429 if crate::api::decode::<ErrorBody>(&response.body)
            .map(|b| b.error.code == "rate_limited")
            .unwrap_or(true) =>
        {
            Answer::Refused { retry_after_ms: retry_after() }
        }
        status => Answer::Done { ok: (200..300).contains(&status) },
    }
}

/// Sends once, giving up after [`REQUEST_TIMEOUT_MS`]; the attempt's own token keeps the fetch's
/// abort off the caller's token once the attempt is over.
async fn attempt(request: &Request, cancel: &CancelToken) -> Result<Response, ApiError> {
    let this = CancelToken::new();
    let link = this.clone();
    let _unlink = cancel.on_cancel_scoped(move || link.cancel());
    let send = transport::current().send(request.clone(), this.clone());
    match race(send, sleep_ms(REQUEST_TIMEOUT_MS)).await {
        Either::Left(result) => result,
        Either::Right(()) => {
            this.cancel();
            Err(ApiError::Network(format!("no answer within {} s", REQUEST_TIMEOUT_MS / 1000.0)))
        }
    }
}

/// Sends `request` through the gate, retrying as the gate says. `action` names the user's action
/// in messages ("Create API key").
pub(crate) async fn run(request: Request, cancel: CancelToken, action: &str) -> Result<Response, ApiError> {
    ensure_channel();
    let safe = is_safe_to_retry(&request.method, request.header(IDEMPOTENCY_KEY).is_some());
    let mut retries = 0;
    let mut not_before = 0.0;
    loop {
        pass(&cancel, not_before).await?;
        let result = attempt(&request, &cancel).await;
        let now = now_ms();
        let (answer, window) = match &result {
            _ if cancel.is_cancelled() => (Answer::Dropped, None),
            Ok(response) => {
                (answer_of(response, now), parse_rate_limit(|name| response.header(name).map(str::to_string)))
            }
            Err(ApiError::Network(_)) => (Answer::NetworkError, None),
            Err(_) => (Answer::Dropped, None),
        };
        let was_probing = with(|g| g.core.probing());
        let next = with(|g| g.core.on_answer(now as u64, answer, window, retries, safe, random()));
        changed(was_probing || window.is_some() || matches!(answer, Answer::Refused { .. } | Answer::Busy { .. }));
        if answer == Answer::Dropped {
            return Err(ApiError::Cancelled);
        }
        match next {
            Next::Finish => return result,
            Next::Retry { not_before_ms } => {
                retries += 1;
                not_before = not_before_ms as f64;
            }
            Next::GiveUp(stop) => return Err(give_up(result, answer, stop, retries, action)),
        }
    }
}

/// Says what did not happen, in the banner and in the error the page gets.
fn give_up(result: Result<Response, ApiError>, answer: Answer, stop: Stop, retries: u32, action: &str) -> ApiError {
    if let Err(e) = result {
        return e;
    }
    let reason = match answer {
        Answer::Busy { .. } => "The server is busy",
        _ => "API limit reached",
    };
    let until = super::closed_until();
    let wait_secs = until.map(|u| ((u - now_ms()) / 1000.0).ceil().max(0.0) as u64).unwrap_or(0);
    let message = match stop {
        Stop::NotSafe => {
            format!("{reason} — “{action}” was not sent again, so it did not happen. Try again in {wait_secs} s.")
        }
        Stop::BudgetSpent => {
            format!("{reason} and the retry budget is spent — “{action}” did not happen. Try again in a minute.")
        }
        Stop::RetriesExhausted => {
            format!("{reason} after {retries} retries — “{action}” did not happen. Try again in a minute.")
        }
    };
    with(|g| g.gave_up = Some(message.clone()));
    emit();
    ApiError::RateLimited { message }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> Response {
        Response { status, headers: vec![], body: body.into() }
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn only_the_api_limit_closes_the_shared_window() {
        let limited = ErrorBody::new("rate_limited", "Slow down.");
        let lockout = ErrorBody::new("too_many_attempts", "Wait a minute.");
        let refused = |a| matches!(a, Answer::Refused { .. } | Answer::Busy { .. });
        assert!(refused(answer_of(&response(429, &serde_json::to_string(&limited).unwrap()), 0.0)));
        assert!(refused(answer_of(&response(429, ""), 0.0)));
        assert!(matches!(answer_of(&response(503, ""), 0.0), Answer::Busy { .. }));
        assert!(!refused(answer_of(&response(429, &serde_json::to_string(&lockout).unwrap()), 0.0)));
        assert!(!refused(answer_of(&response(500, ""), 0.0)));
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn an_http_date_retry_after_counts_from_the_server_s_date() {
        let headers = vec![
            ("retry-after".to_string(), "Sun, 06 Nov 1994 08:49:49 GMT".to_string()),
            ("date".to_string(), "Sun, 06 Nov 1994 08:49:37 GMT".to_string()),
        ];
        let answer = answer_of(&Response { status: 429, headers, body: String::new() }, 0.0);
        assert_eq!(answer, Answer::Refused { retry_after_ms: Some(12_000) });
        assert_eq!(browser_date_ms("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777_000));
        assert_eq!(browser_date_ms("soon"), None);
    }
}
