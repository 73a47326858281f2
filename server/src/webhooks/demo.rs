//! `--demo`: a small receiver on loopback (exempted from the SSRF guard for its exact address
//! only) with a healthy endpoint and one that fails now and then, and the tenant's own events
//! published every few seconds through the real API code, so every Webhooks screen shows real
//! deliveries.

use super::{endpoints, publish};
use crate::error::AppResult;
use crate::pagination::PageQuery;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use sluice_contract::webhooks::{EndpointChange, NewEndpoint, PublishEvent, WebhookSettings};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

const HEALTHY: &str = "Demo: order system (healthy)";
const FLAKY: &str = "Demo: warehouse (fails now and then)";

/// Starts the receiver and the event flow for the demo tenant.
pub async fn start(state: &AppState, tenant_id: &str) -> AppResult<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(crate::error::AppError::internal)?;
    let addr = listener.local_addr().map_err(crate::error::AppError::internal)?;
    state.targets.exempt(addr);
    let counter = Arc::new(AtomicU64::new(0));
    let receiver = Router::new().route("/ok", post(|| async { (StatusCode::OK, "{\"received\":true}") })).route(
        "/flaky",
        post(|State(n): State<Arc<AtomicU64>>| async move {
            // Every fifth call fails, every seventh is slow: enough to show retries and durations.
            let i = n.fetch_add(1, Ordering::Relaxed);
            if i % 7 == 3 {
                tokio::time::sleep(Duration::from_millis(2500)).await;
            }
            if i % 5 == 2 {
                (StatusCode::INTERNAL_SERVER_ERROR, "{\"error\":\"warehouse database is busy\"}")
            } else {
                (StatusCode::OK, "{\"received\":true}")
            }
        }),
    );
    let mut stopping = state.shutting_down.subscribe();
    tokio::spawn(async move {
        let serve = axum::serve(listener, receiver.with_state(counter));
        let _ = serve
            .with_graceful_shutdown(async move {
                let _ = stopping.wait_for(|s| *s).await;
            })
            .await;
    });
    configure(state, tenant_id, &format!("http://{addr}")).await?;
    let (state, tenant) = (state.clone(), tenant_id.to_string());
    tokio::spawn(async move { publish_loop(state, tenant).await });
    Ok(())
}

/// First start: turn webhooks on and add the two endpoints. Later starts: point them at this
/// start's receiver port.
async fn configure(state: &AppState, tenant_id: &str, base: &str) -> AppResult<()> {
    let existing = endpoints::list(state, tenant_id, &PageQuery { limit: Some(200), cursor: None }).await?.items;
    let mut found = false;
    for e in existing.iter().filter(|e| e.description.starts_with("Demo:")) {
        found = true;
        let path = if e.description == FLAKY { "/flaky" } else { "/ok" };
        let change = EndpointChange { url: Some(format!("{base}{path}")), ..Default::default() };
        endpoints::update(state, tenant_id, &e.id, change).await?;
    }
    if found {
        return Ok(());
    }
    super::put_settings(state, tenant_id, WebhookSettings { enabled: true, ..Default::default() }).await?;
    for (description, path, types) in [(HEALTHY, "/ok", vec![]), (FLAKY, "/flaky", vec!["order.created".to_string()])] {
        let new = NewEndpoint {
            url: format!("{base}{path}"),
            description: description.into(),
            event_types: types,
            custom_headers: vec![],
        };
        // The catalog knows order.created once it has been published; publish one first.
        if !new.event_types.is_empty() {
            publish::publish(state, tenant_id, vec![order_created(0)], true).await?;
        }
        endpoints::create(state, tenant_id, new).await?;
    }
    Ok(())
}

fn order_created(n: u64) -> PublishEvent {
    PublishEvent {
        event_type: "order.created".into(),
        data: serde_json::json!({ "orderId": format!("SO-{}", 10_000 + n), "total": format!("{}.{:02}", 50 + n % 900, n % 100), "currency": "EUR" }),
        event_id: None,
    }
}

async fn publish_loop(state: AppState, tenant_id: String) {
    let mut stopping = state.shutting_down.subscribe();
    for n in 1u64.. {
        let event = if n % 3 == 0 {
            PublishEvent {
                event_type: "invoice.paid".into(),
                data: serde_json::json!({ "invoiceId": format!("INV-{}", 5_000 + n), "amount": "129.00", "currency": "EUR" }),
                event_id: None,
            }
        } else {
            order_created(n)
        };
        if let Err(e) = publish::publish(&state, &tenant_id, vec![event], true).await {
            tracing::warn!(error = %e, "demo event not published");
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(8)) => {}
            _ = stopping.wait_for(|s| *s) => break,
        }
    }
}
