//! Other tabs of the console hear of a closed window through a BroadcastChannel, and wait too.

#[cfg(target_arch = "wasm32")]
use super::{close_window, with};
#[cfg(target_arch = "wasm32")]
use crate::api::platform::now_ms;
#[cfg(target_arch = "wasm32")]
use std::cell::RefCell;

const CHANNEL: &str = "sluice-rate-limit";

#[cfg(target_arch = "wasm32")]
pub(super) fn ensure_channel() {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    if with(|g| std::mem::replace(&mut g.channel_open, true)) {
        return;
    }
    let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL) else {
        return;
    };
    let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(|e: web_sys::MessageEvent| {
        if let Some(until) = e.data().as_f64() {
            if until > now_ms() {
                close_window(until, false);
            }
        }
    });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    CHANNEL_HANDLE.with(|c| *c.borrow_mut() = Some(channel));
}

#[cfg(not(target_arch = "wasm32"))]
pub(super) fn ensure_channel() {}

#[cfg(target_arch = "wasm32")]
thread_local! {
    static CHANNEL_HANDLE: RefCell<Option<web_sys::BroadcastChannel>> = const { RefCell::new(None) };
}

pub(super) fn broadcast(until: f64) {
    #[cfg(target_arch = "wasm32")]
    CHANNEL_HANDLE.with(|c| {
        if let Some(channel) = c.borrow().as_ref() {
            let _ = channel.post_message(&wasm_bindgen::JsValue::from_f64(until));
        }
    });
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (until, CHANNEL);
}
