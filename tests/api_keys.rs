//! Settings > API keys: validation, the copy-once secret, revoke with confirmation, errors.

mod common;

use common::*;
use leptos::prelude::*;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const KEY: &str = r#"{"id":"k1","name":"Billing sync","prefix":"slk_3f9a","createdAt":"2025-01-01T10:00:00Z","lastUsedAt":"2025-01-03T08:30:00Z","revokedAt":null}"#;

fn list(items: &str) -> String {
    format!(r#"{{"items":[{items}],"nextCursor":null}}"#)
}

fn press_escape() {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("Escape");
    init.set_bubbles(true);
    let event = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    let target: web_sys::HtmlElement = document().active_element().unwrap().unchecked_into();
    target.dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
async fn empty_list_then_create_shows_the_secret_once() {
    let fake = install(signed_in(|request, _| match (request.method.as_str(), request.path.as_str()) {
        ("GET", p) if p.starts_with("/api/v1/api-keys") => Some(json(200, &list(""))),
        ("POST", "/api/v1/api-keys") => Some(json(201, &format!(r#"{{"key":{KEY},"secret":"slk_3f9a_supersecret"}}"#))),
        _ => None,
    }));
    let _app = mount_app_at("/settings");
    assert!(wait_until(2000.0, || by_testid("empty-state").is_some()).await, "empty state");
    assert!(text_of("empty-state").contains("No API keys yet"));
    assert_eq!(window().location().pathname().unwrap(), "/settings/api-keys");

    click("create-key");
    assert!(wait_until(500.0, || by_testid("field-error").is_some()).await);
    assert!(text_of("field-error").contains("Give the key a name"));
    assert_eq!(fake.seen.borrow().iter().filter(|s| s.method == "POST").count(), 0);

    type_into("field-key-name", "Billing sync");
    click("create-key");
    assert!(wait_until(1000.0, || by_testid("secret-dialog").is_some()).await, "secret dialog");
    assert!(text_of("secret-dialog").contains("You won't see this again"));
    let secret: web_sys::HtmlInputElement = by_testid("secret").unwrap().unchecked_into();
    assert_eq!(secret.value(), "slk_3f9a_supersecret");
    let post = fake.seen.borrow().iter().find(|s| s.method == "POST").cloned().unwrap();
    assert!(post.request.header("idempotency-key").is_some(), "create carries an Idempotency-Key");
    assert!(wait_until(1000.0, || fake.count_path("/api/v1/api-keys?limit=200") == 2).await, "list reloaded");

    press_escape();
    assert!(wait_until(500.0, || by_testid("secret-dialog").is_none()).await, "Escape closes");
}

#[wasm_bindgen_test]
async fn a_replayed_create_says_the_secret_was_shown_once_instead_of_an_empty_key() {
    // What the server answers a create retried with the same Idempotency-Key: no secret.
    let replay = format!(
        r#"{{"key":{KEY},"secret":"","secretWithheld":"The secret was shown once, when this key was created, and is not stored."}}"#
    );
    let _fake = install(signed_in(move |request, _| match (request.method.as_str(), request.path.as_str()) {
        ("GET", p) if p.starts_with("/api/v1/api-keys") => Some(json(200, &list(""))),
        ("POST", "/api/v1/api-keys") => Some(json(201, &replay)),
        _ => None,
    }));
    let _app = mount_app_at("/settings/api-keys");
    assert!(wait_until(2000.0, || by_testid("empty-state").is_some()).await, "empty state");
    type_into("field-key-name", "Billing sync");
    click("create-key");
    assert!(wait_until(1000.0, || by_testid("secret-dialog").is_some()).await, "dialog");
    assert!(text_of("secret-withheld").contains("shown once"));
    assert!(by_testid("secret").is_none(), "no empty key to copy");
    press_escape();
    assert!(wait_until(500.0, || by_testid("secret-dialog").is_none()).await, "Escape closes");
}

#[wasm_bindgen_test]
async fn revoke_asks_first_and_escape_returns_focus() {
    let revoked = Rc::new(Cell::new(false));
    let r = revoked.clone();
    let fake = install(signed_in(move |request, _| match (request.method.as_str(), request.path.as_str()) {
        ("GET", p) if p.starts_with("/api/v1/api-keys") => Some(json(
            200,
            &list(&if r.get() {
                KEY.replace("\"revokedAt\":null", "\"revokedAt\":\"2025-01-04T00:00:00Z\"")
            } else {
                KEY.to_string()
            }),
        )),
        ("DELETE", "/api/v1/api-keys/k1") => {
            r.set(true);
            Some(json(200, &KEY.replace("\"revokedAt\":null", "\"revokedAt\":\"2025-01-04T00:00:00Z\"")))
        }
        _ => None,
    }));
    let _app = mount_app_at("/settings/api-keys");
    assert!(wait_until(2000.0, || by_testid("api-key-row").is_some()).await);
    let row = text_of("api-key-row");
    assert!(row.contains("Billing sync") && row.contains("slk_3f9a") && row.contains("Active"), "{row}");
    assert!(row.contains("2025-01-03 08:30"), "last used shown: {row}");

    by_testid("revoke").unwrap().focus().unwrap();
    click("revoke");
    assert!(wait_until(500.0, || by_testid("revoke-dialog").is_some()).await);
    assert!(text_of("revoke-dialog").contains("Revoke “Billing sync”?"));
    assert!(
        wait_until(500.0, || {
            document().active_element().map(|e| by_testid("revoke-dialog").unwrap().contains(Some(&e))) == Some(true)
        })
        .await,
        "focus moved into the dialog"
    );
    press_escape();
    assert!(wait_until(500.0, || by_testid("revoke-dialog").is_none()).await, "Escape closes");
    assert_eq!(
        document().active_element().and_then(|e| e.get_attribute("data-testid")).as_deref(),
        Some("revoke"),
        "focus back on the Revoke button"
    );
    assert!(!revoked.get(), "nothing revoked by closing");

    click("revoke");
    assert!(wait_until(500.0, || by_testid("confirm-revoke").is_some()).await);
    click("confirm-revoke");
    assert!(wait_until(1000.0, || text_of("api-key-row").contains("Revoked")).await, "row shows Revoked");
    assert!(by_testid("revoke-dialog").is_none());
    assert!(by_testid("revoke").is_none(), "no Revoke button on a revoked key");
    let delete = fake.seen.borrow().iter().find(|s| s.method == "DELETE").cloned().unwrap();
    assert!(delete.request.header("idempotency-key").is_some());
}

#[wasm_bindgen_test]
async fn a_failed_load_explains_itself_and_can_be_retried() {
    let calls = Rc::new(Cell::new(0));
    let c = calls.clone();
    install(signed_in(move |request, _| {
        if request.path.starts_with("/api/v1/api-keys") {
            c.set(c.get() + 1);
            return Some(if c.get() == 1 {
                error(500, "internal", "The server had a problem; it has been logged.")
            } else {
                json(200, &list(KEY))
            });
        }
        None
    }));
    let _app = mount_app_at("/settings/api-keys");
    assert!(wait_until(2000.0, || by_testid("error-panel").is_some()).await, "error shown");
    let panel = text_of("error-panel");
    assert!(panel.contains("The API keys could not be loaded."), "{panel}");
    assert!(panel.contains("The server had a problem"), "{panel}");
    let retry = by_testid("error-panel").unwrap().query_selector("button").unwrap().unwrap();
    retry.unchecked_into::<web_sys::HtmlElement>().click();
    assert!(wait_until(2000.0, || by_testid("api-key-row").is_some()).await, "loaded after retry");
    assert!(by_testid("error-panel").is_none());
}

#[wasm_bindgen_test]
async fn a_resubmit_after_a_failure_reuses_the_key_and_the_failure_is_not_the_names_error() {
    let posts = Rc::new(Cell::new(0));
    let p = posts.clone();
    let fake = install(signed_in(move |request, _| match (request.method.as_str(), request.path.as_str()) {
        ("GET", path) if path.starts_with("/api/v1/api-keys") => Some(json(200, &list(""))),
        ("POST", "/api/v1/api-keys") => {
            p.set(p.get() + 1);
            Some(if p.get() == 1 {
                error(500, "internal", "Something went wrong on our side.")
            } else {
                json(201, &format!(r#"{{"key":{KEY},"secret":"slk_3f9a_supersecret"}}"#))
            })
        }
        _ => None,
    }));
    let _app = mount_app_at("/settings/api-keys");
    assert!(wait_until(2000.0, || by_testid("empty-state").is_some()).await);
    type_into("field-key-name", "Billing sync");
    click("create-key");
    assert!(wait_until(1000.0, || by_testid("form-error").is_some()).await, "the form says it failed");
    assert!(by_testid("field-error").is_none(), "not as the Name field's error");
    click("create-key");
    assert!(wait_until(1000.0, || by_testid("secret-dialog").is_some()).await, "created on the resubmit");
    let keys: Vec<Option<String>> = fake
        .seen
        .borrow()
        .iter()
        .filter(|s| s.method == "POST")
        .map(|s| s.request.header("idempotency-key").map(str::to_string))
        .collect();
    assert_eq!(keys.len(), 2);
    assert!(keys[0].is_some() && keys[0] == keys[1], "one key per dialog, not per submit: {keys:?}");
    // The list reloads after a create: let it finish here, not in the next test's fake.
    assert!(wait_until(1000.0, || fake.count_path("/api/v1/api-keys?limit=200") == 2).await, "list reloaded");
}
