//! The login form: validation next to the fields, the server's refusal, the pending state.

mod common;

use common::*;
use leptos::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn empty_submit_explains_each_field_and_sends_nothing() {
    let fake = install(|_, _| error(500, "unexpected", "Should not be called."));
    let _app = mount_app_at("/login");
    assert!(wait_until(2000.0, || by_testid("login-submit").is_some()).await);
    click("login-submit");
    assert!(wait_until(1000.0, || all_by_testid("field-error").len() == 2).await);
    let errors: Vec<String> =
        all_by_testid("field-error").iter().map(|e| e.text_content().unwrap_or_default()).collect();
    assert_eq!(errors, vec!["Enter your email address.", "Enter your password."]);
    assert_eq!(by_testid("field-email").unwrap().get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(fake.count(), 0, "nothing is sent for an invalid form");
}

#[wasm_bindgen_test]
async fn wrong_password_shows_the_servers_message() {
    let fake = install(|request, _| match (request.method.as_str(), request.path.as_str()) {
        ("POST", "/api/v1/session") => {
            let (response, _) = error(401, "invalid_credentials", "Email or password is wrong.");
            (response, 150)
        }
        _ => error(404, "not_found", "No."),
    });
    let _app = mount_app_at("/login?next=%2Fwebhooks");
    assert!(wait_until(2000.0, || by_testid("login-submit").is_some()).await);
    type_into("field-email", "admin@example.com");
    type_into("field-password", "not-it");
    click("login-submit");
    assert!(wait_until(500.0, || text_of("login-submit") == "Signing in…").await);
    assert!(by_testid("login-submit").unwrap().has_attribute("disabled"));
    assert!(wait_until(2000.0, || by_testid("login-error").is_some()).await);
    assert_eq!(text_of("login-error"), "Email or password is wrong.");
    assert_eq!(text_of("login-submit"), "Sign in");
    assert_eq!(window().location().pathname().unwrap(), "/login", "still on the login page");
    let sent = fake.seen.borrow()[0].request.body.clone().unwrap();
    assert!(sent.contains(r#""email":"admin@example.com""#), "{sent}");
}

#[wasm_bindgen_test]
async fn successful_login_returns_to_the_page_it_came_from() {
    install(signed_in(|request, _| {
        (request.method == "POST" && request.path == "/api/v1/session").then(|| json(200, SESSION))
    }));
    let _app = mount_app_at("/login?next=%2Fwebhooks");
    assert!(wait_until(2000.0, || by_testid("login-submit").is_some()).await);
    type_into("field-email", "admin@example.com");
    type_into("field-password", "correct horse");
    click("login-submit");
    assert!(wait_until(2000.0, || by_testid("sidebar").is_some()).await, "shell after login");
    assert_eq!(window().location().pathname().unwrap(), "/webhooks");
}
