//! The delivery log in the browser: filters in the URL, live rows, windowing, one delivery.

mod common;

use common::issues::{attr, choose, search, select_value};
use common::webhooks::*;
use common::*;
use leptos::prelude::*;
use serde_json::json;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn log_requests(fake: &Fake) -> Vec<String> {
    fake.seen.borrow().iter().filter(|s| is_get(&s.request, DELIVERIES)).map(|s| s.path.clone()).collect()
}

fn input_value(id: &str) -> String {
    by_testid(id).expect(id).unchecked_into::<web_sys::HtmlInputElement>().value()
}

#[wasm_bindgen_test]
async fn filters_round_trip_through_the_url() {
    let fake = install(signed_in(|request, _| {
        if is_get(request, DELIVERIES) {
            return Some(json(200, &page(&[delivery("d1", "failed")], None)));
        }
        is_get(request, ENDPOINTS)
            .then(|| json(200, &page(&[endpoint("ep1", "https://hooks.example.com/orders", "active")], None)))
    }));
    let app = mount_app_cleanly_at("/webhooks/deliveries?status=failed&eventType=issue.opened");
    assert!(wait_until(2000.0, || by_testid("delivery-row").is_some()).await, "rows shown");
    assert_eq!(log_requests(&fake), [format!("{DELIVERIES}?status=failed&eventType=issue.opened&limit=100")]);
    assert_eq!(select_value("filter-status"), "failed");
    assert_eq!(input_value("filter-event-type"), "issue.opened");
    assert_eq!(attr("tab-deliveries", "aria-current").as_deref(), Some("page"));

    // A choice is a navigation: the URL changes and the log is asked again.
    assert!(
        wait_until(1000.0, || by_testid("filter-endpoint")
            .unwrap()
            .text_content()
            .unwrap()
            .contains("hooks.example.com"))
        .await
    );
    choose("filter-endpoint", "ep1");
    assert!(
        wait_until(1000.0, || search() == "?status=failed&eventType=issue.opened&endpointId=ep1").await,
        "url: {}",
        search()
    );
    assert!(
        wait_until(1000.0, || log_requests(&fake).last()
            == Some(&format!("{DELIVERIES}?status=failed&eventType=issue.opened&endpointId=ep1&limit=100")))
        .await,
        "{:?}",
        log_requests(&fake)
    );

    // Typed filters go on Apply (Enter), with the others kept.
    type_into("filter-event-id", "evt_42");
    leptos::task::tick().await;
    assert_eq!(search(), "?status=failed&eventType=issue.opened&endpointId=ep1");
    click("apply-filters");
    assert!(
        wait_until(1000.0, || search() == "?status=failed&eventType=issue.opened&endpointId=ep1&eventId=evt_42").await
    );
    assert!(
        wait_until(1000.0, || log_requests(&fake).last().is_some_and(|p| p.contains("&eventId=evt_42&limit=100")))
            .await
    );

    // Back undoes the last change, and the controls follow the URL.
    window().history().unwrap().back().unwrap();
    assert!(wait_until(2000.0, || search() == "?status=failed&eventType=issue.opened&endpointId=ep1").await);
    assert!(wait_until(1000.0, || input_value("filter-event-id").is_empty()).await, "event id cleared");
    window().history().unwrap().back().unwrap();
    assert!(wait_until(2000.0, || select_value("filter-endpoint").is_empty()).await, "endpoint back to any");
    assert!(
        wait_until(1000.0, || log_requests(&fake).last()
            == Some(&format!("{DELIVERIES}?status=failed&eventType=issue.opened&limit=100")))
        .await
    );

    // A reload (the app opened afresh at this URL) keeps the filters.
    let here = format!("/webhooks/deliveries{}", search());
    drop(app);
    let _again = mount_app_cleanly_at(&here);
    assert!(wait_until(2000.0, || by_testid("delivery-row").is_some()).await);
    assert_eq!(select_value("filter-status"), "failed");
    assert_eq!(input_value("filter-event-type"), "issue.opened");
}

#[wasm_bindgen_test]
async fn a_live_webhooks_event_adds_the_new_row_without_a_reload() {
    let arrived = Rc::new(Cell::new(false));
    let a = arrived.clone();
    let fake = install(signed_in(move |request, _| {
        if is_get(request, DELIVERIES) {
            let mut rows = vec![delivery("d1", "succeeded")];
            if a.get() {
                rows.insert(
                    0,
                    json!({"id": "d2", "eventId": "evt_d2", "eventType": "acme.order_created", "endpointId": "ep1",
                    "endpointUrl": "https://hooks.example.com/orders", "status": "retrying", "attempts": 1,
                    "createdAt": "2025-11-24T19:04:00Z", "lastAttemptAt": "2025-11-24T19:04:01Z",
                    "nextAttemptAt": "2025-11-24T19:04:31Z", "lastStatusCode": 500, "lastError": "HTTP 500"}),
                );
            }
            return Some(json(200, &page(&rows, None)));
        }
        is_get(request, ENDPOINTS).then(|| json(200, &page(&[], None)))
    }));
    let _app = mount_app_at("/webhooks/deliveries");
    assert!(wait_until(2000.0, || all_by_testid("delivery-row").len() == 1).await);
    assert!(open_event_streams().iter().any(|(_, e)| e == "webhooks"), "{:?}", open_event_streams());
    let before = log_requests(&fake).len();

    arrived.set(true);
    // A burst of events while one fetch runs makes one more fetch, not one each.
    for _ in 0..5 {
        assert_eq!(push_event("webhooks", r#"{"deliveryIds":["d2"],"endpointIds":["ep1"]}"#), 1);
    }
    assert!(wait_until(2000.0, || all_by_testid("delivery-row").len() == 2).await, "new row shown");
    let types: Vec<String> = all_by_testid("delivery-event-type").iter().map(|e| e.text_content().unwrap()).collect();
    assert_eq!(types, ["acme.order_created", "issue.opened"], "newest first");
    assert!(text_of("delivery-outcome").contains("HTTP 500"));
    sleep(200).await;
    let fetched = log_requests(&fake).len() - before;
    assert!((1..=2).contains(&fetched), "coalesced: {fetched} fetches for 5 events");
}

#[wasm_bindgen_test]
async fn ten_thousand_rows_keep_only_the_visible_ones_in_the_dom() {
    let rows: Vec<_> = (0..10_000).map(|i| delivery(&format!("d{i}"), "succeeded")).collect();
    let body = page(&rows, None);
    install(signed_in(move |request, _| {
        if is_get(request, DELIVERIES) {
            return Some(json(200, &body));
        }
        is_get(request, ENDPOINTS).then(|| json(200, &page(&[], None)))
    }));
    let _app = mount_app_at("/webhooks/deliveries");
    assert!(wait_until(5000.0, || by_testid("delivery-row").is_some()).await);
    let list = by_testid("windowed-list").unwrap();
    assert_eq!(list.get_attribute("aria-rowcount").as_deref(), Some("10001"));
    let shown = all_by_testid("delivery-row").len();
    assert!(shown < 60, "{shown} rows in the DOM");

    list.set_scroll_top(40 * 9_990);
    list.dispatch_event(&web_sys::Event::new("scroll").unwrap()).unwrap();
    assert!(
        wait_until(1000.0, || all_by_testid("delivery-row")
            .iter()
            .any(|r| r.get_attribute("aria-rowindex").as_deref() == Some("10001")))
        .await,
        "the last row is drawn at the end"
    );
    assert!(all_by_testid("delivery-row").len() < 60);
}

#[wasm_bindgen_test]
async fn a_delivery_shows_its_payload_and_each_attempts_error_in_words() {
    let detail = json!({
        "delivery": {"id": "d1", "eventId": "evt_1", "eventType": "issue.opened", "endpointId": "ep1",
            "endpointUrl": "https://hooks.example.com/orders", "status": "retrying", "attempts": 2,
            "createdAt": "2025-11-24T19:03:11Z", "lastAttemptAt": "2025-11-24T19:03:45Z",
            "nextAttemptAt": "2025-11-24T19:05:45Z", "lastStatusCode": null, "lastError": "timed out after 15 s"},
        "payload": {"eventId": "evt_1", "type": "issue.opened", "data": {"title": "Feed empty"}},
        "attempts": [
            {"number": 2, "at": "2025-11-24T19:03:45Z", "durationMs": 15000, "ok": false, "statusCode": null,
             "responseHeaders": [], "responseBody": null, "error": "timed out after 15 s", "trigger": "scheduled"},
            {"number": 1, "at": "2025-11-24T19:03:12Z", "durationMs": 83, "ok": false, "statusCode": 500,
             "responseHeaders": [{"name": "content-type", "value": "text/plain"}], "responseBody": "boom",
             "error": "HTTP 500 Internal Server Error", "trigger": "scheduled"}
        ]
    });
    let fake = install(signed_in(move |request, _| match (request.method.as_str(), request.path.as_str()) {
        ("GET", "/api/v1/webhooks/deliveries/d1") => Some(json(200, &detail.to_string())),
        ("POST", "/api/v1/webhooks/deliveries/d1/redeliver") => Some(json(200, &delivery("d1", "pending").to_string())),
        _ => None,
    }));
    let _app = mount_app_at("/webhooks/deliveries/d1");
    assert!(wait_until(2000.0, || by_testid("attempt").is_some()).await, "attempts shown");
    let errors: Vec<String> = all_by_testid("attempt-error").iter().map(|e| e.text_content().unwrap()).collect();
    assert_eq!(errors, ["timed out after 15 s", "HTTP 500 Internal Server Error"]);
    let statuses: Vec<String> = all_by_testid("attempt-status").iter().map(|e| e.text_content().unwrap()).collect();
    assert_eq!(statuses, ["No response", "HTTP 500"]);
    assert_eq!(text_of("attempt-body"), "boom");
    let payload = text_of("delivery-payload");
    assert!(payload.contains("\n  \"type\": \"issue.opened\""), "pretty-printed: {payload}");
    assert_eq!(text_of("delivery-event-id"), "evt_1");

    click("redeliver");
    assert!(wait_until(1000.0, || by_testid("redelivered").is_some()).await);
    let posts = requests(&fake, "POST", "/api/v1/webhooks/deliveries/d1/redeliver");
    assert_eq!(posts.len(), 1);
    assert!(posts[0].header("idempotency-key").is_some());
}
