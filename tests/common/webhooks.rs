//! Fixtures for the Webhooks browser tests, shaped as the server answers (camelCase).

use super::*;
use serde_json::{json, Value};
use sluice_console::api::transport::Request;

pub fn overview(enabled: bool, active: u32, total: u32) -> String {
    json!({
        "settings": {"enabled": enabled, "retryScheduleSecs": [2, 30], "disableAfterHours": 72, "timeoutSecs": 15},
        "activeEndpoints": active, "totalEndpoints": total, "queued": 0
    })
    .to_string()
}

pub fn endpoint(id: &str, url: &str, status: &str) -> Value {
    json!({
        "id": id, "url": url, "description": "Orders", "eventTypes": [], "status": status,
        "disabledReason": null, "customHeaders": [], "previousSecretExpiresAt": null,
        "createdAt": "2025-11-24T18:00:00Z",
        "health": {
            "attempts24h": 4, "successes24h": 3,
            "hourlySuccesses": [0, 1, 2], "hourlyFailures": [1, 0, 0],
            "lastSuccessAt": "2025-11-24T19:00:00Z", "lastFailureAt": "2025-11-24T17:00:00Z", "lastError": null
        }
    })
}

pub fn delivery(id: &str, status: &str) -> Value {
    json!({
        "id": id, "eventId": format!("evt_{id}"), "eventType": "issue.opened", "endpointId": "ep1",
        "endpointUrl": "https://hooks.example.com/orders", "status": status, "attempts": 1,
        "createdAt": "2025-11-24T19:03:11Z", "lastAttemptAt": "2025-11-24T19:03:12Z", "nextAttemptAt": null,
        "lastStatusCode": 200, "lastError": null
    })
}

pub fn page(items: &[Value], next: Option<&str>) -> String {
    json!({"items": items, "nextCursor": next}).to_string()
}

pub fn event_types() -> String {
    json!([
        {"name": "issue.opened", "description": "An issue was raised.", "source": "sluice", "example": {"id": "iss_1"}},
        {"name": "acme.order_created", "description": "Published by Acme.", "source": "tenant", "example": {"order": 7}}
    ])
    .to_string()
}

pub fn is_get(request: &Request, prefix: &str) -> bool {
    request.method == "GET" && (request.path == prefix || request.path.starts_with(&format!("{prefix}?")))
}

pub fn requests(fake: &Fake, method: &str, prefix: &str) -> Vec<Request> {
    fake.seen
        .borrow()
        .iter()
        .filter(|s| s.method == method && s.path.starts_with(prefix))
        .map(|s| s.request.clone())
        .collect()
}

pub const DELIVERIES: &str = "/api/v1/webhooks/deliveries";
pub const ENDPOINTS: &str = "/api/v1/webhooks/endpoints";
pub const SETTINGS: &str = "/api/v1/webhooks/settings";
