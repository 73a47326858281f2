//! Every typed route opens its page; the event catalog; "Retry all failed since…" counts
//! before it starts and shows progress while it runs.

mod common;

use common::webhooks::*;
use common::*;
use serde_json::json;
use sluice_console::routes::Page;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn every_page_of_the_route_enum_is_routed() {
    install(signed_in(|_, _| None));
    let pages = [
        Page::Integrations,
        Page::Integration(sluice_contract::integrations::Provider::Hubspot),
        Page::IntegrationCredentials(sluice_contract::integrations::Provider::Hubspot),
        Page::IntegrationSyncs(sluice_contract::integrations::Provider::Hubspot),
        Page::Webhooks,
        Page::WebhookDeliveries,
        Page::WebhookDelivery("d1".into()),
        Page::WebhookEvents,
        Page::Distributors,
        Page::Issues,
        Page::Usage,
        Page::Settings,
        Page::ApiKeys,
    ];
    for page in pages {
        assert_eq!(Page::from_path(&page.path()), Some(page.clone()), "{} leads back to its page", page.path());
        let app = mount_app_at(&page.path());
        assert!(wait_until(2000.0, || by_testid("shell").is_some()).await, "{page:?}");
        sleep(30).await;
        assert!(by_testid("not-found").is_none(), "{page:?} at {} is not routed", page.path());
        drop(app);
    }
    let app = mount_app_at("/webhooks/nowhere");
    assert!(wait_until(2000.0, || by_testid("not-found").is_some()).await, "unknown paths still fall back");
    drop(app);
}

#[wasm_bindgen_test]
async fn the_event_catalog_lists_each_type_with_its_example() {
    install(signed_in(|request, _| {
        (request.path == "/api/v1/webhooks/event-types").then(|| json(200, &event_types()))
    }));
    let _app = mount_app_at("/webhooks/events");
    assert!(wait_until(2000.0, || all_by_testid("event-type").len() == 2).await);
    assert!(text_of("event-catalog").contains("An issue was raised."));
    assert!(text_of("event-example").contains("\"id\": \"iss_1\""), "{}", text_of("event-example"));
    assert!(text_of("event-catalog").contains("Published by your systems"));
}

#[wasm_bindgen_test]
async fn retry_all_failed_counts_first_then_follows_the_progress() {
    let polls = Rc::new(Cell::new(0u32));
    let p = polls.clone();
    let fake = install(signed_in(move |request, _| match (request.method.as_str(), request.path.as_str()) {
        ("POST", "/api/v1/webhooks/deliveries/retry-failed") => {
            let dry = request.body.as_deref().unwrap_or_default().contains(r#""dryRun":true"#);
            let id = if dry { json!(null) } else { json!("rb1") };
            Some(json(200, &json!({"id": id, "total": 3, "succeeded": 0, "failed": 0, "pending": 3}).to_string()))
        }
        ("GET", "/api/v1/webhooks/retries/rb1") => {
            p.set(p.get() + 1);
            let done = p.get().min(3) as u64;
            Some(json(
                200,
                &json!({"id": "rb1", "total": 3, "succeeded": done, "failed": 0, "pending": 3 - done}).to_string(),
            ))
        }
        _ if is_get(request, DELIVERIES) => Some(json(200, &page(&[delivery("d1", "failed")], None))),
        _ if is_get(request, ENDPOINTS) => Some(json(200, &page(&[], None))),
        _ => None,
    }));
    let _app = mount_app_at("/webhooks/deliveries");
    assert!(wait_until(2000.0, || by_testid("delivery-row").is_some()).await);
    click("retry-failed");
    assert!(
        wait_until(1000.0, || text_of("retry-preview").contains("3 failed deliveries")).await,
        "{}",
        text_of("retry-preview")
    );
    let posts = requests(&fake, "POST", "/api/v1/webhooks/deliveries/retry-failed");
    assert_eq!(posts.len(), 1, "only the count so far");
    assert!(posts[0].body.as_deref().unwrap().contains(r#""dryRun":true"#));
    assert_eq!(text_of("confirm-retry-failed"), "Retry 3");

    click("confirm-retry-failed");
    assert!(wait_until(1000.0, || by_testid("retry-progress").is_some()).await);
    assert!(
        wait_until(5000.0, || text_of("retry-progress").starts_with("Done: 3 of 3 delivered")).await,
        "{}",
        text_of("retry-progress")
    );
    let posts = requests(&fake, "POST", "/api/v1/webhooks/deliveries/retry-failed");
    assert_eq!(posts.len(), 2);
    assert!(posts[1].body.as_deref().unwrap().contains(r#""dryRun":false"#));
    let after_done = polls.get();
    sleep(1500).await;
    assert_eq!(polls.get(), after_done, "no polling once done");
}
