//! The signed-in frame, routing, and the way an expired session leads to the login page.

mod common;

use common::*;
use leptos::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn shell_shows_the_navigation_tenant_and_issue_badge() {
    let fake = install(signed_in(|_, _| None));
    let _app = mount_app_at("/webhooks");
    assert!(wait_until(2000.0, || by_testid("sidebar").is_some()).await, "sidebar rendered");
    let nav = text_of("sidebar");
    for label in ["Integrations", "Webhooks", "Distributors", "Tools", "Issues", "API usage", "Settings"] {
        assert!(nav.contains(label), "nav lists {label}: {nav}");
    }
    assert_eq!(text_of("tenant-name"), "Acme Ltd");
    assert!(text_of("user-menu").contains("admin@example.com"));
    assert!(wait_until(2000.0, || text_of("issue-count") == "3").await, "badge shows 3 active issues");
    assert!(text_of("rate-meter").contains("of 500 left"), "meter: {}", text_of("rate-meter"));
    assert!(wait_until(2000.0, || by_testid("webhooks-page").is_some()).await, "the page sits in the frame");
    assert_eq!(fake.count_path("/api/v1/session"), 1);
}

#[wasm_bindgen_test]
async fn unknown_route_shows_the_404_page() {
    install(signed_in(|_, _| None));
    let _app = mount_app_at("/definitely/not/here");
    assert!(wait_until(2000.0, || by_testid("not-found").is_some()).await);
    assert!(text_of("not-found").contains("Page not found"));
}

#[wasm_bindgen_test]
async fn expired_session_goes_to_login_and_remembers_the_page() {
    install(|request, _| match request.path.as_str() {
        "/api/v1/session" => error(401, "unauthenticated", "Sign in to continue."),
        _ => error(401, "unauthenticated", "Sign in to continue."),
    });
    let _app = mount_app_at("/distributors");
    assert!(wait_until(2000.0, || by_testid("login-page").is_some()).await, "login shown");
    let location = window().location();
    assert_eq!(location.pathname().unwrap(), "/login");
    assert_eq!(location.search().unwrap(), "?next=%2Fdistributors");
}
