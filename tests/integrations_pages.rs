//! Admin > Integrations: the list's badges (and their live refresh), a stored secret never
//! rendered, Test connection step by step, a failed credential not saved unless confirmed, and
//! the schedule projection following the cadence as it is typed.

mod common;

use common::integrations::*;
use common::*;
use serde_json::json;
use sluice_console::api::transport::{Request, Response};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn badges() -> Vec<(String, String)> {
    all_by_testid("integration-row")
        .iter()
        .map(|row| {
            let badge = row.query_selector("[data-testid='status-badge']").unwrap().unwrap().text_content().unwrap();
            (row.get_attribute("data-provider").unwrap(), badge)
        })
        .collect()
}

#[wasm_bindgen_test]
async fn the_list_shows_each_status_in_words_and_follows_live_changes() {
    let fixed = Rc::new(Cell::new(false));
    let f = fixed.clone();
    let fake = install(signed_in(move |request, _| {
        (request.path == "/api/v1/integrations").then(|| {
            let mut autotask = summary("autotask", "Autotask", if f.get() { "connected" } else { "needs_attention" });
            autotask["usage"] = usage(8_200, 10_000, "rolling_60m");
            autotask["pausedSyncs"] = json!(1);
            autotask["lastError"] = json!("401 Unauthorized: user is inactive");
            let mut hubspot = summary("hubspot", "HubSpot", "expiring");
            hubspot["expiresInDays"] = json!(2);
            hubspot["statusLabel"] = json!(label_for("expiring", Some(2)));
            json(
                200,
                &list(&[
                    autotask,
                    hubspot,
                    summary("salesforce", "Salesforce", "credential_expired"),
                    summary("apollo", "Apollo.io", "not_configured"),
                    summary("hubspot", "HubSpot (sandbox)", "disabled"),
                ]),
            )
        })
    }));
    let _app = mount_app_at("/integrations");
    assert!(wait_until(3000.0, || all_by_testid("integration-row").len() == 5).await, "rows shown");
    let expected = [
        ("autotask", "Needs attention"),
        ("hubspot", "Expiring in 2 days"),
        ("salesforce", "Credentials expired"),
        ("apollo", "Not configured"),
        ("hubspot", "Disabled"),
    ];
    let expected: Vec<(String, String)> = expected.iter().map(|(p, b)| (p.to_string(), b.to_string())).collect();
    assert_eq!(badges(), expected);
    let class = |i: usize| {
        let row = &all_by_testid("integration-row")[i];
        row.query_selector("[data-testid='status-badge']").unwrap().unwrap().class_name()
    };
    assert_eq!([class(0), class(1), class(4)], ["badge badge-error", "badge badge-warn", "badge badge-muted"]);
    let first = all_by_testid("integration-row")[0].text_content().unwrap();
    assert!(first.contains("401 Unauthorized: user is inactive"), "last error: {first}");
    assert!(first.contains("82%") && first.contains("1 paused"), "usage and paused syncs: {first}");

    fixed.set(true);
    let before = fake.count_path("/api/v1/integrations");
    assert!(push_event("integrations", r#"{"provider":"autotask"}"#) >= 1, "the list listens to the stream");
    assert!(wait_until(3000.0, || badges()[0].1 == "Connected").await, "{:?}", badges());
    assert_eq!(fake.count_path("/api/v1/integrations"), before + 1, "one fetch per change");
}

fn detail_page(request: &Request, seen_put: &Rc<Cell<u32>>) -> Option<(Response, u32)> {
    match (request.method.as_str(), request.path.as_str()) {
        ("GET", "/api/v1/integrations/hubspot") => Some(json(200, &hubspot().to_string())),
        ("POST", "/api/v1/integrations/hubspot/test") => Some(json(200, &failed_test().to_string())),
        ("PUT", "/api/v1/integrations/hubspot/credentials") => {
            seen_put.set(seen_put.get() + 1);
            let body = request.body.clone().unwrap_or_default();
            if body.contains(r#""accessToken":"""#) && !body.contains("saveAnyway\":true") {
                return Some(json(
                    400,
                    r#"{"error":{"code":"validation_failed","message":"Fix the highlighted fields.","fields":{"fields.baseUrl":"Must be an https:// URL."}}}"#,
                ));
            }
            let saved = body.contains(r#""saveAnyway":true"#);
            Some(json(200, &json!({"saved": saved, "test": failed_test()}).to_string()))
        }
        _ => None,
    }
}

fn input(id: &str) -> web_sys::HtmlInputElement {
    by_testid(id).unwrap_or_else(|| panic!("no {id}")).unchecked_into()
}

#[wasm_bindgen_test]
async fn a_stored_secret_shows_only_its_hint_and_the_form_gets_focus() {
    let puts = Rc::new(Cell::new(0));
    let p = puts.clone();
    install(signed_in(move |r, _| detail_page(r, &p)));
    // Issues raised before the integration had tabs link to `?focus=credentials`: the same form.
    let _app = mount_app_at("/integrations/hubspot?focus=credentials");
    assert!(wait_until(3000.0, || by_testid("credential-form").is_some()).await, "form shown");
    assert_eq!(leptos::prelude::window().location().pathname().unwrap(), "/integrations/hubspot/credentials");
    assert_eq!(by_testid("tab-credentials").unwrap().get_attribute("aria-current").as_deref(), Some("page"));
    let hint = text_of("secret-hint-accessToken");
    assert_eq!(hint, "Set on 2026-11-20, ends in …4f2a.");
    let secret = input("field-cred-accessToken");
    assert_eq!(secret.value(), "", "a stored secret is never put into its input");
    assert_eq!(secret.type_(), "password");
    assert_eq!(input("field-cred-baseUrl").value(), "https://api.hubapi.com", "non-secret values are editable");
    assert!(
        wait_until(1000.0, || leptos::prelude::document()
            .active_element()
            .is_some_and(|e| e.id() == "cred-accessToken"))
        .await,
        "the credentials page focuses the form"
    );

    // Empty secret: kept; the server's field error shows next to its field.
    type_into("field-cred-baseUrl", "http://api.hubapi.com");
    click("save-credentials");
    assert!(wait_until(2000.0, || text_of("credential-form").contains("Must be an https:// URL.")).await);
    let field = by_testid("field-cred-baseUrl").unwrap().parent_element().unwrap();
    assert!(field.text_content().unwrap().contains("Must be an https:// URL."), "the error sits with its field");
    assert_eq!(input("field-cred-baseUrl").get_attribute("aria-invalid").as_deref(), Some("true"));
}

#[wasm_bindgen_test]
async fn a_new_credential_that_fails_its_test_is_saved_only_when_confirmed() {
    let puts = Rc::new(Cell::new(0));
    let p = puts.clone();
    let fake = install(signed_in(move |r, _| detail_page(r, &p)));
    let _app = mount_app_at("/integrations/hubspot/credentials");
    assert!(wait_until(3000.0, || by_testid("credential-form").is_some()).await);
    type_into("field-cred-accessToken", "pat-na1-new-token-9d1c");
    click("save-credentials");
    assert!(wait_until(2000.0, || by_testid("credentials-not-saved").is_some()).await, "{}", text_of("credentials"));
    assert!(text_of("credentials-not-saved").contains("Authentication credentials not found."));
    assert!(by_testid("save-anyway-dialog").is_none(), "nothing more without asking");
    assert_eq!(puts.get(), 1);

    click("save-anyway");
    assert!(wait_until(1000.0, || by_testid("save-anyway-dialog").is_some()).await);
    click("confirm-save-anyway");
    assert!(wait_until(2000.0, || by_testid("credentials-saved").is_some()).await);
    let bodies: Vec<String> = fake
        .seen
        .borrow()
        .iter()
        .filter(|s| s.method == "PUT")
        .map(|s| s.request.body.clone().unwrap_or_default())
        .collect();
    assert_eq!(bodies.len(), 2);
    assert!(
        bodies[1].contains(r#""saveAnyway":true"#) && bodies[1].contains("pat-na1-new-token-9d1c"),
        "{}",
        bodies[1]
    );
    assert_eq!(input("field-cred-accessToken").value(), "", "the stored secret does not stay in the page");
}

#[wasm_bindgen_test]
async fn test_connection_shows_each_step_with_the_providers_words() {
    let puts = Rc::new(Cell::new(0));
    let p = puts.clone();
    install(signed_in(move |r, _| detail_page(r, &p)));
    let _app = mount_app_at("/integrations/hubspot");
    assert!(wait_until(3000.0, || by_testid("test-connection").is_some()).await);
    assert_eq!(by_testid("tab-overview").unwrap().get_attribute("aria-current").as_deref(), Some("page"));
    click("test-connection");
    assert!(wait_until(2000.0, || all_by_testid("test-step").len() == 3).await, "three steps");
    let steps: Vec<(String, String)> = all_by_testid("test-step")
        .iter()
        .map(|s| (s.get_attribute("data-step").unwrap(), s.get_attribute("data-outcome").unwrap()))
        .collect();
    let want = [("reach", "passed"), ("authenticate", "failed"), ("read", "skipped")];
    assert_eq!(steps, want.map(|(a, b)| (a.to_string(), b.to_string())).to_vec());
    let auth = all_by_testid("test-step")[1].text_content().unwrap();
    assert!(auth.contains("Failed") && auth.contains("2.4 s"), "{auth}");
    assert_eq!(
        text_of("provider-error"),
        r#"{"status":"error","message":"Authentication credentials not found.","category":"INVALID_AUTHENTICATION"}"#,
        "verbatim"
    );
    assert!(text_of("test-result").contains("Connection test failed."));
}

#[wasm_bindgen_test]
async fn the_projection_follows_the_cadence_and_over_the_limit_asks_first() {
    let puts = Rc::new(Cell::new(0));
    let p = puts.clone();
    let fake = install(signed_in(move |r, _| {
        if r.method == "PATCH" {
            let mut sync = hubspot()["syncs"][0].clone();
            sync["cadenceMinutes"] = json!(10);
            return Some(json(200, &sync.to_string()));
        }
        detail_page(r, &p)
    }));
    let _app = mount_app_at("/integrations/hubspot/syncs");
    assert!(wait_until(3000.0, || all_by_testid("edit-cadence").len() == 2).await);
    all_by_testid("edit-cadence")[0].click();
    assert!(wait_until(1000.0, || by_testid("cadence-editor").is_some()).await);
    // Contact sync: 1,500 calls per run; the company sync adds 57,600 a day.
    let level = || by_testid("projection").and_then(|p| p.get_attribute("data-level")).unwrap_or_default();
    type_into("cadence-input", "30");
    assert!(wait_until(1000.0, || text_of("projection").contains("29%")).await, "{}", text_of("projection"));
    assert!(text_of("projection").contains("HubSpot's 250,000 daily calls") && text_of("projection").contains("52%"));
    assert_eq!(level(), "ok");
    type_into("cadence-input", "15");
    assert!(wait_until(1000.0, || text_of("projection").contains("81%")).await, "{}", text_of("projection"));
    assert_eq!(level(), "warn");
    assert!(by_testid("projection-warning").is_some());
    type_into("cadence-input", "10");
    assert!(wait_until(1000.0, || text_of("projection").contains("109%")).await, "{}", text_of("projection"));
    assert_eq!(level(), "over");

    click("save-cadence");
    assert!(wait_until(1000.0, || by_testid("over-limit-dialog").is_some()).await, "asks before saving");
    assert_eq!(fake.seen.borrow().iter().filter(|s| s.method == "PATCH").count(), 0, "nothing sent yet");
    click("confirm-over-limit");
    assert!(wait_until(2000.0, || by_testid("cadence-editor").is_none()).await, "saved and closed");
    let patch =
        fake.seen.borrow().iter().find(|s| s.method == "PATCH").map(|s| s.request.body.clone().unwrap()).unwrap();
    assert!(patch.contains(r#""cadenceMinutes":10"#) && patch.contains(r#""confirmOverLimit":true"#), "{patch}");
}

/// HubSpot with one open issue, as the server sends it with the integration.
fn with_auth_issue() -> String {
    let mut d = hubspot();
    d["summary"]["openIssues"] = json!(1);
    d["issues"] = json!([{
        "id": "iss_1", "kind": "auth_failed", "title": "HubSpot refused the credentials",
        "message": "Authentication credentials not found.",
        "firstSeenAt": "2026-11-20T08:00:00Z", "occurrences": 4
    }]);
    d.to_string()
}

#[wasm_bindgen_test]
async fn the_page_lists_its_open_issues_with_their_fix_and_a_run_s_progress_live() {
    // The integration comes with its open issue and its latest runs: one request.
    let fake = install(signed_in(move |request, _| match (request.method.as_str(), request.path.as_str()) {
        ("GET", "/api/v1/integrations/hubspot") => {
            let mut d: serde_json::Value = serde_json::from_str(&with_auth_issue()).unwrap();
            d["recentRuns"] = json!([{"id": "run_2", "sync": "contacts", "startedAt": SET_AT, "durationMs": 3000,
                                      "recordsRead": 300, "calls": 3, "outcome": "running"}]);
            Some(json(200, &d.to_string()))
        }
        _ => None,
    }));
    let _app = mount_app_at("/integrations/hubspot/syncs");
    assert!(wait_until(3000.0, || by_testid("integration-issue").is_some()).await, "the issue is listed");
    let issue = text_of("integration-issue");
    assert!(issue.contains("HubSpot refused the credentials"), "{issue}");
    assert!(issue.contains("Authentication credentials not found."), "the provider's words: {issue}");
    assert!(issue.contains("4 times since"), "how often and since when: {issue}");
    assert_eq!(text_of("issue-fix"), "Replace the credentials");
    assert!(text_of("open-issue-count").contains("HubSpot has 1 open issue."));

    // The run in progress, then a progress event: the run moves on with no request at all.
    assert!(wait_until(3000.0, || text_of("run-progress").contains("300 records read, 3 calls so far")).await);
    let requests = fake.count_path("/api/v1/integrations/hubspot");
    let progress =
        r#"{"provider":"hubspot","run":"run_2","sync":"contacts","recordsRead":1200,"calls":12,"durationMs":9000}"#;
    assert!(push_event("integrations", progress) >= 1, "the page listens to the stream");
    assert!(
        wait_until(3000.0, || text_of("run-progress").contains("1200 records read, 12 calls so far")).await,
        "{}",
        text_of("run-progress")
    );
    assert_eq!(fake.count_path("/api/v1/integrations/hubspot"), requests, "progress is applied in place");
    let runs_fetched = fake.seen.borrow().iter().filter(|s| s.path.contains("/runs")).count();
    assert_eq!(runs_fetched, 0, "the runs came with the integration");

    // A run the page has not seen: the page looks again.
    let other =
        r#"{"provider":"hubspot","run":"run_3","sync":"companies","recordsRead":100,"calls":1,"durationMs":500}"#;
    push_event("integrations", other);
    assert!(
        wait_until(3000.0, || fake.count_path("/api/v1/integrations/hubspot") > requests).await,
        "an unknown run is fetched"
    );

    // The fix opens the credentials page, its first field ready to type into.
    click("issue-fix");
    let focused = || leptos::prelude::document().active_element().is_some_and(|e| e.id().starts_with("cred-"));
    assert!(wait_until(3000.0, focused).await, "the fix takes the admin to the credential form");
    assert_eq!(leptos::prelude::window().location().pathname().unwrap(), "/integrations/hubspot/credentials");
}

/// HubSpot at 82% of its daily limit, the company sync its top caller.
fn with_usage_issue() -> String {
    let mut d = hubspot();
    d["summary"]["openIssues"] = json!(1);
    d["issues"] = json!([{
        "id": "iss_2", "kind": "usage_threshold", "title": "HubSpot API usage at 82% of 250,000/day",
        "message": "Company sync is the top caller.", "firstSeenAt": "2026-11-20T08:00:00Z", "occurrences": 1
    }]);
    d.to_string()
}

#[wasm_bindgen_test]
async fn a_usage_issue_pauses_its_top_caller_on_the_syncs_page_and_leads_there_from_the_others() {
    let fake = install(signed_in(move |request, _| match (request.method.as_str(), request.path.as_str()) {
        ("GET", "/api/v1/integrations/hubspot") => Some(json(200, &with_usage_issue())),
        ("PATCH", "/api/v1/integrations/hubspot/syncs/companies") => Some(json(
            200,
            r#"{"sync":"companies","name":"Company sync","cadenceMinutes":15,"paused":true,"pausedUntil":null,"callsPerRun":600,"lastRun":null}"#,
        )),
        _ => None,
    }));
    // The overview names the way to the syncs, where the table shows what pausing does.
    let _app = mount_app_at("/integrations/hubspot");
    assert!(wait_until(3000.0, || by_testid("issue-fix").is_some()).await, "the issue is listed");
    assert_eq!(text_of("issue-fix"), "Review the syncs");
    click("issue-fix");
    assert!(wait_until(3000.0, || by_testid("sync-table").is_some()).await, "the syncs page opens");
    assert_eq!(leptos::prelude::window().location().pathname().unwrap(), "/integrations/hubspot/syncs");

    // There, the same issue pauses the top caller in place.
    assert!(wait_until(3000.0, || text_of("issue-fix") == "Pause Company sync").await, "{}", text_of("issue-fix"));
    click("issue-fix");
    let patched = || fake.seen.borrow().iter().any(|s| s.method == "PATCH");
    assert!(wait_until(3000.0, patched).await, "the pause is sent");
    let body = fake.seen.borrow().iter().find(|s| s.method == "PATCH").and_then(|s| s.request.body.clone()).unwrap();
    assert!(body.contains(r#""paused":true"#), "{body}");
}
