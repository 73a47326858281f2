//! Fixtures and probes for the Tools > Issues browser tests.

use super::*;
use serde_json::{json, Value};
use sluice_console::api::now_ms;
use sluice_console::api::transport::Request;
use wasm_bindgen::JsCast;

pub const FAILURE: &str = "HTTP 503 from https://hooks.example.com/orders: Service Unavailable (after 10 s)";

/// An RFC 3339 time `ago_ms` before now, as the server writes them.
pub fn iso_ago(ago_ms: f64) -> String {
    let date = js_sys::Date::new(&(now_ms() - ago_ms).into());
    String::from(date.to_iso_string())
}

/// An open webhook issue last seen 3 minutes ago.
pub fn issue(id: &str, title: &str) -> Value {
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

pub fn with(mut issue: Value, changes: Value) -> Value {
    for (k, v) in changes.as_object().unwrap() {
        issue[k] = v.clone();
    }
    issue
}

pub fn page(items: &[Value], next: Option<&str>) -> String {
    json!({"items": items, "nextCursor": next}).to_string()
}

pub fn counts(active: u64, webhooks: u64) -> String {
    json!({"byArea": {"integrations": 0, "webhooks": webhooks, "distributors": 0, "api_usage": active - webhooks},
           "byStatus": {}, "active": active})
    .to_string()
}

pub fn is_list(request: &Request) -> bool {
    request.method == "GET" && (request.path == "/api/v1/issues" || request.path.starts_with("/api/v1/issues?"))
}

pub fn list_requests(fake: &Fake) -> Vec<String> {
    fake.seen.borrow().iter().filter(|s| is_list(&s.request)).map(|s| s.path.clone()).collect()
}

pub fn posts(fake: &Fake) -> Vec<Request> {
    fake.seen.borrow().iter().filter(|s| s.method == "POST").map(|s| s.request.clone()).collect()
}

pub fn attr(id: &str, name: &str) -> Option<String> {
    by_testid(id).and_then(|e| e.get_attribute(name))
}

pub fn is_disabled(id: &str) -> bool {
    by_testid(id).is_some_and(|e| e.has_attribute("disabled"))
}

/// Picks an option the way a user does: the value changes, then `change` fires.
pub fn choose(id: &str, value: &str) {
    let select: web_sys::HtmlSelectElement = by_testid(id).expect(id).unchecked_into();
    select.set_value(value);
    select.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
}

pub fn select_value(id: &str) -> String {
    by_testid(id).expect(id).unchecked_into::<web_sys::HtmlSelectElement>().value()
}

pub fn search() -> String {
    window().location().search().unwrap()
}
