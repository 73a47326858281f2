//! Admin > Distributors: the mapping preview of Test connection, and Force re-fetch showing
//! live progress then the run's summary.

mod common;

use common::*;
use serde_json::json;
use sluice_console::api::transport::{Request, Response};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn distributor(last_run: serde_json::Value) -> serde_json::Value {
    json!({
        "id": "dst_1", "name": "Ingram Micro", "kind": "http", "url": "https://feeds.example.com/prices.csv",
        "host": null, "port": null, "username": null, "passwordSetAt": null, "path": null, "format": "csv",
        "csv": {"delimiter": ";", "header": true, "decimalComma": true, "encoding": "iso-8859-1"},
        "recordsPath": null,
        "mapping": {"sku": "Artikel", "mpn": null, "description": "Bezeichnung", "costPrice": "Preis", "currency": null, "stock": null},
        "priority": 1, "cadenceMinutes": 60, "staleAfterHours": 26, "ignoreOlderThanDays": null, "maxRejectedPercent": 5,
        "lastSuccessAt": "2026-11-20T08:00:00.000Z", "stale": true, "nextRunAt": "2026-11-20T09:00:00.000Z",
        "lastRun": last_run, "createdAt": "2026-11-01T08:00:00.000Z"
    })
}

fn run(status: &str) -> serde_json::Value {
    json!({"id": "run_1", "distributorId": "dst_1", "trigger": "manual", "status": status,
        "startedAt": "2026-11-24T10:00:00.000Z", "finishedAt": null, "durationMs": null, "bytes": 0,
        "rowsRead": 1200, "rowsAdded": 2, "rowsChanged": 37, "rowsUnchanged": 1161, "rowsRemoved": 0, "rowsRejected": 1,
        "rejectedRows": [{"line": 7, "reason": "cost price \"n/a\" is not a number"}], "error": null})
}

fn page(request: &Request, finished: bool) -> Option<(Response, u32)> {
    let list = json!({"items": [distributor(serde_json::Value::Null)], "nextCursor": null}).to_string();
    match (request.method.as_str(), request.path.as_str()) {
        ("GET", "/api/v1/distributors") => Some(json(200, &list)),
        ("GET", "/api/v1/distributors/dst_1/runs?limit=20") => Some(json(200, r#"{"items":[],"nextCursor":null}"#)),
        ("POST", "/api/v1/distributors/dst_1/sync") => Some(json(202, &run("running").to_string())),
        ("GET", "/api/v1/distributors/dst_1/runs/run_1") => {
            Some(json(200, &run(if finished { "succeeded" } else { "running" }).to_string()))
        }
        ("POST", p) if p.starts_with("/api/v1/distributors/test") => {
            let body = request.body.clone().unwrap_or_default();
            assert!(body.contains(r#""costPrice":"Preis""#), "the form's mapping is what is tested: {body}");
            Some(json(200, &json!({"ok": true, "error": null, "columns": ["Artikel", "Preis", "Bezeichnung"],
                "rows": [
                    {"line": 2, "sku": "L-1", "mpn": null, "description": "Kabel für Straße", "costPrice": "1234.50", "currency": null, "stock": null, "error": null},
                    {"line": 3, "sku": null, "mpn": null, "description": null, "costPrice": null, "currency": null, "stock": null, "error": "cost price \"n/a\" is not a number"}
                ]}).to_string()))
        }
        _ => None,
    }
}

#[wasm_bindgen_test]
async fn test_connection_shows_the_first_rows_as_mapped() {
    install(signed_in(|r, _| page(r, false)));
    let _app = mount_app_at("/distributors?id=dst_1");
    assert!(wait_until(3000.0, || by_testid("distributor-detail").is_some()).await, "detail shown");
    assert_eq!(text_of("stale-badge"), "Stale");
    click("edit-distributor");
    assert!(wait_until(2000.0, || by_testid("distributor-form").is_some()).await);
    click("test-connection");
    assert!(wait_until(3000.0, || by_testid("mapping-preview").is_some()).await, "preview shown");
    let rows = all_by_testid("preview-row");
    assert_eq!(rows.len(), 2);
    let first = rows[0].text_content().unwrap();
    assert!(first.contains("L-1") && first.contains("1234.50") && first.contains("Kabel für Straße"), "{first}");
    assert!(rows[1].text_content().unwrap().contains("is not a number"));
}

#[wasm_bindgen_test]
async fn force_refetch_shows_progress_then_the_runs_summary() {
    let finished = Rc::new(Cell::new(false));
    let done = finished.clone();
    install(signed_in(move |r, _| page(r, done.get())));
    let _app = mount_app_at("/distributors?id=dst_1");
    assert!(wait_until(3000.0, || by_testid("force-refetch").is_some()).await);
    click("force-refetch");
    assert!(wait_until(2000.0, || by_testid("run-progress").is_some()).await, "progress shown");
    let progress = json!({"distributorId": "dst_1", "runId": "run_1", "status": "running", "bytes": 524288,
        "totalBytes": 1048576, "rowsRead": 6000, "rowsChanged": 0, "percent": 50});
    assert!(push_event("distributors", &progress.to_string()) >= 1, "the page listens to the stream");
    assert!(
        wait_until(2000.0, || text_of("run-progress").contains("6000 rows read — 50%")).await,
        "{}",
        text_of("run-progress")
    );
    assert!(by_testid("run-summary").is_none());

    finished.set(true);
    let end = json!({"distributorId": "dst_1", "runId": "run_1", "status": "succeeded", "bytes": 1048576,
        "totalBytes": null, "rowsRead": 1200, "rowsChanged": 37, "percent": 100});
    push_event("distributors", &end.to_string());
    assert!(wait_until(3000.0, || by_testid("run-summary").is_some()).await, "summary shown");
    let summary = text_of("run-summary");
    assert!(summary.contains("Succeeded: 1200 rows read, 2 added, 37 changed"), "{summary}");
    assert!(by_testid("run-progress").is_none(), "progress gone once done");
}
