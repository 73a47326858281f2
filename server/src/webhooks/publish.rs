//! Events in: the tenant's own (`POST /events`, one or a batch of up to 100) beside the ones
//! Sluice produces, and the catalog that says what each type means.

use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::state::AppState;
use crate::store::{events, webhooks as store};
use rusqlite::TransactionBehavior;
use sluice_contract::error::FieldErrors;
use sluice_contract::page::MAX_BATCH;
use sluice_contract::webhooks::{valid_event_type, EventType, PublishEvent, Published, MAX_EVENT_BYTES, TEST_EVENT};

/// Prefixes of the types Sluice itself produces; tenants publish under their own names.
const RESERVED_PREFIXES: [&str; 4] = ["sluice.", "issue.", "distributor.", "integration."];

/// What Sluice produces: name, meaning, an example of `data`.
fn sluice_types() -> Vec<EventType> {
    let entry = |name: &str, description: &str, example: serde_json::Value| EventType {
        name: name.into(),
        description: description.into(),
        source: "sluice".into(),
        example,
    };
    let issue = serde_json::json!({
        "id": "iss_5f0c2a9b4e7d1c3a8b6f", "area": "integrations", "kind": "auth_failed", "severity": "error",
        "title": "HubSpot rejected the access token", "message": "401 EXPIRED_AUTHENTICATION",
        "entity": {"kind": "integration", "id": "int_1", "name": "HubSpot", "link": "/integrations/int_1"},
        "status": "open", "occurrences": 1
    });
    vec![
        entry(
            TEST_EVENT,
            "Sent by \"Send test event\" to check that an endpoint receives and verifies deliveries.",
            serde_json::json!({"message": "A test event from Sluice.", "endpointId": "ep_0123456789abcdef0123"}),
        ),
        entry(
            "issue.opened",
            "A problem appeared in Tools > Issues (or came back after it was closed).",
            issue.clone(),
        ),
        entry("issue.resolved", "A problem in Tools > Issues was resolved, automatically or by Retry.", issue),
        entry(
            "distributor.price_changed",
            "A distributor sync changed prices; one event per run with the changes.",
            serde_json::json!({"distributorId": "dst_1", "runId": "run_1", "changes": [{"sku": "ABC-123", "oldPrice": "10.00", "newPrice": "9.50", "currency": "EUR"}]}),
        ),
        entry(
            "distributor.sync_completed",
            "A distributor price feed synced.",
            serde_json::json!({"distributorId": "dst_1", "runId": "run_1", "rowsRead": 2000, "changed": 14}),
        ),
        entry(
            "distributor.sync_failed",
            "A distributor price feed failed to sync; the previous prices stay.",
            serde_json::json!({"distributorId": "dst_1", "runId": "run_1", "error": "Feed returned no data"}),
        ),
    ]
}

/// The catalog: Sluice's types, then the tenant's own published ones with their latest payload.
pub async fn catalog(state: &AppState, tenant_id: &str) -> AppResult<Vec<EventType>> {
    let tenant = tenant_id.to_string();
    let own = state.store.call(move |c| store::log::tenant_event_types(c, &tenant)).await?;
    let mut all = sluice_types();
    all.extend(own.into_iter().map(|(name, data)| EventType {
        name,
        description: "Published by your own systems through POST /api/v1/events.".into(),
        source: "tenant".into(),
        example: serde_json::from_str(&data).unwrap_or(serde_json::Value::Null),
    }));
    Ok(all)
}

pub async fn known_types(state: &AppState, tenant_id: &str) -> AppResult<Vec<String>> {
    Ok(catalog(state, tenant_id).await?.into_iter().map(|t| t.name).collect())
}

fn check(e: &PublishEvent, prefix: &str, errors: &mut FieldErrors) {
    if !valid_event_type(&e.event_type) {
        errors.add(&format!("{prefix}type"), "Use lowercase words joined by dots, such as order.created.");
    } else if RESERVED_PREFIXES.iter().any(|p| e.event_type.starts_with(p)) {
        errors.add(
            &format!("{prefix}type"),
            format!("{} is produced by Sluice; publish under your own name.", e.event_type),
        );
    }
    if let Some(id) = &e.event_id {
        if id.is_empty() || id.len() > 255 || id.chars().any(|c| c.is_control() || c.is_whitespace()) {
            errors.add(&format!("{prefix}eventId"), "Use 1 to 255 visible characters without spaces.");
        }
    }
    if serde_json::to_vec(&e.data).map(|b| b.len()).unwrap_or(usize::MAX) > MAX_EVENT_BYTES {
        errors.add(&format!("{prefix}data"), format!("Keep data under {} KiB.", MAX_EVENT_BYTES / 1024));
    }
}

/// Stores the events (in one transaction) before answering; the worker fans them out.
pub async fn publish(
    state: &AppState,
    tenant_id: &str,
    batch: Vec<PublishEvent>,
    single: bool,
) -> AppResult<Vec<Published>> {
    if batch.is_empty() {
        return Err(AppError::field("events", "Send at least one event."));
    }
    if batch.len() > MAX_BATCH {
        return Err(AppError::field("events", format!("Send at most {MAX_BATCH} events per request.")));
    }
    let mut errors = FieldErrors::new();
    for (i, e) in batch.iter().enumerate() {
        let prefix = if single { String::new() } else { format!("events[{i}].") };
        check(e, &prefix, &mut errors);
    }
    errors.into_result()?;
    let (tenant, now) = (tenant_id.to_string(), state.now_ms());
    let published = state
        .store
        .call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut out = Vec::with_capacity(batch.len());
            for e in batch {
                let row =
                    events::EventRow { id: new_id("evt"), event_type: e.event_type, occurred_at: now, data: e.data };
                let event_id = e.event_id.unwrap_or_else(|| row.id.clone());
                let created = events::insert_published(&tx, &tenant, &row, &event_id, false)?;
                out.push(Published { event_id, created });
            }
            tx.commit()?;
            Ok(out)
        })
        .await?;
    super::Webhooks::of(state).wake.notify_one();
    Ok(published)
}
