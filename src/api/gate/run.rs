//! One request's way through the gate: wait, send, and on 429/503 close the window and retry.

use super::{close_window, emit, ensure_channel, note_rate_limit, with};
use crate::api::platform::{now_ms, race, random, sleep_ms, CancelToken};
use crate::api::transport::{self, Request, Response};
use crate::api::ApiError;
use sluice_contract::headers::{IDEMPOTENCY_KEY, RETRY_AFTER};
use sluice_contract::retry::{
    is_retryable_status, is_safe_to_retry, pacing_delay_ms, parse_rate_limit, parse_retry_after, GiveUp,
};
use sluice_contract::ErrorBody;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

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
            let reopened = with(|g| {
                if was_waiting {
                    g.waiting = g.waiting.saturating_sub(1);
                }
                // The first request through a reopened window takes the banner down.
                let reopened = g.closed_until.take().is_some();
                let fresh = g.rate_fresh;
                if let Some(rate) = g.rate.as_mut().filter(|_| fresh) {
                    let pause = pacing_delay_ms(rate, g.config.low_water).min(g.config.max_pacing_ms);
                    g.next_send_at = now + pause as f64;
                    rate.remaining = rate.remaining.saturating_sub(1);
                }
                reopened
            });
            if was_waiting || reopened {
                emit();
            }
            return Ok(());
        }
        if !reg.counted_waiting {
            reg.counted_waiting = true;
            with(|g| g.waiting += 1);
            emit();
        }
        race(sleep_ms(open_at - now), race(Changed(generation), cancel.cancelled())).await;
    }
}

fn give_up(message: String) -> ApiError {
    let retry_after_ms = with(|g| {
        g.gave_up = Some(message.clone());
        g.closed_until.map(|c| (c - now_ms()).max(0.0) as u64)
    });
    emit();
    ApiError::RateLimited { retry_after_ms, message }
}

/// A 429 closes the shared window only when it is the API limit (`rate_limited`, or no body we
/// know); a login lockout (`too_many_attempts`) is that form's business, not every request's.
fn closes_window(response: &Response) -> bool {
    if !is_retryable_status(response.status) {
        return false;
    }
    response.status == 503
        || crate::api::decode::<ErrorBody>(&response.body).map(|b| b.error.code == "rate_limited").unwrap_or(true)
}

fn observe(response: &Response) {
    if let Some(info) = parse_rate_limit(|name| response.header(name).map(str::to_string)) {
        note_rate_limit(info);
    }
}

/// Sends `request` through the gate, retrying as the policy allows. `action` names the user's
/// action in messages ("Create API key").
pub(crate) async fn run(request: Request, cancel: CancelToken, action: &str) -> Result<Response, ApiError> {
    ensure_channel();
    let mut reg = with(|g| {
        let id = g.id();
        g.active.push((id, cancel.clone()));
        Registration { id, counted_waiting: false }
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
        let retry_after = response.header(RETRY_AFTER).and_then(|v| parse_retry_after(v, now as u64));
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
        Response { status, headers: vec![], body: body.into() }
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn only_the_api_limit_closes_the_shared_window() {
        let limited = ErrorBody::new("rate_limited", "Slow down.");
        let lockout = ErrorBody::new("too_many_attempts", "Wait a minute.");
        assert!(closes_window(&response(429, &serde_json::to_string(&limited).unwrap())));
        assert!(closes_window(&response(429, "")));
        assert!(closes_window(&response(503, "")));
        assert!(!closes_window(&response(429, &serde_json::to_string(&lockout).unwrap())));
        assert!(!closes_window(&response(500, "")));
    }
}
