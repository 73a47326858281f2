//! Tools > Issues in the browser: filters in the URL, the live count, empty states, history, paging.

mod common;

use common::issues::*;
use common::*;
use leptos::prelude::*;
use serde_json::json;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

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
async fn a_live_refresh_redraws_a_row_whose_issue_changed_and_keeps_focus_on_it() {
    // The usage alert climbs from 70% (a warning) to 80% (an error): one issue, changed.
    let climbed = Rc::new(Cell::new(false));
    let c = climbed.clone();
    let _fake = install(signed_in(move |request, _| {
        if is_list(request) {
            let mut i = issue("i1", "API usage at 70% of limit");
            i["severity"] = json!("warning");
            if c.get() {
                i = issue("i1", "API usage at 80% of limit");
                i["occurrences"] = json!(8);
            }
            return Some(json(200, &page(&[i, issue("i2", "Orders endpoint failing")], None)));
        }
        (request.path == "/api/v1/issues/counts").then(|| json(200, &counts(2, 2)))
    }));
    let _app = mount_app_cleanly_at("/issues");
    assert!(wait_until(2000.0, || by_testid("issue-row").is_some()).await);
    let first_row = || all_by_testid("issue-row").into_iter().next().unwrap();
    assert!(first_row().text_content().unwrap().contains("API usage at 70% of limit"));
    // The admin is on the second row's Retry when the notice arrives.
    let retry = all_by_testid("issue-retry")[1].clone().unchecked_into::<web_sys::HtmlElement>();
    retry.focus().unwrap();

    climbed.set(true);
    push_event("issues", r#"{"byArea":{},"byStatus":{},"active":2}"#);
    assert!(
        wait_until(2000.0, || first_row().text_content().unwrap().contains("API usage at 80% of limit")).await,
        "the row follows its issue: {}",
        first_row().text_content().unwrap()
    );
    let row = first_row().text_content().unwrap();
    assert!(row.contains("Error") && !row.contains("Warning"), "its severity too: {row}");
    assert_eq!(all_by_testid("issue-occurrences")[0].text_content().unwrap(), "8");
    assert_eq!(all_by_testid("issue-row").len(), 2);
    let focused = document().active_element().and_then(|e| e.get_attribute("data-testid"));
    assert_eq!(focused.as_deref(), Some("issue-retry"), "focus stays where the admin was");
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

#[wasm_bindgen_test]
async fn a_burst_of_live_notices_makes_at_most_two_list_fetches() {
    // The list answers slowly (as a busy server would) so that the notices arrive while a
    // fetch is still running: each one must not start a fetch of its own.
    let fake = install(signed_in(|request, _| {
        if is_list(request) {
            let (response, _) = json(200, &page(&[issue("i1", "API usage at 80% of limit")], None));
            return Some((response, 150));
        }
        (request.path == "/api/v1/issues/counts").then(|| json(200, &counts(1, 1)))
    }));
    let _app = mount_app_cleanly_at("/issues");
    assert!(wait_until(2000.0, || by_testid("issue-row").is_some()).await);
    assert!(wait_until(1000.0, || by_testid("issue-count").is_some()).await);
    sleep(50).await;
    let before = list_requests(&fake).len();
    assert_eq!(before, 1, "one load on arrival: {:?}", list_requests(&fake));

    for n in 0..10 {
        push_event("issues", &format!(r#"{{"byArea":{{}},"byStatus":{{}},"active":{}}}"#, n + 1));
        sleep(10).await;
    }
    // One fetch for the first notice, and one more for all that came while it ran.
    sleep(600).await;
    let after = list_requests(&fake).len();
    assert!(after - before <= 2, "{} fetches for 10 notices", after - before);
    assert!(after - before >= 1, "the notices were not ignored");
    assert_eq!(text_of("issue-count"), "10", "the badge follows every notice");
}
