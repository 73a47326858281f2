use crate::api::GateStatus;
use leptos::prelude::*;

/// The header meter: "412 of 500 left" with a small bar. Says "low" in words, not only colour.
#[component]
pub fn RateMeter(#[prop(into)] status: Signal<GateStatus>) -> impl IntoView {
    let reading = move || {
        let s = status.get();
        Some((s.remaining?, s.limit?, s.reset_secs.unwrap_or(0)))
    };
    move || {
        reading().map(|(remaining, limit, reset)| {
            let percent = (remaining.min(limit) * 100).checked_div(limit).unwrap_or(0);
            let low = percent <= 20;
            view! {
                <div
                    class="rate-meter"
                    class:rate-low=low
                    data-testid="rate-meter"
                    title=format!("API requests left in the current window; more in {reset} s")
                >
                    <span class="rate-text">
                        {format!("{remaining} of {limit} left")}
                        {low.then_some(" (low)")}
                    </span>
                    <span class="rate-bar" aria-hidden="true">
                        <span class="rate-fill" style:width=format!("{percent}%")></span>
                    </span>
                </div>
            }
        })
    }
}

/// "in 9 min, at 14:32" for a wait too long to count down.
fn reopens_at(until_ms: f64, secs: u64) -> String {
    let at = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(until_ms));
    let minutes = (secs as f64 / 60.0).round() as u64;
    format!("in {minutes} min, at {:02}:{:02}", at.get_hours(), at.get_minutes())
}

/// The calm banner shown while the API window is closed, or after the console gave up.
/// The `role="status"` region holds a sentence that changes with the state only; the ticking
/// countdown beside it is hidden from screen readers, which would otherwise read every second.
#[component]
pub fn RateLimitBanner(
    #[prop(into)] status: Signal<GateStatus>,
    /// Unix ms the countdown is drawn against.
    #[prop(into)]
    now: Signal<f64>,
    /// "Retry now": open the window at once.
    on_retry: Callback<()>,
    /// "Cancel": drop every waiting request.
    on_cancel: Callback<()>,
    /// Hides the "gave up" message.
    on_dismiss: Callback<()>,
) -> impl IntoView {
    let seconds_left = move || {
        let until = status.with(|s| s.waiting_until_ms)?;
        Some(((until - now.get()) / 1000.0).ceil().max(0.0) as u64)
    };
    let paced_secs = move || {
        let until = status.with(|s| s.paced_until_ms)?;
        let secs = ((until - now.get()) / 1000.0).ceil();
        // Short pauses pass unnoticed; say something once the wait is one to notice.
        (secs >= 2.0).then_some(secs as u64)
    };
    let reason = move || if status.with(|s| s.busy) { "The server is busy" } else { "API limit reached" };
    // What is announced: changes when the state does, not every second.
    let announcement = move || {
        let s = status.get();
        match (s.waiting_until_ms, s.waiting) {
            (Some(_), 0) => format!("{}. Requests pause until the window reopens.", reason()),
            (Some(_), n) => format!("{}. {n} waiting, retried automatically.", reason()),
            (None, _) if s.paced_until_ms.is_some() => "Close to the API limit: requests are spaced out.".into(),
            _ => String::new(),
        }
    };
    let gave_up = move || {
        status.with(|s| s.gave_up_message.clone()).map(|message| {
            view! {
                <div class="banner banner-gave-up" data-testid="rate-limit-gave-up">
                    <span class="banner-icon" aria-hidden="true">"!"</span>
                    <span class="banner-text">{message}</span>
                    <button type="button" class="button button-quiet" on:click=move |_| on_dismiss.run(())>
                        "Dismiss"
                    </button>
                </div>
            }
        })
    };
    view! {
        <div role="status" class="banner-region">
            <span class="visually-hidden" data-testid="rate-limit-announcement">{announcement}</span>
            {gave_up}
            {move || {
                if let Some(secs) = seconds_left() {
                    let (waiting, until, long) = status.with(|s| (s.waiting, s.waiting_until_ms.unwrap_or(0.0), s.long_wait_ms));
                    let when = if secs * 1000 > long { reopens_at(until, secs) } else { format!("in {secs} s") };
                    Some(
                        view! {
                            <div class="banner banner-wait" data-testid="rate-limit-banner">
                                <span class="banner-icon" aria-hidden="true">"◷"</span>
                                <span class="banner-text" aria-hidden="true">
                                    {if waiting > 0 {
                                        let what = if waiting == 1 { "request" } else { "requests" };
                                        format!("{} — retrying {when} ({waiting} {what} waiting)", reason())
                                    } else {
                                        format!("{} — requests resume {when}", reason())
                                    }}
                                </span>
                                <button type="button" class="button" data-testid="retry-now" on:click=move |_| on_retry.run(())>
                                    "Retry now"
                                </button>
                                {(waiting > 0)
                                    .then(|| {
                                        view! {
                                            <button
                                                type="button"
                                                class="button button-quiet"
                                                data-testid="cancel-wait"
                                                on:click=move |_| on_cancel.run(())
                                            >
                                                "Cancel"
                                            </button>
                                        }
                                    })}
                            </div>
                        }
                            .into_any(),
                    )
                } else if let Some(secs) = paced_secs() {
                    let waiting = status.with(|s| s.waiting);
                    let what = if waiting == 1 { "request" } else { "requests" };
                    Some(
                        view! {
                            <div class="banner banner-wait" data-testid="rate-limit-banner">
                                <span class="banner-icon" aria-hidden="true">"◷"</span>
                                <span class="banner-text" aria-hidden="true">
                                    {format!("Close to the API limit — spacing requests out: next in {secs} s ({waiting} {what} waiting)")}
                                </span>
                                <button type="button" class="button" data-testid="retry-now" on:click=move |_| on_retry.run(())>
                                    "Send now"
                                </button>
                            </div>
                        }
                            .into_any(),
                    )
                } else {
                    None
                }
            }}
        </div>
    }
}
