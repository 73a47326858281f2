//! The gate against a fake server that enforces a real rolling window: no herd when the window
//! reopens, Cancel that leaves the page working, long waits shown as a time, budget and 503 words.

mod common;

use common::*;
use sluice_console::api::transport::{Request, Response};
use sluice_console::api::{self, gate, now_ms, ApiError};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const EMPTY_PAGE: &str = r#"{"items":[],"nextCursor":null}"#;

/// At most `limit` requests in any `window_ms`, answered as sluice-server does (headers, 429 body),
/// each after [`LATENCY_MS`] as over a real network (with none, every answer would arrive before
/// the next waiter's timer fires, and a herd could not show).
const LATENCY_MS: u32 = 60;

struct RollingWindow {
    limit: usize,
    window_ms: f64,
    sent: RefCell<VecDeque<f64>>,
    refused: RefCell<usize>,
}

impl RollingWindow {
    fn new(limit: usize, window_ms: f64) -> Rc<Self> {
        Rc::new(RollingWindow { limit, window_ms, sent: RefCell::default(), refused: RefCell::default() })
    }

    fn answer(&self, body: &str) -> (Response, u32) {
        let now = now_ms();
        let mut sent = self.sent.borrow_mut();
        while sent.front().is_some_and(|&t| t + self.window_ms <= now) {
            sent.pop_front();
        }
        let allowed = sent.len() < self.limit;
        if allowed {
            sent.push_back(now);
        }
        let reset_secs =
            sent.front().map(|&t| ((t + self.window_ms - now) / 1000.0).ceil().max(1.0) as u64).unwrap_or(0);
        let headers = |remaining: usize| {
            vec![
                ("content-type".to_string(), "application/json".to_string()),
                ("x-ratelimit-limit".into(), self.limit.to_string()),
                ("x-ratelimit-remaining".into(), remaining.to_string()),
                ("x-ratelimit-reset".into(), reset_secs.to_string()),
            ]
        };
        if allowed {
            let remaining = self.limit - sent.len();
            return (Response { status: 200, headers: headers(remaining), body: body.into() }, LATENCY_MS);
        }
        *self.refused.borrow_mut() += 1;
        let mut headers = headers(0);
        headers.push(("retry-after".into(), reset_secs.to_string()));
        let body = r#"{"error":{"code":"rate_limited","message":"This console session has used all its requests."}}"#;
        (Response { status: 429, headers, body: body.into() }, LATENCY_MS)
    }
}

fn launch_lists(k: usize) -> Rc<RefCell<Vec<Result<usize, ApiError>>>> {
    let results: Rc<RefCell<Vec<Result<usize, ApiError>>>> = Rc::default();
    for _ in 0..k {
        let results = results.clone();
        spawn_local(async move {
            let outcome = api::api_keys::list().await.map(|p| p.items.len());
            results.borrow_mut().push(outcome);
        });
    }
    results
}

#[wasm_bindgen_test]
async fn a_queue_across_a_reopening_costs_at_most_one_extra_429_per_reopening() {
    let window = RollingWindow::new(3, 1000.0);
    let w = window.clone();
    let fake = install(move |_: &Request, _| w.answer(EMPTY_PAGE));
    for _ in 0..3 {
        api::api_keys::list().await.expect("the window has room for three");
    }
    // The window is full: ten more actions queue at the gate and cross its reopenings.
    let k = 10;
    let results = launch_lists(k);
    assert!(wait_until(12_000.0, || results.borrow().len() == k).await, "all {k} actions complete");
    assert!(results.borrow().iter().all(|r| r.is_ok()), "no action failed: {:?}", results.borrow());
    let refused = *window.refused.borrow();
    // The window reopens four times for these ten; a herd earns a 429 for nearly every queued
    // request at each reopening, one request first earns at most one.
    assert!(refused <= 2, "{refused} 429s for {k} queued actions ({} requests)", fake.count());
    assert_eq!(fake.count(), 3 + k + refused, "every 429 cost exactly one extra request");
}

#[wasm_bindgen_test]
async fn cancel_drops_the_waiting_and_a_new_request_on_the_same_page_succeeds() {
    let window = RollingWindow::new(1, 1000.0);
    let w = window.clone();
    let fake = install(move |_: &Request, _| w.answer(EMPTY_PAGE));
    api::api_keys::list().await.expect("the first fits the window");
    let waiting = launch_lists(2);
    assert!(wait_until(500.0, || gate::status().waiting == 2).await, "both wait at the closed gate");
    gate::cancel();
    assert!(wait_until(300.0, || waiting.borrow().len() == 2).await, "cancel returns at once");
    assert!(waiting.borrow().iter().all(|r| *r == Err(ApiError::Cancelled)));
    assert!(gate::status().waiting_until_ms.is_some(), "the window stays closed");
    let sent = fake.count();
    let later = api::api_keys::list().await;
    assert!(later.is_ok(), "the page keeps working: {later:?}");
    assert_eq!(fake.count(), sent + 1, "it waited for the window instead of earning a 429");
}

#[wasm_bindgen_test]
async fn a_wait_longer_than_the_cap_shows_when_the_window_reopens_and_keeps_waiting() {
    let fake = install(signed_in(|request, _| request.path.starts_with("/api/v1/api-keys").then(|| rate_limited(600))));
    let _app = mount_app_at("/settings/api-keys");
    assert!(wait_until(1500.0, || by_testid("rate-limit-banner").is_some()).await, "banner shown");
    let text = text_of("rate-limit-banner");
    assert!(text.contains("retrying in 10 min, at "), "{text}");
    sleep(400).await;
    assert!(by_testid("rate-limit-gave-up").is_none(), "not given up");
    assert_eq!(gate::status().waiting, 1, "the request keeps waiting");
    let keys = fake.seen.borrow().iter().filter(|s| s.path.starts_with("/api/v1/api-keys")).count();
    assert_eq!(keys, 1, "nothing more was sent");
    // The status region announces the state, not the ticking countdown.
    let announced = text_of("rate-limit-announcement");
    assert!(announced.contains("API limit reached. 1 waiting"), "{announced}");
    assert!(!announced.contains("min"), "{announced}");
}

#[wasm_bindgen_test]
async fn a_spent_budget_shows_its_message_at_once_beside_the_countdown() {
    install(signed_in(|request, _| request.path.starts_with("/api/v1/api-keys").then(|| rate_limited(5))));
    gate::reset(gate::GateConfig { budget_tokens: 0.0, ..Default::default() });
    let _app = mount_app_at("/settings/api-keys");
    assert!(wait_until(1500.0, || by_testid("rate-limit-gave-up").is_some()).await, "gave up shown");
    assert!(text_of("rate-limit-gave-up").contains("retry budget is spent"));
    assert!(by_testid("rate-limit-banner").is_some(), "and the window's countdown beside it");
}

#[wasm_bindgen_test]
async fn a_503_says_the_server_is_busy_not_the_limit() {
    install(signed_in(|request, _| {
        request.path.starts_with("/api/v1/api-keys").then(|| {
            let (mut response, delay) = error(503, "unavailable", "Restarting.");
            response.headers.push(("retry-after".into(), "2".into()));
            (response, delay)
        })
    }));
    let _app = mount_app_at("/settings/api-keys");
    assert!(wait_until(1500.0, || by_testid("rate-limit-banner").is_some()).await, "banner shown");
    let text = text_of("rate-limit-banner");
    assert!(text.contains("The server is busy — retrying in"), "{text}");
    assert!(!text.contains("API limit"), "{text}");
}
