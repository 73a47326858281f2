//! What the API client needs from the browser, by meaning: `clock` (time, randomness,
//! sleeping, idempotency keys), `cancel` (cancel tokens and racing) and `page_scope` (the
//! token of the page on screen). On wasm they use the browser; natively, plain std.

mod cancel;
mod clock;
mod page_scope;

pub use cancel::{race, CancelToken, Either, LocalBoxFuture};
pub use clock::{idempotency_key, now_ms, random, sleep_ms};
pub use page_scope::{forget_page, page_token, set_path_source, sync_page};
