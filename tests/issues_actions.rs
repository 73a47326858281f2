//! Tools > Issues in the browser: Retry, Acknowledge, Dismiss and bulk actions, and what each row shows.

mod common;

use common::issues::*;
use common::*;
use leptos::prelude::*;
use serde_json::{json, Value};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

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
