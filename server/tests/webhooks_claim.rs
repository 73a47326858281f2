//! The queue's claim on its own (no worker running): oldest due first, at most the room each
//! endpoint has left, and an endpoint at its limit is passed over however long its backlog.

use sluice_contract::webhooks::{NewEndpoint, PublishEvent, WebhookSettings};
use sluice_server::clock::ManualClock;
use sluice_server::config::ServeArgs;
use sluice_server::state::AppState;
use sluice_server::store::webhooks::queue;
use sluice_server::tenants::{self, NewTenant};
use sluice_server::webhooks;
use std::collections::HashMap;

const T0: u64 = 1_795_478_400_000;

async fn publish(state: &AppState, tenant: &str, prefix: &str, n: usize) {
    for chunk in (0..n).collect::<Vec<_>>().chunks(100) {
        let batch = chunk
            .iter()
            .map(|i| PublishEvent {
                event_type: "order.created".into(),
                data: serde_json::json!({}),
                event_id: Some(format!("{prefix}{i}")),
            })
            .collect();
        webhooks::publish::publish(state, tenant, batch, false).await.unwrap();
    }
}

#[tokio::test]
async fn an_endpoint_at_its_limit_is_passed_over_and_the_others_get_their_room_oldest_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = ServeArgs::for_data_dir(dir.path().to_path_buf());
    args.allow_private_targets = true;
    let clock = ManualClock::new(T0);
    let state = sluice_server::build_state(args, clock.clone()).unwrap();
    let new = NewTenant {
        name: "Acme".into(),
        admin_email: "a@acme.test".into(),
        admin_password: "a long password 1".into(),
    };
    let tenant = tenants::create(&state.store, &new, T0).unwrap().tenant_id;
    let on = WebhookSettings { enabled: true, ..Default::default() };
    webhooks::put_settings(&state, &tenant, on).await.unwrap();
    // Only the slow endpoint at first: it gets a long backlog, older than anything else.
    let endpoint = |url: &str| NewEndpoint { url: url.into(), ..Default::default() };
    let slow =
        webhooks::endpoints::create(&state, &tenant, endpoint("http://127.0.0.1:9/slow")).await.unwrap().endpoint.id;
    publish(&state, &tenant, "old", 1_000).await;
    state.store.call(|c| queue::dispatch(c, T0, 5_000)).await.unwrap();
    clock.advance_ms(1_000);
    let fast =
        webhooks::endpoints::create(&state, &tenant, endpoint("http://127.0.0.1:9/fast")).await.unwrap().endpoint.id;
    publish(&state, &tenant, "new", 20).await;
    state.store.call(|c| queue::dispatch(c, T0 + 1_000, 5_000)).await.unwrap();
    let now = T0 + 1_000;

    let claim = |in_flight: HashMap<String, usize>, max: usize| {
        let state = state.clone();
        async move {
            let claimed =
                state.store.call(move |c| queue::claim_due(c, now, now + 90_000, max, 8, &in_flight)).await.unwrap();
            let mut per: HashMap<String, usize> = HashMap::new();
            for c in &claimed {
                *per.entry(c.endpoint_id.clone()).or_default() += 1;
            }
            (claimed, per)
        }
    };

    // The slow endpoint holds its 8: only the fast one's deliveries come, 8 of them.
    let mut all: Vec<String> = Vec::new();
    let (claimed, per) = claim(HashMap::from([(slow.clone(), 8)]), 64).await;
    assert_eq!(per, HashMap::from([(fast.clone(), 8)]), "{claimed:?}");
    all.extend(claimed.iter().map(|c| c.delivery_id.clone()));
    let fast_in_flight = 8;

    // With 3 in flight the slow endpoint gets its 5 more, oldest first; the fast one is full.
    let (claimed, per) = claim(HashMap::from([(slow.clone(), 3), (fast.clone(), fast_in_flight)]), 64).await;
    assert_eq!(per, HashMap::from([(slow.clone(), 5)]));
    let ids: Vec<&str> = claimed.iter().map(|c| c.event_id.as_str()).collect();
    assert!(ids.iter().all(|id| id.starts_with("old")), "{ids:?}");
    all.extend(claimed.iter().map(|c| c.delivery_id.clone()));

    // Leased deliveries are not claimed twice; `max` caps the whole claim, oldest due first.
    let (claimed, per) = claim(HashMap::new(), 4).await;
    assert_eq!(claimed.len(), 4);
    assert_eq!(per, HashMap::from([(slow.clone(), 4)]), "the slow endpoint's are due first");
    all.extend(claimed.iter().map(|c| c.delivery_id.clone()));
    let (claimed, per) = claim(HashMap::new(), 64).await;
    assert_eq!(per, HashMap::from([(slow, 8), (fast, 8)]));
    all.extend(claimed.iter().map(|c| c.delivery_id.clone()));
    let claims = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), claims, "a leased delivery is never claimed again");
}
