//! The area's pure pieces: how a live refresh merges into the log, the nothing-sent sentence,
//! success rates and the since filter's text.

use super::deliveries::merge;
use super::endpoints::success_rate;
use super::filters::{input_to_since, since_to_input};
use super::overview::nothing_sent_reason;
use sluice_contract::webhooks::{Delivery, DeliveryStatus, WebhookOverview, WebhookSettings};
use sluice_contract::Page;
use wasm_bindgen_test::wasm_bindgen_test;

fn d(id: &str) -> Delivery {
    Delivery {
        id: id.into(),
        event_id: format!("evt_{id}"),
        event_type: "issue.opened".into(),
        endpoint_id: "ep1".into(),
        endpoint_url: "https://hooks.example.com/".into(),
        status: DeliveryStatus::Succeeded,
        attempts: 1,
        created_at: "2025-11-24T19:03:11Z".into(),
        last_attempt_at: None,
        next_attempt_at: None,
        last_status_code: Some(200),
        last_error: None,
    }
}

fn page(ids: &[&str], next: Option<&str>) -> Page<Delivery> {
    Page { items: ids.iter().map(|id| d(id)).collect(), next_cursor: next.map(String::from) }
}

fn ids(p: &Page<Delivery>) -> Vec<&str> {
    p.items.iter().map(|d| d.id.as_str()).collect()
}

#[wasm_bindgen_test]
fn a_live_refresh_puts_new_rows_on_top_and_keeps_older_pages() {
    let shown = page(&["d3", "d2", "d1", "d0"], Some("after-d0"));
    let merged = merge(&shown, page(&["d4", "d3", "d2"], Some("after-d2")));
    assert_eq!(ids(&merged), ["d4", "d3", "d2", "d1", "d0"]);
    assert_eq!(merged.next_cursor.as_deref(), Some("after-d0"), "paging goes on after the oldest row shown");

    let covered = merge(&page(&["d1"], None), page(&["d2", "d1"], None));
    assert_eq!(ids(&covered), ["d2", "d1"]);
    assert_eq!(covered.next_cursor, None);

    let gap = merge(&page(&["d1"], None), page(&["d9", "d8"], Some("after-d8")));
    assert_eq!(ids(&gap), ["d9", "d8"], "more than a page arrived: start from the fresh page");
    assert_eq!(gap.next_cursor.as_deref(), Some("after-d8"));
}

fn overview(enabled: bool, active: u32, total: u32) -> WebhookOverview {
    WebhookOverview {
        settings: WebhookSettings { enabled, ..Default::default() },
        active_endpoints: active,
        total_endpoints: total,
        queued: 0,
    }
}

#[wasm_bindgen_test]
fn the_page_says_why_nothing_is_sent() {
    assert!(nothing_sent_reason(&overview(false, 2, 2)).unwrap().contains("turned off"));
    assert!(nothing_sent_reason(&overview(true, 0, 0)).unwrap().contains("no endpoint yet"));
    assert!(nothing_sent_reason(&overview(true, 0, 3)).unwrap().contains("None of the 3 endpoints"));
    assert_eq!(nothing_sent_reason(&overview(true, 1, 3)), None);
}

#[wasm_bindgen_test]
fn rates_and_times_read_plainly() {
    assert_eq!(success_rate(0, 0), "—");
    assert_eq!(success_rate(3, 2), "66.7%");
    assert_eq!(success_rate(200, 200), "100.0%");
    assert_eq!(input_to_since("2025-11-24T19:03"), Some("2025-11-24T19:03:00Z".into()));
    assert_eq!(since_to_input("2025-11-24T19:03:00Z"), "2025-11-24T19:03");
    assert_eq!(input_to_since(""), None);
}
