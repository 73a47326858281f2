//! The gate's status as Leptos state: one provider, one accessor.

use crate::api::{self, GateStatus};
use leptos::prelude::*;
use std::time::Duration;

/// What the banner and the header meter read.
#[derive(Clone, Copy)]
pub struct RateLimit {
    pub status: ReadSignal<GateStatus>,
    /// The clock the countdown is drawn against (Unix ms), ticking while a window is closed.
    pub now: ReadSignal<f64>,
}

/// Subscribes to the gate for the lifetime of the current owner and provides [`RateLimit`].
pub fn provide_rate_limit() -> RateLimit {
    let (status, set_status) = signal(api::gate::status());
    let (now, set_now) = signal(api::now_ms());
    let id = api::gate::subscribe(move |s| {
        set_now.set(api::now_ms());
        set_status.set(s.clone());
    });
    let ticker = set_interval_with_handle(
        move || {
            if status.with_untracked(|s| s.waiting_until_ms.is_some() || s.paced_until_ms.is_some()) {
                set_now.set(api::now_ms());
            }
        },
        Duration::from_millis(250),
    )
    .ok();
    on_cleanup(move || {
        api::gate::unsubscribe(id);
        if let Some(ticker) = ticker {
            ticker.clear();
        }
    });
    let state = RateLimit { status, now };
    provide_context(state);
    state
}

pub fn use_rate_limit() -> RateLimit {
    expect_context::<RateLimit>()
}
