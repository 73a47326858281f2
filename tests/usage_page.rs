//! Admin > API usage: the window, the chart, the range in the URL, and the thresholds form.

mod common;

use common::*;
use serde_json::json;
use sluice_console::api::transport::Request;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A report for `range` with `buckets` points: requests rising 0, 1, 2, …; the last bucket had 3 refused.
fn report(range: &str, buckets: usize, used: u64) -> String {
    let bucket_secs = match range {
        "24h" => 900,
        "7d" => 3600,
        _ => 60,
    };
    let series: Vec<_> = (0..buckets)
        .map(|i| {
            let rejected = if i + 1 == buckets { 3 } else { 0 };
            json!({"at": format!("2026-11-24T{:02}:{:02}:00Z", 10 + i / 60, i % 60), "requests": i as u64 + rejected, "rejected": rejected})
        })
        .collect();
    let total: u64 = (0..buckets as u64).sum::<u64>() + 3;
    json!({
        "window": {"limit": 500, "windowSecs": 600, "used": used, "remaining": 500 - used, "resetSecs": 42,
                   "level": if used >= 400 { "error" } else { "ok" },
                   "thresholds": {"warningPercent": 70, "errorPercent": 80}},
        "range": range, "bucketSecs": bucket_secs, "series": series,
        "totalRequests": total, "totalRejected": 3,
        "topRoutes": [{"label": "GET /api/v1/issues", "requests": 120, "rejected": 3}],
        "topKeys": [{"label": "key: Billing sync", "requests": 80, "rejected": 0}]
    })
    .to_string()
}

const THRESHOLDS: &str = r#"{"warningPercent":70,"errorPercent":80}"#;

fn usage_server(request: &Request) -> Option<(sluice_console::api::transport::Response, u32)> {
    match (request.method.as_str(), request.path.as_str()) {
        ("GET", "/api/v1/usage/thresholds") => Some(json(200, THRESHOLDS)),
        ("GET", p) if p.starts_with("/api/v1/usage?range=") => {
            let range = &p["/api/v1/usage?range=".len()..];
            Some(json(200, &report(range, if range == "24h" { 96 } else { 60 }, 312)))
        }
        _ => None,
    }
}

fn input(id: &str) -> web_sys::HtmlInputElement {
    by_testid(id).unwrap_or_else(|| panic!("no {id}")).unchecked_into()
}

#[wasm_bindgen_test]
async fn the_window_and_one_bar_per_bucket_are_shown() {
    install(signed_in(|r, _| usage_server(r)));
    let _app = mount_app_at("/usage");
    assert!(wait_until(2000.0, || by_testid("usage-chart").is_some()).await, "chart drawn");
    let window = text_of("usage-window");
    assert!(window.contains("312 of 500 requests used in the last 10 min"), "{window}");
    assert!(window.contains("188 left"), "{window}");
    let bars = by_testid("usage-chart").unwrap().query_selector_all("g.bar").unwrap().length();
    assert_eq!(bars, 60, "one bar per minute of the last hour");
    let label = by_testid("usage-chart").unwrap().get_attribute("aria-label").unwrap();
    assert!(label.contains("peak 62") && label.contains("3 refused"), "{label}");
    assert_eq!(text_of("usage-total-rejected"), "3");
    assert!(text_of("top-routes").contains("GET /api/v1/issues"));
    assert!(text_of("top-keys").contains("key: Billing sync"));
    assert!(text_of("usage-guidance").contains("Batch"));
    assert_eq!(by_testid("range-1h").unwrap().get_attribute("aria-current").as_deref(), Some("page"));
}

#[wasm_bindgen_test]
async fn the_range_lives_in_the_url() {
    let fake = install(signed_in(|r, _| usage_server(r)));
    let _app = mount_app_at("/usage?range=24h");
    assert!(wait_until(2000.0, || by_testid("usage-chart").is_some()).await);
    assert!(fake.count_path("/api/v1/usage?range=24h") >= 1, "asked for the last 24 hours");
    assert_eq!(fake.count_path("/api/v1/usage?range=1h"), 0);
    assert_eq!(by_testid("range-24h").unwrap().get_attribute("aria-current").as_deref(), Some("page"));
    assert_eq!(by_testid_href("range-7d").as_deref(), Some("/usage?range=7d"), "each range is a link");
    let bars = by_testid("usage-chart").unwrap().query_selector_all("g.bar").unwrap().length();
    assert_eq!(bars, 96, "15-minute buckets over 24 hours");
    assert!(body_text().contains("Requests per 15 min"));
}

fn by_testid_href(id: &str) -> Option<String> {
    by_testid(id).and_then(|e| e.get_attribute("href"))
}

/// The thresholds in force are shown; Change opens the form, ready to type into.
async fn open_thresholds_form() {
    assert!(wait_until(2000.0, || text_of("thresholds-current").contains("Warning at 70%, error at 80%")).await);
    click("change-thresholds");
    assert!(wait_until(2000.0, || by_testid("thresholds-form").is_some()).await, "the form opens");
    let focused = || leptos::prelude::document().active_element().is_some_and(|e| e.id() == "warning-percent");
    assert!(wait_until(1000.0, focused).await, "its first field has the focus");
}

#[wasm_bindgen_test]
async fn warning_at_or_above_error_is_a_field_error_and_nothing_is_sent() {
    let fake = install(signed_in(|r, _| usage_server(r)));
    let _app = mount_app_at("/usage");
    open_thresholds_form().await;
    assert!(wait_until(2000.0, || input("field-warning-percent").value() == "70").await, "saved thresholds loaded");
    type_into("field-warning-percent", "90");
    type_into("field-error-percent", "85");
    click("save-thresholds");
    assert!(wait_until(500.0, || by_testid("field-error").is_some()).await, "an error is shown");
    let warning = by_testid("field-warning-percent").unwrap();
    let described = warning.get_attribute("aria-describedby").expect("the error is tied to the field");
    assert_eq!(described, "warning-percent-error");
    assert!(text_of("field-error").contains("warning must come before the error"), "{}", text_of("field-error"));
    assert_eq!(fake.seen.borrow().iter().filter(|s| s.method == "PUT").count(), 0, "nothing sent");
    assert_eq!(input("field-warning-percent").value(), "90", "what was typed stays");
}

#[wasm_bindgen_test]
async fn the_servers_field_errors_show_by_the_field_and_a_save_is_confirmed() {
    let fake = install(signed_in(|r, _| {
        if r.method == "PUT" && r.path == "/api/v1/usage/thresholds" {
            let body = r.body.clone().unwrap_or_default();
            return Some(if body.contains("\"errorPercent\":99") {
                json(200, r#"{"warningPercent":95,"errorPercent":99}"#)
            } else {
                (
                    sluice_console::api::transport::Response {
                        status: 400,
                        headers: vec![("content-type".into(), "application/json".into())],
                        body: json!({"error": {"code": "validation_failed", "message": "Check the highlighted fields.",
                                     "fields": {"errorPercent": "The server says: not that one."}}})
                        .to_string(),
                    },
                    0,
                )
            });
        }
        usage_server(r)
    }));
    let _app = mount_app_at("/usage");
    open_thresholds_form().await;
    assert!(wait_until(2000.0, || input("field-warning-percent").value() == "70").await);
    type_into("field-warning-percent", "95");
    type_into("field-error-percent", "98");
    click("save-thresholds");
    let shown = wait_until(1000.0, || text_of("field-error").contains("not that one")).await;
    assert!(shown, "server's field error: {:?}", text_of("field-error"));
    assert_eq!(by_testid("field-error").unwrap().id(), "error-percent-error", "under the Error field");
    assert_eq!(input("field-error-percent").value(), "98", "the typed value stays");

    let reports_before = fake.seen.borrow().iter().filter(|s| s.path.starts_with("/api/v1/usage?range")).count();
    type_into("field-error-percent", "99");
    click("save-thresholds");
    assert!(wait_until(1000.0, || by_testid("thresholds-saved").is_some()).await, "saved");
    assert!(by_testid("field-error").is_none(), "errors cleared");
    let put = fake.seen.borrow().iter().rev().find(|s| s.method == "PUT").map(|s| s.request.clone()).unwrap();
    assert!(put.header("idempotency-key").is_some(), "a change carries its idempotency key");
    assert!(
        wait_until(1000.0, || fake.seen.borrow().iter().filter(|s| s.path.starts_with("/api/v1/usage?range")).count()
            > reports_before)
        .await,
        "the window is judged again against the new thresholds"
    );
}

#[wasm_bindgen_test]
fn the_chart_scale_fits_the_tallest_bar_and_the_limit_pace() {
    use sluice_console::components::{geometry, nice_max};
    use sluice_contract::usage::UsagePoint;
    assert_eq!(
        [nice_max(0), nice_max(1), nice_max(3), nice_max(48), nice_max(50), nice_max(51)],
        [1, 1, 5, 50, 50, 100]
    );
    let point =
        |requests, rejected| UsagePoint { at: "2026-11-24T10:00:00Z".into(), requests, rejected, console_requests: 0 };
    let g = geometry(&[point(10, 0), point(40, 10), point(0, 0)], Some(50.0));
    assert_eq!(g.y_max, 50, "the pace (50 per bucket) sets the scale above the tallest bar (40)");
    let pace_y = g.pace_y.unwrap();
    let tallest = &g.bars[1];
    assert!(tallest.rejected_y > pace_y, "40 requests stay under the pace line");
    assert!((tallest.rejected_h * 3.0 - tallest.accepted_h).abs() < 1e-9, "10 refused of 40: a quarter of the bar");
    assert_eq!(g.bars[2].accepted_h + g.bars[2].rejected_h, 0.0, "an empty minute has no bar");
    assert!(g.bars.windows(2).all(|w| w[0].x + w[0].width < w[1].x), "bars do not overlap");
}
