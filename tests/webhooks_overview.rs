//! Admin > Integrations > Webhooks, the landing page: the switch and why nothing is sent, and
//! adding an endpoint (a server field error next to the URL, then the secret, once).

mod common;

use common::issues::attr;
use common::webhooks::*;
use common::*;
use leptos::prelude::*;
use serde_json::json;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn the_switch_off_says_nothing_will_be_sent_and_turning_it_on_says_who_receives() {
    let on = Rc::new(Cell::new(false));
    let state = on.clone();
    let fake = install(signed_in(move |request, _| match (request.method.as_str(), request.path.as_str()) {
        ("GET", SETTINGS) => Some(json(200, &overview(state.get(), 1, 1))),
        ("PUT", SETTINGS) => {
            state.set(request.body.as_deref().unwrap_or_default().contains(r#""enabled":true"#));
            Some(json(200, &overview(state.get(), 1, 1)))
        }
        _ if is_get(request, ENDPOINTS) => {
            Some(json(200, &page(&[endpoint("ep1", "https://hooks.example.com/orders", "active")], None)))
        }
        _ => None,
    }));
    let _app = mount_app_at("/webhooks");
    assert!(wait_until(2000.0, || by_testid("nothing-sent").is_some()).await, "says nothing is sent");
    let sentence = text_of("nothing-sent");
    assert!(sentence.contains("Nothing will be sent"), "{sentence}");
    assert!(sentence.contains("turned off"), "{sentence}");
    assert_eq!(attr("webhooks-switch", "aria-checked").as_deref(), Some("false"));
    assert_eq!(text_of("webhooks-summary"), "1 of 1 endpoints active");
    assert!(wait_until(1000.0, || by_testid("endpoint-row").is_some()).await, "endpoints listed");
    assert_eq!(text_of("endpoint-success-rate"), "75.0%");

    click("webhooks-switch");
    assert!(wait_until(1000.0, || by_testid("nothing-sent").is_none()).await, "sentence gone once on");
    assert_eq!(attr("webhooks-switch", "aria-checked").as_deref(), Some("true"));
    let puts = requests(&fake, "PUT", SETTINGS);
    assert_eq!(puts.len(), 1);
    assert!(puts[0].body.as_deref().unwrap().contains(r#""enabled":true"#));
    assert!(puts[0].header("idempotency-key").is_some());
}

#[wasm_bindgen_test]
async fn enabled_without_an_active_endpoint_still_says_nothing_will_be_sent() {
    install(signed_in(|request, _| match request.path.as_str() {
        SETTINGS => Some(json(200, &overview(true, 0, 2))),
        _ if is_get(request, ENDPOINTS) => Some(json(
            200,
            &page(
                &[
                    endpoint("ep1", "https://a.example.com/", "paused"),
                    endpoint("ep2", "https://b.example.com/", "disabled"),
                ],
                None,
            ),
        )),
        _ => None,
    }));
    let _app = mount_app_at("/webhooks");
    assert!(wait_until(2000.0, || by_testid("nothing-sent").is_some()).await);
    assert!(text_of("nothing-sent").contains("None of the 2 endpoints is active"), "{}", text_of("nothing-sent"));
    let statuses: Vec<String> = all_by_testid("endpoint-status").iter().map(|e| e.text_content().unwrap()).collect();
    assert_eq!(statuses, ["Paused", "Disabled"]);
}

const REFUSED: &str = "refused address: resolves to 127.0.0.1, a loopback address";

#[wasm_bindgen_test]
async fn the_create_dialog_shows_the_servers_url_error_then_the_secret_once() {
    let fake = install(signed_in(|request, _| {
        match (request.method.as_str(), request.path.as_str()) {
        ("GET", SETTINGS) => Some(json(200, &overview(true, 0, 0))),
        ("GET", "/api/v1/webhooks/event-types") => Some(json(200, &event_types())),
        ("POST", ENDPOINTS) if request.body.as_deref().unwrap_or_default().contains("127.0.0.1") => Some(json(
            400,
            &json!({"error": {"code": "validation_failed", "message": "Check the highlighted fields.", "fields": {"url": REFUSED}}})
                .to_string(),
        )),
        ("POST", ENDPOINTS) => {
            let mut created = endpoint("ep9", "https://hooks.example.com/new", "active");
            created["secret"] = json!("whsec_c2VjcmV0LW9uY2U=");
            Some(json(201, &created.to_string()))
        }
        _ if is_get(request, ENDPOINTS) => Some(json(200, &page(&[], None))),
        _ => None,
    }
    }));
    let _app = mount_app_at("/webhooks");
    assert!(wait_until(2000.0, || by_testid("add-endpoint").is_some()).await);
    click("add-endpoint");
    assert!(wait_until(1000.0, || by_testid("field-endpoint-url").is_some()).await, "dialog open");

    type_into("field-endpoint-url", "http://127.0.0.1:9000/hook");
    type_into("field-endpoint-description", "Local test");
    click("create-endpoint");
    let url_error = || document().get_element_by_id("endpoint-url-error").and_then(|e| e.text_content());
    assert!(wait_until(1000.0, || url_error().is_some()).await, "field error shown");
    assert_eq!(url_error().unwrap(), REFUSED);
    assert_eq!(attr("field-endpoint-url", "aria-invalid").as_deref(), Some("true"));
    assert_eq!(attr("field-endpoint-url", "aria-describedby").as_deref(), Some("endpoint-url-error"));
    assert!(by_testid("endpoint-secret").is_none(), "no secret for a refused endpoint");

    // Fixed, sent again: a new action after an answered refusal, so a new key.
    type_into("field-endpoint-url", "https://hooks.example.com/new");
    click("create-endpoint");
    assert!(wait_until(1000.0, || by_testid("endpoint-secret").is_some()).await, "secret shown");
    let secret: web_sys::HtmlInputElement = by_testid("endpoint-secret").unwrap().unchecked_into();
    assert_eq!(secret.value(), "whsec_c2VjcmV0LW9uY2U=");
    assert!(text_of("create-endpoint-dialog").contains("You won't see this secret again"));
    let posts = requests(&fake, "POST", ENDPOINTS);
    assert_eq!(posts.len(), 2);
    let body = posts[1].body.clone().unwrap();
    assert!(body.contains(r#""url":"https://hooks.example.com/new""#) && body.contains(r#""eventTypes":[]"#), "{body}");
    let keys: Vec<_> = posts.iter().map(|p| p.header("idempotency-key").unwrap().to_string()).collect();
    assert_ne!(keys[0], keys[1]);

    // Once: closing the dialog forgets it, and opening it again shows a fresh form.
    click("secret-stored");
    assert!(wait_until(1000.0, || by_testid("create-endpoint-dialog").is_none()).await);
    click("add-endpoint");
    assert!(wait_until(1000.0, || by_testid("field-endpoint-url").is_some()).await);
    assert!(by_testid("endpoint-secret").is_none());
    assert!(!body_text().contains("whsec_"), "the secret is nowhere on the page");
}

#[wasm_bindgen_test]
async fn send_test_event_shows_the_attempts_outcome_in_the_row() {
    install(signed_in(|request, _| match (request.method.as_str(), request.path.as_str()) {
        ("GET", SETTINGS) => Some(json(200, &overview(true, 1, 1))),
        ("POST", "/api/v1/webhooks/endpoints/ep1/test") => Some(json(
            200,
            &json!({"deliveryId": "d7", "eventId": "evt_7", "attempt": {
                "number": 1, "at": "2025-11-24T19:03:11Z", "durationMs": 15000, "ok": false, "statusCode": null,
                "responseHeaders": [], "responseBody": null, "error": "timed out after 15 s", "trigger": "test"}})
            .to_string(),
        )),
        _ if is_get(request, ENDPOINTS) => {
            Some(json(200, &page(&[endpoint("ep1", "https://hooks.example.com/orders", "active")], None)))
        }
        _ => None,
    }));
    let _app = mount_app_at("/webhooks");
    assert!(wait_until(2000.0, || by_testid("send-test").is_some()).await);
    click("send-test");
    assert!(wait_until(1000.0, || by_testid("test-outcome").is_some()).await);
    assert!(text_of("test-outcome").contains("Test event failed: timed out after 15 s"), "{}", text_of("test-outcome"));
}
