//! Tools > Issues: filters in the URL, Retry with progress and outcome, the live count, the
//! empty states, Dismiss with confirmation, the history, bulk actions and a 409.

mod common;

use common::*;
use leptos::prelude::*;
use serde_json::{json, Value};
use sluice_console::api::now_ms;
use sluice_console::api::transport::Request;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const FAILURE: &str = "HTTP 503 from https://hooks.example.com/orders: Service Unavailable (after 10 s)";

/// An RFC 3339 time `ago_ms` before now, as the server writes them.
fn iso_ago(ago_ms: f64) -> String {
    let date = js_sys::Date::new(&(now_ms() - ago_ms).into());
    String::from(date.to_iso_string())
}

/// An open webhook issue last seen 3 minutes ago.
fn issue(id: &str, title: &str) -> Value {
    json!({
        "id": id,
        "area": "webhooks",
        "entity": {"kind": "endpoint", "id": "ep1", "name": "Orders endpoint", "link": "/webhooks/ep1"},
        "kind": "delivery_failed",
        "severity": "error",
        "title": title,
        "message": FAILURE,
        "firstSeenAt": "2025-11-24T18:00:00Z",
        "lastSeenAt": iso_ago(3.0 * 60_000.0),
        "occurrences": 7,
        "status": "open",
        "acknowledgedBy": null,
        "acknowledgedAt": null,
        "dismissedBy": null,
        "dismissedAt": null,
        "resolvedAt": null,
        "resolution": null,
        "canRetry": true,
        "lastRetry": null
    })
}

fn with(mut issue: Value, changes: Value) -> Value {
    for (k, v) in changes.as_object().unwrap() {
        issue[k] = v.clone();
    }
    issue
}

fn page(items: &[Value], next: Option<&str>) -> String {
    json!({"items": items, "nextCursor": next}).to_string()
}

fn counts(active: u64, webhooks: u64) -> String {
    json!({"byArea": {"integrations": 0, "webhooks": webhooks, "distributors": 0, "api_usage": active - webhooks},
           "byStatus": {}, "active": active})
    .to_string()
}

fn is_list(request: &Request) -> bool {
    request.method == "GET" && (request.path == "/api/v1/issues" || request.path.starts_with("/api/v1/issues?"))
}

fn list_requests(fake: &Fake) -> Vec<String> {
    fake.seen.borrow().iter().filter(|s| is_list(&s.request)).map(|s| s.path.clone()).collect()
}

fn posts(fake: &Fake) -> Vec<Request> {
    fake.seen.borrow().iter().filter(|s| s.method == "POST").map(|s| s.request.clone()).collect()
}

fn attr(id: &str, name: &str) -> Option<String> {
    by_testid(id).and_then(|e| e.get_attribute(name))
}

fn is_disabled(id: &str) -> bool {
    by_testid(id).is_some_and(|e| e.has_attribute("disabled"))
}

/// Picks an option the way a user does: the value changes, then `change` fires.
fn choose(id: &str, value: &str) {
    let select: web_sys::HtmlSelectElement = by_testid(id).expect(id).unchecked_into();
    select.set_value(value);
    select.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
}

fn select_value(id: &str) -> String {
    by_testid(id).expect(id).unchecked_into::<web_sys::HtmlSelectElement>().value()
}

fn search() -> String {
    window().location().search().unwrap()
}

#[wasm_bindgen_test]
async fn filters_round_trip_through_the_url() {
    let fake = install(signed_in(|request, _| {
        if is_list(request) {
            return Some(json(200, &page(&[issue("i1", "Deliveries to Orders endpoint fail")], None)));
        }
        (request.path == "/api/v1/issues/counts").then(|| json(200, &counts(3, 2)))
    }));
    let _app = mount_app_cleanly_at("/issues?area=webhooks&severity=error");
    assert!(wait_until(2000.0, || by_testid("issue-row").is_some()).await, "rows shown");

    assert_eq!(list_requests(&fake), ["/api/v1/issues?area=webhooks&severity=error&limit=50"]);
    assert_eq!(attr("area-tab-webhooks", "aria-current").as_deref(), Some("page"));
    assert_eq!(attr("area-tab-all", "aria-current").as_deref(), None);
    assert!(wait_until(1000.0, || text_of("area-tab-webhooks").contains('2')).await, "webhooks tab counts 2");
    assert!(text_of("area-tab-all").contains('3'), "all tab: {}", text_of("area-tab-all"));
    assert!(text_of("area-tab-api_usage").contains("API usage"));
    assert_eq!(select_value("filter-severity"), "error");
    assert_eq!(select_value("filter-status"), "active", "Active is the default status");

    // A new filter is a navigation: the URL changes and the list is asked again.
    choose("filter-severity", "warning");
    assert!(wait_until(1000.0, || search() == "?area=webhooks&severity=warning").await, "url: {}", search());
    assert!(
        wait_until(1000.0, || list_requests(&fake).last().map(String::as_str)
            == Some("/api/v1/issues?area=webhooks&severity=warning&limit=50"))
        .await,
        "refetched: {:?}",
        list_requests(&fake)
    );

    choose("filter-status", "resolved");
    assert!(wait_until(1000.0, || search() == "?status=resolved&area=webhooks&severity=warning").await);

    // Search goes on Enter (the form's submit), not on every key.
    type_into("filter-q", "timeout");
    leptos::task::tick().await;
    assert_eq!(search(), "?status=resolved&area=webhooks&severity=warning");
    document()
        .query_selector("form[role=search] button[type=submit]")
        .unwrap()
        .unwrap()
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    assert!(wait_until(1000.0, || search() == "?status=resolved&area=webhooks&severity=warning&q=timeout").await);
    assert!(
        wait_until(1000.0, || list_requests(&fake).last().is_some_and(|p| p.ends_with("&q=timeout&limit=50"))).await
    );

    // Back undoes the last filter, and the controls follow the URL.
    window().history().unwrap().back().unwrap();
    assert!(wait_until(2000.0, || search() == "?status=resolved&area=webhooks&severity=warning").await);
    assert!(
        wait_until(1000.0, || by_testid("filter-q")
            .unwrap()
            .unchecked_into::<web_sys::HtmlInputElement>()
            .value()
            .is_empty())
        .await
    );
    window().history().unwrap().back().unwrap();
    assert!(wait_until(2000.0, || select_value("filter-status") == "active").await, "status back to active");

    // An area tab is a link that keeps the other filters.
    click("area-tab-all");
    assert!(wait_until(1000.0, || search() == "?severity=warning").await, "url: {}", search());
    assert!(wait_until(1000.0, || attr("area-tab-all", "aria-current").as_deref() == Some("page")).await);
}

#[wasm_bindgen_test]
async fn retry_shows_progress_then_the_outcome_on_the_row() {
    let retries = Rc::new(Cell::new(0));
    let r = retries.clone();
    let fake = install(signed_in(move |request, _| {
        if is_list(request) {
            // Once resolved, the active list no longer has it.
            let items = if r.get() < 2 { vec![issue("i1", "Deliveries to Orders endpoint fail")] } else { vec![] };
            return Some(json(200, &page(&items, None)));
        }
        if request.path == "/api/v1/issues/i1/retry" {
            r.set(r.get() + 1);
            let answer = if r.get() == 1 {
                with(
                    issue("i1", "Deliveries to Orders endpoint fail"),
                    json!({
                        "lastRetry": {"at": iso_ago(0.0), "ok": false, "message": "HTTP 503 from https://hooks.example.com/orders: Service Unavailable"}
                    }),
                )
            } else {
                with(
                    issue("i1", "Deliveries to Orders endpoint fail"),
                    json!({
                        "status": "resolved", "resolvedAt": iso_ago(0.0), "resolution": "resolved by retry",
                        "lastRetry": {"at": iso_ago(0.0), "ok": true, "message": "delivered: HTTP 200 in 120 ms"}
                    }),
                )
            };
            let (response, _) = json(200, &answer.to_string());
            return Some((response, 300));
        }
        None
    }));
    let _app = mount_app_cleanly_at("/issues");
    assert!(wait_until(2000.0, || by_testid("issue-retry").is_some()).await);
    assert_eq!(text_of("issue-message"), FAILURE, "the message verbatim");
    assert_eq!(text_of("issue-last-seen"), "3 min ago");
    let exact = attr("issue-last-seen", "title").unwrap();
    assert!(exact.ends_with(" UTC") && exact.len() == "2025-11-24 19:03:11 UTC".len(), "exact time on hover: {exact}");
    assert!(attr("issue-last-seen", "datetime").is_some());
    assert_eq!(by_testid("issue-last-seen").unwrap().tag_name(), "TIME");
    assert_eq!(text_of("issue-occurrences"), "7");
    assert_eq!(text_of("issue-status"), "Open");
    assert_eq!(text_of("issue-entity-link"), "Open endpoint");
    assert_eq!(attr("issue-entity-link", "href").as_deref(), Some("/webhooks/ep1"));

    click("issue-retry");
    leptos::task::tick().await;
    assert!(wait_until(200.0, || text_of("issue-retry") == "Retrying…").await, "progress: {}", text_of("issue-retry"));
    assert!(is_disabled("issue-retry"), "disabled while retrying");
    assert_eq!(attr("issue-retry", "aria-busy").as_deref(), Some("true"));
    assert!(by_testid("issue-retry-outcome").is_none());

    assert!(wait_until(2000.0, || by_testid("issue-retry-outcome").is_some()).await, "outcome shown");
    let outcome = by_testid("issue-retry-outcome").unwrap();
    assert_eq!(
        outcome.text_content().unwrap(),
        "Retry failed: HTTP 503 from https://hooks.example.com/orders: Service Unavailable"
    );
    assert!(outcome.class_list().contains("outcome-failed"), "clearly an error");
    assert_eq!(text_of("issue-retry"), "Retry");
    assert!(!is_disabled("issue-retry"));
    assert_eq!(text_of("issue-status"), "Open");
    // The row was re-drawn; the keyboard user is still on Retry, not thrown to the page top.
    assert!(
        wait_until(500.0, || document().active_element().and_then(|e| e.get_attribute("data-testid")).as_deref()
            == Some("issue-retry"))
        .await,
        "focus stays on Retry"
    );

    click("issue-retry");
    assert!(wait_until(200.0, || text_of("issue-retry") == "Retrying…").await);
    assert!(wait_until(2000.0, || text_of("issue-retry-outcome").starts_with("Retry succeeded")).await);
    assert_eq!(text_of("issue-retry-outcome"), "Retry succeeded: delivered: HTTP 200 in 120 ms");
    assert!(by_testid("issue-retry-outcome").unwrap().class_list().contains("outcome-ok"));
    assert_eq!(text_of("issue-status"), "Resolved");
    assert!(by_testid("issue-retry").is_none(), "a resolved issue has nothing to retry");

    // The server's live count follows; the list is asked again and no longer has the issue, but
    // the row the admin just fixed stays, with its outcome, until they change the view.
    let lists = list_requests(&fake).len();
    push_event("issues", r#"{"byArea":{},"byStatus":{},"active":0}"#);
    assert!(wait_until(1000.0, || list_requests(&fake).len() == lists + 1).await, "refetched");
    sleep(50).await;
    leptos::task::tick().await;
    assert_eq!(text_of("issue-retry-outcome"), "Retry succeeded: delivered: HTTP 200 in 120 ms");
    assert_eq!(text_of("issue-status"), "Resolved");
    assert!(by_testid("nothing-broken").is_none());

    let posts: Vec<_> = posts(&fake);
    let keys: Vec<_> = posts.iter().map(|p| p.header("idempotency-key").map(str::to_string)).collect();
    assert_eq!(keys.len(), 2);
    assert!(keys.iter().all(Option::is_some), "each retry carries an Idempotency-Key");
    assert_ne!(keys[0], keys[1], "one key per click");
}

#[wasm_bindgen_test]
async fn live_count_drops_in_the_sidebar_and_the_list_refetches() {
    let resolved = Rc::new(Cell::new(false));
    let r = resolved.clone();
    let fake = install(signed_in(move |request, _| {
        if is_list(request) {
            let items = if r.get() { vec![] } else { vec![issue("i1", "API usage at 80% of limit")] };
            return Some(json(200, &page(&items, None)));
        }
        (request.path == "/api/v1/issues/counts").then(|| json(200, &counts(1, 1)))
    }));
    let _app = mount_app_cleanly_at("/issues");
    assert!(wait_until(2000.0, || by_testid("issue-row").is_some()).await);
    assert!(wait_until(1000.0, || text_of("issue-count") == "1").await, "badge: {}", text_of("issue-count"));
    assert_eq!(open_event_streams(), [("/api/v1/stream".to_string(), "issues".to_string())]);
    let before = list_requests(&fake).len();

    // The server resolves it (the cause was fixed elsewhere) and pushes the new counts.
    resolved.set(true);
    assert_eq!(push_event("issues", r#"{"byArea":{},"byStatus":{},"active":0}"#), 1);
    assert!(wait_until(1000.0, || text_of("issue-count") == "0").await, "badge: {}", text_of("issue-count"));
    assert!(wait_until(1000.0, || by_testid("nothing-broken").is_some()).await, "the page looked again");
    assert_eq!(list_requests(&fake).len(), before + 1);
    assert!(by_testid("issue-row").is_none());
}

#[wasm_bindgen_test]
async fn nothing_is_broken_unless_filters_hide_it() {
    let fake = install(signed_in(|request, _| {
        is_list(request)
            .then(|| json(200, &page(&[], None)))
            .or_else(|| (request.path == "/api/v1/issues/counts").then(|| json(200, &counts(0, 0))))
    }));
    let app = mount_app_cleanly_at("/issues");
    assert!(wait_until(2000.0, || by_testid("nothing-broken").is_some()).await);
    let text = text_of("nothing-broken");
    assert!(text.contains("Nothing is broken"), "{text}");
    for watched in ["API usage", "threshold", "webhook deliveries", "integrations", "distributor feeds"] {
        assert!(text.contains(watched), "says it watches {watched}: {text}");
    }
    assert!(by_testid("no-match").is_none());
    assert!(by_testid("select-all").is_none(), "no table for nothing");
    drop(app);

    let _app = mount_app_cleanly_at("/issues?severity=warning&q=timeout");
    assert!(wait_until(2000.0, || by_testid("no-match").is_some()).await);
    assert!(text_of("no-match").contains("No issues match these filters"));
    assert!(by_testid("nothing-broken").is_none());
    let clear = document().query_selector("[data-testid='no-match'] a").unwrap().unwrap();
    assert_eq!(clear.text_content().unwrap(), "Clear filters");
    clear.unchecked_into::<web_sys::HtmlElement>().click();
    assert!(wait_until(1000.0, || search().is_empty()).await, "filters cleared: {}", search());
    assert!(wait_until(1000.0, || by_testid("nothing-broken").is_some()).await);
    assert_eq!(list_requests(&fake).last().map(String::as_str), Some("/api/v1/issues?limit=50"));
}

#[wasm_bindgen_test]
async fn dismiss_asks_first_and_says_it_comes_back_if_it_happens_again() {
    let fake = install(signed_in(|request, _| {
        if is_list(request) {
            return Some(json(200, &page(&[issue("i1", "Deliveries to Orders endpoint fail")], None)));
        }
        (request.path == "/api/v1/issues/i1/dismiss").then(|| {
            let dismissed = with(
                issue("i1", "Deliveries to Orders endpoint fail"),
                json!({
                    "status": "dismissed", "dismissedBy": "admin@example.com", "dismissedAt": iso_ago(0.0)
                }),
            );
            json(200, &dismissed.to_string())
        })
    }));
    let _app = mount_app_cleanly_at("/issues");
    assert!(wait_until(2000.0, || by_testid("issue-dismiss").is_some()).await);

    click("issue-dismiss");
    assert!(wait_until(500.0, || by_testid("dismiss-dialog").is_some()).await, "asks first");
    let text = text_of("dismiss-dialog");
    assert!(text.contains("Deliveries to Orders endpoint fail"), "{text}");
    assert!(text.contains("unless the problem happens again"), "{text}");
    assert!(posts(&fake).is_empty(), "nothing dismissed before confirming");

    // Cancel changes nothing.
    document()
        .query_selector("[data-testid='dismiss-dialog'] button")
        .unwrap()
        .unwrap()
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    assert!(wait_until(500.0, || by_testid("dismiss-dialog").is_none()).await);
    assert!(posts(&fake).is_empty());

    click("issue-dismiss");
    assert!(wait_until(500.0, || by_testid("confirm-dismiss").is_some()).await);
    click("confirm-dismiss");
    assert!(wait_until(1000.0, || text_of("issue-status") == "Dismissed").await, "status: {}", text_of("issue-status"));
    assert!(by_testid("dismiss-dialog").is_none());
    let posts = posts(&fake);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].path, "/api/v1/issues/i1/dismiss");
    assert!(posts[0].header("idempotency-key").is_some());
    assert!(text_of("issue-retry-outcome").contains("hidden unless it happens again"));
    assert!(by_testid("issue-dismiss").is_none(), "a dismissed issue cannot be dismissed again");
}

#[wasm_bindgen_test]
async fn a_row_opens_to_its_history() {
    let acked = with(
        issue("i1", "Deliveries to Orders endpoint fail"),
        json!({
            "status": "acknowledged", "acknowledgedBy": "ops@example.com", "acknowledgedAt": "2025-11-24T18:30:00Z",
            "lastRetry": {"at": "2025-11-24T18:31:00Z", "ok": false, "message": "HTTP 503 again"}
        }),
    );
    let fake = install(signed_in(move |request, _| {
        if is_list(request) {
            return Some(json(200, &page(std::slice::from_ref(&acked), None)));
        }
        (request.path == "/api/v1/issues/i1").then(|| {
            let history = json!([
                {"at": iso_ago(3.0 * 60_000.0), "message": "HTTP 503 (third)"},
                {"at": iso_ago(10.0 * 60_000.0), "message": "HTTP 503 (second)"},
                {"at": "2025-11-24T18:00:00Z", "message": "connection reset by peer"}
            ]);
            json(
                200,
                &json!({"issue": issue("i1", "Deliveries to Orders endpoint fail"), "history": history}).to_string(),
            )
        })
    }));
    let _app = mount_app_cleanly_at("/issues");
    assert!(wait_until(2000.0, || by_testid("issue-title").is_some()).await);
    let title = by_testid("issue-title").unwrap();
    assert_eq!(title.tag_name(), "BUTTON", "reachable and usable from the keyboard");
    assert_eq!(title.get_attribute("aria-expanded").as_deref(), Some("false"));
    assert!(by_testid("issue-detail").is_none());

    click("issue-title");
    assert!(wait_until(1000.0, || all_by_testid("issue-history-item").len() == 3).await, "history loaded");
    assert_eq!(attr("issue-title", "aria-expanded").as_deref(), Some("true"));
    assert_eq!(fake.count_path("/api/v1/issues/i1"), 1);
    let detail = text_of("issue-detail");
    for fact in
        ["First seen", "2025-11-24 18:00:00 UTC", "Acknowledged", "ops@example.com", "Last retry", "HTTP 503 again"]
    {
        assert!(detail.contains(fact), "detail shows {fact}: {detail}");
    }
    let items = all_by_testid("issue-history-item");
    assert!(items[0].text_content().unwrap().contains("3 min ago"));
    assert!(items[0].text_content().unwrap().contains("HTTP 503 (third)"));
    assert!(items[2].text_content().unwrap().contains("connection reset by peer"));

    // A live refresh that changes nothing about this issue leaves the open row as it is.
    let lists = list_requests(&fake).len();
    push_event("issues", r#"{"byArea":{},"byStatus":{},"active":1}"#);
    assert!(wait_until(1000.0, || list_requests(&fake).len() == lists + 1).await);
    sleep(50).await;
    assert!(by_testid("issue-detail").is_some(), "still open");
    assert_eq!(fake.count_path("/api/v1/issues/i1"), 1, "history not loaded again");

    click("issue-title");
    assert!(wait_until(500.0, || by_testid("issue-detail").is_none()).await, "closes again");
}

#[wasm_bindgen_test]
async fn bulk_actions_report_each_rows_outcome() {
    let bodies = Rc::new(RefCell::new(Vec::<Value>::new()));
    let b = bodies.clone();
    let fake = install(signed_in(move |request, _| {
        if is_list(request) {
            let items = [
                issue("i1", "Deliveries to Orders endpoint fail"),
                issue("i2", "Feed Acme catalogue failing"),
                with(issue("i3", "API usage at 80% of limit"), json!({"area": "api_usage", "canRetry": false})),
            ];
            return Some(json(200, &page(&items, None)));
        }
        (request.path == "/api/v1/issues/bulk").then(|| {
            let body: Value = serde_json::from_str(request.body.as_deref().unwrap()).unwrap();
            b.borrow_mut().push(body);
            let acked = |id, title| with(issue(id, title), json!({"status": "acknowledged", "acknowledgedBy": "admin@example.com", "acknowledgedAt": iso_ago(0.0)}));
            json(200, &json!({"results": [
                {"id": "i1", "ok": true, "issue": acked("i1", "Deliveries to Orders endpoint fail"), "error": null},
                {"id": "i2", "ok": true, "issue": acked("i2", "Feed Acme catalogue failing"), "error": null},
                {"id": "i3", "ok": false, "issue": null, "error": {"code": "issue_not_active", "message": "This issue is already resolved."}}
            ]}).to_string())
        })
    }));
    let _app = mount_app_cleanly_at("/issues");
    assert!(wait_until(2000.0, || all_by_testid("issue-row").len() == 3).await);
    assert!(by_testid("bulk-bar").is_none(), "no bar without a selection");

    click("issue-select");
    assert!(wait_until(500.0, || text_of("bulk-bar").contains("1 selected")).await);
    click("select-all");
    assert!(wait_until(500.0, || text_of("bulk-bar").contains("3 selected")).await, "{}", text_of("bulk-bar"));
    assert!(text_of("bulk-retry").contains("Retry 2 of 3"), "only retryable rows: {}", text_of("bulk-retry"));

    click("bulk-acknowledge");
    assert!(wait_until(1000.0, || by_testid("bulk-outcome").is_some()).await);
    let outcome = text_of("bulk-outcome");
    assert!(outcome.starts_with("2 acknowledged, 1 failed"), "{outcome}");
    assert!(outcome.contains("“API usage at 80% of limit”: This issue is already resolved."), "{outcome}");
    assert!(by_testid("bulk-outcome").unwrap().class_list().contains("outcome-failed"));
    assert_eq!(bodies.borrow().len(), 1);
    assert_eq!(bodies.borrow()[0], json!({"action": "acknowledge", "ids": ["i1", "i2", "i3"]}));
    assert!(posts(&fake)[0].header("idempotency-key").is_some());

    let statuses: Vec<String> = all_by_testid("issue-status").iter().map(|e| e.text_content().unwrap()).collect();
    assert_eq!(statuses, ["Acknowledged", "Acknowledged", "Open"]);
    // What worked leaves the selection; what failed stays selected, to try again.
    assert!(wait_until(500.0, || text_of("bulk-bar").contains("1 selected")).await, "{}", text_of("bulk-bar"));
    let row_outcomes: Vec<String> =
        all_by_testid("issue-retry-outcome").iter().map(|e| e.text_content().unwrap()).collect();
    assert_eq!(row_outcomes, ["Acknowledged.", "Acknowledged.", "This issue is already resolved."]);
}

#[wasm_bindgen_test]
async fn already_resolved_shows_the_servers_message_and_refreshes_the_row() {
    let _fake = install(signed_in(|request, _| {
        if is_list(request) {
            return Some(json(200, &page(&[issue("i1", "Deliveries to Orders endpoint fail")], None)));
        }
        match request.path.as_str() {
            "/api/v1/issues/i1/acknowledge" => {
                Some(error(409, "issue_not_active", "This issue was resolved at 19:04 and needs nothing more."))
            }
            "/api/v1/issues/i1" => {
                let now = with(
                    issue("i1", "Deliveries to Orders endpoint fail"),
                    json!({
                        "status": "resolved", "resolvedAt": iso_ago(60_000.0), "resolution": "resolved automatically: delivered"
                    }),
                );
                Some(json(200, &json!({"issue": now, "history": []}).to_string()))
            }
            _ => None,
        }
    }));
    let _app = mount_app_cleanly_at("/issues");
    assert!(wait_until(2000.0, || by_testid("issue-acknowledge").is_some()).await);
    click("issue-acknowledge");
    assert!(wait_until(1000.0, || by_testid("issue-retry-outcome").is_some()).await);
    assert_eq!(text_of("issue-retry-outcome"), "This issue was resolved at 19:04 and needs nothing more.");
    assert!(
        wait_until(1000.0, || text_of("issue-status") == "Resolved").await,
        "row refreshed: {}",
        text_of("issue-status")
    );
    assert!(by_testid("issue-acknowledge").is_none());
}

#[wasm_bindgen_test]
async fn a_failed_load_can_be_retried_and_more_rows_load_by_cursor() {
    let fail = Rc::new(Cell::new(true));
    let f = fail.clone();
    let fake = install(signed_in(move |request, _| {
        if !is_list(request) {
            return None;
        }
        if f.replace(false) {
            return Some(error(500, "internal", "The issue store is restarting."));
        }
        Some(if request.path.contains("cursor=c2") {
            json(200, &page(&[issue("i2", "Second page issue")], None))
        } else {
            json(200, &page(&[issue("i1", "First page issue")], Some("c2")))
        })
    }));
    let _app = mount_app_cleanly_at("/issues");
    assert!(wait_until(2000.0, || body_text().contains("The issues could not be loaded.")).await);
    assert!(text_of("error-panel").contains("The issue store is restarting."));
    document()
        .query_selector("[data-testid='error-panel'] button")
        .unwrap()
        .unwrap()
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    assert!(wait_until(1000.0, || by_testid("issue-row").is_some()).await, "loaded after retry");

    click("load-more");
    assert!(wait_until(1000.0, || all_by_testid("issue-row").len() == 2).await);
    let ids: Vec<_> = all_by_testid("issue-row").iter().map(|r| r.get_attribute("data-issue-id").unwrap()).collect();
    assert_eq!(ids, ["i1", "i2"]);
    assert!(by_testid("load-more").is_none(), "no more pages");
    assert_eq!(list_requests(&fake).last().map(String::as_str), Some("/api/v1/issues?limit=50&cursor=c2"));
}
