//! The shared rate-limit gate: waits at a closed window, holds everyone else, cancels, shows it.

mod common;

use common::*;
use sluice_console::api::{self, gate, now_ms, ApiError, CancelToken};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const EMPTY_PAGE: &str = r#"{"items":[],"nextCursor":null}"#;

#[wasm_bindgen_test]
async fn a_429_with_retry_after_is_waited_out_and_retried_once() {
    let fake = install(|_, index| if index == 0 { rate_limited(1) } else { json(200, EMPTY_PAGE) });
    let started = now_ms();
    let page = api::api_keys::list().await.expect("the retry succeeds");
    assert!(page.items.is_empty());
    assert_eq!(fake.count(), 2, "one try and one retry");
    let gap = fake.seen.borrow()[1].at - fake.seen.borrow()[0].at;
    assert!(gap >= 950.0, "retried after Retry-After (gap {gap} ms)");
    assert!(now_ms() - started < 2500.0);
    assert_eq!(gate::status().waiting_until_ms, None, "the window is open again");
}

#[wasm_bindgen_test]
async fn while_the_window_is_closed_no_other_request_is_sent() {
    let fake = install(|_, index| if index == 0 { rate_limited(1) } else { json(200, EMPTY_PAGE) });
    let results: Rc<RefCell<Vec<Result<usize, ApiError>>>> = Rc::default();
    let launch = |results: Rc<RefCell<Vec<Result<usize, ApiError>>>>| {
        spawn_local(async move {
            let outcome = api::api_keys::list().await.map(|p| p.items.len());
            results.borrow_mut().push(outcome);
        })
    };
    launch(results.clone());
    assert!(wait_until(500.0, || gate::status().waiting_until_ms.is_some()).await, "429 closed the window");
    // Four more user actions while the window is closed.
    for _ in 0..4 {
        launch(results.clone());
    }
    assert!(wait_until(500.0, || gate::status().waiting == 5).await, "all five wait at the gate");
    sleep(500).await;
    assert_eq!(fake.count(), 1, "nothing was sent while the window was closed");
    assert!(wait_until(3000.0, || results.borrow().len() == 5).await, "all five complete");
    assert!(results.borrow().iter().all(|r| r.is_ok()), "{:?}", results.borrow());
    assert_eq!(fake.count(), 6, "the 429'd request once more, then the four others");
    let seen = fake.seen.borrow();
    let closed_at = seen[0].at;
    assert!(seen[1..].iter().all(|s| s.at - closed_at >= 950.0), "every later send waited");
}

#[wasm_bindgen_test]
async fn cancel_at_the_gate_aborts_the_waiting_requests() {
    let fake = install(|_, _| rate_limited(1));
    let result: Rc<RefCell<Option<Result<(), ApiError>>>> = Rc::default();
    let r = result.clone();
    spawn_local(async move {
        *r.borrow_mut() = Some(api::api_keys::list().await.map(|_| ()));
    });
    assert!(wait_until(500.0, || gate::status().waiting_until_ms.is_some()).await);
    let cancelled_at = now_ms();
    gate::cancel();
    assert!(wait_until(300.0, || result.borrow().is_some()).await, "cancel returns at once");
    assert_eq!(result.borrow().clone(), Some(Err(ApiError::Cancelled)));
    assert!(now_ms() - cancelled_at < 300.0);
    assert_eq!(fake.count(), 1, "the cancelled request was not sent again");
    let status = gate::status();
    assert!(status.waiting_until_ms.is_some(), "the server's window is still closed: so is ours");
    assert!(status.gave_up_message.unwrap().contains("not sent"));
}

#[wasm_bindgen_test]
async fn a_request_can_be_cancelled_in_flight() {
    let fake = install(|_, _| {
        let (response, _) = json(200, EMPTY_PAGE);
        (response, 2000)
    });
    let token = CancelToken::new();
    let request = api::ApiRequest::get("/api-keys", "Load API keys").cancel_with(token.clone());
    let result: Rc<RefCell<Option<Result<(), ApiError>>>> = Rc::default();
    let r = result.clone();
    spawn_local(async move {
        let answer: Result<serde_json::Value, ApiError> = api::send(request).await;
        *r.borrow_mut() = Some(answer.map(|_| ()));
    });
    assert!(wait_until(500.0, || fake.count() == 1).await);
    token.cancel();
    assert!(wait_until(300.0, || result.borrow().is_some()).await);
    assert_eq!(result.borrow().clone(), Some(Err(ApiError::Cancelled)));
}

#[wasm_bindgen_test]
async fn state_changes_are_retried_only_with_an_idempotency_key() {
    let fake = install(|_, index| {
        if index == 0 {
            rate_limited(1)
        } else {
            json(
                200,
                r#"{"id":"k1","name":"ci","prefix":"slk_1","createdAt":"2025-01-01T00:00:00Z","lastUsedAt":null,"revokedAt":"2025-01-02T00:00:00Z"}"#,
            )
        }
    });
    let key = api::idempotency_key();
    api::api_keys::revoke("k1", &key).await.expect("retried with its key");
    let seen = fake.seen.borrow();
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|s| s.request.header("idempotency-key") == Some(key.as_str())));
}

#[wasm_bindgen_test]
async fn the_banner_counts_down_while_waiting_and_goes_away_after() {
    install(signed_in(|request, _| {
        thread_local!(static CALLS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) });
        if request.path.starts_with("/api/v1/api-keys") {
            let n = CALLS.with(|c| c.replace(c.get() + 1));
            return Some(if n == 0 {
                rate_limited(1)
            } else {
                json(
                    200,
                    r#"{"items":[{"id":"k1","name":"Billing sync","prefix":"slk_3f9a","createdAt":"2025-01-01T10:00:00Z","lastUsedAt":null,"revokedAt":null}],"nextCursor":null}"#,
                )
            });
        }
        None
    }));
    let _app = mount_app_at("/settings/api-keys");
    assert!(wait_until(1000.0, || by_testid("rate-limit-banner").is_some()).await, "banner shown");
    let text = text_of("rate-limit-banner");
    // Retry-After 1 s plus up to half a second of jitter.
    assert!(text.contains("API limit reached — retrying in ") && text.contains(" s (1 request waiting)"), "{text}");
    assert!(by_testid("retry-now").is_some() && by_testid("cancel-wait").is_some());
    let region = by_testid("rate-limit-banner").unwrap().parent_element().unwrap();
    assert_eq!(region.get_attribute("role").as_deref(), Some("status"));
    assert!(wait_until(2500.0, || by_testid("api-key-row").is_some()).await, "keys loaded after the wait");
    assert!(by_testid("rate-limit-banner").is_none(), "banner gone once the window opened");
    assert!(text_of("api-key-table").contains("Billing sync"));
    assert!(text_of("api-key-table").contains("Active"));
}
