//! Leaving a page ends what it was waiting for. In its own file (its own browser page): routers
//! of apps mounted by earlier tests in the same page would also see the link click.

mod common;

use common::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn leaving_the_page_abandons_its_waiting_requests() {
    let fake = install(signed_in(|request, _| request.path.starts_with("/api/v1/api-keys").then(|| rate_limited(2))));
    let _app = mount_app_at("/settings/api-keys");
    assert!(wait_until(1000.0, || by_testid("rate-limit-banner").is_some()).await, "banner shown");
    assert!(text_of("rate-limit-banner").contains("(1 request waiting)"));

    // The admin goes elsewhere (a page that loads nothing, so only the abandoned request could
    // still be waiting): the key list is no longer wanted, so it is not sent again.
    let document = web_sys::window().unwrap().document().unwrap();
    let link = document.create_element("a").unwrap();
    link.set_attribute("href", "/no-such-page").unwrap();
    document.body().unwrap().append_child(&link).unwrap();
    link.dyn_into::<web_sys::HtmlElement>().unwrap().click();
    assert!(wait_until(1000.0, || !text_of("rate-limit-banner").contains("waiting")).await, "nothing waits");
    assert!(by_testid("cancel-wait").is_none(), "nothing to cancel");
    sleep(2500).await;
    assert_eq!(fake.count_path("/api/v1/api-keys?limit=200"), 1, "the abandoned request was not retried");
    assert!(by_testid("rate-limit-gave-up").is_none(), "leaving a page is not an error");
}
