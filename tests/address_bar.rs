//! A link changes the page and the address bar together, and Back returns. In its own file (its
//! own browser page): routers of apps mounted by earlier tests would also see the click.

mod common;

use common::*;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_link_puts_its_page_in_the_address_bar_and_back_returns() {
    install(signed_in(|_, _| None));
    let _app = mount_app_at("/webhooks");
    assert!(wait_until(2000.0, || by_testid("webhooks-page").is_some()).await);
    let link: web_sys::HtmlElement = by_testid("sidebar")
        .unwrap()
        .query_selector("a[href='/issues']")
        .unwrap()
        .expect("the sidebar links to Tools > Issues")
        .unchecked_into();
    link.click();
    assert!(wait_until(2000.0, || by_testid("issues-page").is_some()).await, "the page opened");
    // A reload, a bookmark or Try again must open this page, not the one before.
    assert!(wait_until(2000.0, || window().location().pathname().unwrap() == "/issues").await, "address bar");
    window().history().unwrap().back().unwrap();
    assert!(wait_until(2000.0, || by_testid("webhooks-page").is_some()).await, "back returns to the endpoints");
    assert_eq!(window().location().pathname().unwrap(), "/webhooks");
}
