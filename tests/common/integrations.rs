//! Fixtures for the Integrations browser tests, shaped as the server answers (camelCase).

use serde_json::{json, Value};
use sluice_contract::integrations::IntegrationStatus;

/// The badge text the server sends with `status` (`status.label(expiresInDays)`).
pub fn label_for(status: &str, expires_in_days: Option<i64>) -> String {
    serde_json::from_value::<IntegrationStatus>(json!(status)).unwrap().label(expires_in_days)
}

fn label(status: &str) -> String {
    label_for(status, None)
}

/// 2026-11-20T08:00:00Z.
pub const SET_AT: i64 = 1_795_161_600_000;

pub fn usage(used: u64, limit: u64, window: &str) -> Value {
    json!({"used": used, "limit": limit, "window": window, "source": "provider", "fetchedAt": SET_AT})
}

pub fn summary(provider: &str, name: &str, status: &str) -> Value {
    json!({
        "provider": provider, "name": name, "category": "CRM", "status": status, "statusLabel": label(status), "expiresInDays": null,
        "enabled": status != "disabled", "lastSuccessAt": SET_AT, "lastError": null, "lastErrorAt": null,
        "usage": null, "openIssues": 0, "pausedSyncs": 0
    })
}

pub fn list(items: &[Value]) -> String {
    json!({ "items": items }).to_string()
}

/// HubSpot with a stored private-app token (only its hint), two syncs and 250,000 daily calls.
pub fn hubspot() -> Value {
    let mut s = summary("hubspot", "HubSpot", "connected");
    s["usage"] = usage(120_000, 250_000, "daily_account_midnight");
    json!({
        "summary": s,
        "schema": {"fields": [
            {"name": "accessToken", "label": "Private app access token", "secret": true, "required": true,
             "help": "From Settings › Integrations › Private apps.", "kind": "secret"},
            {"name": "baseUrl", "label": "API base URL", "secret": false, "required": false, "help": "", "kind": "url"}
        ]},
        "credential": {"setAt": SET_AT, "expiresAt": null, "tokenExpiresAt": null, "fields": [
            {"name": "accessToken", "value": null, "hint": "…4f2a"},
            {"name": "baseUrl", "value": "https://api.hubapi.com", "hint": null}
        ]},
        "syncs": [
            {"sync": "contacts", "name": "Contact sync", "cadenceMinutes": 60, "paused": false, "pausedUntil": null,
             "callsPerRun": 1500, "lastRun": null},
            {"sync": "companies", "name": "Company sync", "cadenceMinutes": 15, "paused": false, "pausedUntil": null,
             "callsPerRun": 600, "lastRun": {"id": "run_1", "sync": "companies", "startedAt": SET_AT, "durationMs": 2400,
             "recordsRead": 1200, "calls": 13, "outcome": "succeeded", "error": null}}
        ],
        "hourlyCalls": (0..168).map(|h| (h % 24) * 10).collect::<Vec<u32>>(),
        "topCaller": "Company sync",
        "help": []
    })
}

pub fn failed_test() -> Value {
    json!({"ok": false, "testedAt": SET_AT, "steps": [
        {"step": "reach", "outcome": "passed", "detail": "api.hubapi.com answered over TLS.", "providerError": null, "durationMs": 120},
        {"step": "authenticate", "outcome": "failed", "detail": "HubSpot refused the token (401).",
         "providerError": "{\"status\":\"error\",\"message\":\"Authentication credentials not found.\",\"category\":\"INVALID_AUTHENTICATION\"}",
         "durationMs": 2400},
        {"step": "read", "outcome": "skipped", "detail": "Not tried: authentication failed.", "providerError": null, "durationMs": 0}
    ]})
}

pub fn passed_test() -> Value {
    json!({"ok": true, "testedAt": SET_AT, "steps": [
        {"step": "reach", "outcome": "passed", "detail": "", "providerError": null, "durationMs": 80},
        {"step": "authenticate", "outcome": "passed", "detail": "", "providerError": null, "durationMs": 90},
        {"step": "read", "outcome": "passed", "detail": "Read 1 contact.", "providerError": null, "durationMs": 95}
    ]})
}
