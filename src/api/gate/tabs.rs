//! Other tabs of the console learn what one tab learnt — the closed-until moment and the window's
//! `Remaining`/`Reset` — through a BroadcastChannel, and a tab opened mid-wait reads the last
//! word from `localStorage`, so it waits too instead of adding its own 429.

use sluice_contract::gate::Shared;
#[cfg(target_arch = "wasm32")]
use std::cell::RefCell;

#[cfg(target_arch = "wasm32")]
const CHANNEL: &str = "sluice-rate-limit";

/// `closedUntil,limit,remaining,resetSecs,windowAt,probeUntil` (numbers; the window part empty
/// when unknown).
fn encode(s: &Shared) -> String {
    let window = match s.window {
        Some(w) => format!("{},{},{},{}", w.limit, w.remaining, w.reset_secs, s.window_at_ms),
        None => ",,,".to_string(),
    };
    format!("{},{window},{}", s.closed_until_ms, s.probe_until_ms)
}

fn decode(text: &str) -> Option<Shared> {
    let parts: Vec<&str> = text.split(',').collect();
    if parts.len() != 6 {
        return None;
    }
    let closed_until_ms = parts[0].parse().ok()?;
    let window = match (parts[1].parse(), parts[2].parse(), parts[3].parse()) {
        (Ok(limit), Ok(remaining), Ok(reset_secs)) => {
            Some(sluice_contract::retry::RateLimitInfo { limit, remaining, reset_secs })
        }
        _ => None,
    };
    let window_at_ms = parts[4].parse().unwrap_or(0);
    let probe_until_ms = parts[5].parse().ok()?;
    Some(Shared { closed_until_ms, window, window_at_ms, probe_until_ms })
}

#[cfg(target_arch = "wasm32")]
thread_local! {
    static CHANNEL_HANDLE: RefCell<Option<web_sys::BroadcastChannel>> = const { RefCell::new(None) };
}

#[cfg(target_arch = "wasm32")]
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

#[cfg(target_arch = "wasm32")]
fn learn(text: &str) {
    if let Some(shared) = decode(text) {
        let now = crate::api::platform::now_ms() as u64;
        let random = crate::api::platform::random();
        super::with(|g| g.core.learn(now, shared, random));
        super::changed(false);
    }
}

#[cfg(target_arch = "wasm32")]
pub(super) fn ensure_channel() {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    if super::with(|g| std::mem::replace(&mut g.channel_open, true)) {
        return;
    }
    if let Some(last) = storage().and_then(|s| s.get_item(CHANNEL).ok().flatten()) {
        learn(&last);
    }
    let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL) else {
        return;
    };
    let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(|e: web_sys::MessageEvent| {
        if let Some(text) = e.data().as_string() {
            learn(&text);
        }
    });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    CHANNEL_HANDLE.with(|c| *c.borrow_mut() = Some(channel));
}

#[cfg(not(target_arch = "wasm32"))]
pub(super) fn ensure_channel() {}

/// Tells the other tabs (and tabs opened later) what this one knows now.
pub(super) fn share(shared: Shared) {
    let text = encode(&shared);
    #[cfg(target_arch = "wasm32")]
    {
        if let Some(s) = storage() {
            let _ = s.set_item(CHANNEL, &text);
        }
        CHANNEL_HANDLE.with(|c| {
            if let Some(channel) = c.borrow().as_ref() {
                let _ = channel.post_message(&wasm_bindgen::JsValue::from_str(&text));
            }
        });
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = text;
}

/// Forgets what was stored for later tabs (tests start from a clean slate).
pub(super) fn forget() {
    #[cfg(target_arch = "wasm32")]
    if let Some(s) = storage() {
        let _ = s.remove_item(CHANNEL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_contract::retry::RateLimitInfo;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn what_a_tab_shares_reads_back_the_same() {
        let full = Shared {
            closed_until_ms: 1_700_000_012_000,
            window: Some(RateLimitInfo { limit: 300, remaining: 0, reset_secs: 12 }),
            window_at_ms: 1_700_000_000_000,
            probe_until_ms: 1_700_000_042_000,
        };
        assert_eq!(decode(&encode(&full)), Some(full));
        let bare = Shared { closed_until_ms: 5, window: None, window_at_ms: 0, probe_until_ms: 0 };
        assert_eq!(decode(&encode(&bare)), Some(bare));
        assert_eq!(decode("nonsense"), None);
    }
}
