//! The delivery log: filter, page, look at one delivery, and send things again (audited).

use crate::clock::parse_rfc3339;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::pagination::{check_limit, fetch_limit, page, Cursor};
use crate::state::AppState;
use crate::store::webhooks::{self as store, log::LogFilter};
use rusqlite::TransactionBehavior;
use sluice_contract::error::FieldErrors;
use sluice_contract::webhooks::{Delivery, DeliveryDetail, DeliveryQuery, DeliveryStatus, RetryBatch};
use sluice_contract::Page;

fn time_field(name: &str, value: &Option<String>, errors: &mut FieldErrors) -> Option<u64> {
    let v = value.as_deref().filter(|v| !v.is_empty())?;
    let parsed = parse_rfc3339(v);
    if parsed.is_none() {
        errors.add(name, "Use an RFC 3339 time such as 2026-12-01T09:30:00Z.");
    }
    parsed
}

fn filter_of(q: &DeliveryQuery) -> AppResult<LogFilter> {
    let mut errors = FieldErrors::new();
    let some = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
    let status = match some(&q.status) {
        None => None,
        Some(s) => {
            let parsed = DeliveryStatus::parse(&s);
            if parsed.is_none() {
                errors.add("status", "Use pending, retrying, succeeded or failed.");
            }
            parsed
        }
    };
    let since = time_field("since", &q.since, &mut errors);
    let until = time_field("until", &q.until, &mut errors);
    errors.into_result()?;
    Ok(LogFilter {
        status,
        event_type: some(&q.event_type),
        endpoint_id: some(&q.endpoint_id),
        event_id: some(&q.event_id),
        since,
        until,
    })
}

pub async fn list(state: &AppState, tenant_id: &str, q: &DeliveryQuery) -> AppResult<Page<Delivery>> {
    let filter = filter_of(q)?;
    let limit = check_limit(q.limit)?;
    let before: Option<(i64, String)> =
        q.cursor.as_deref().filter(|c| !c.is_empty()).map(Cursor::decode).transpose()?;
    let tenant = tenant_id.to_string();
    let rows = state.store.call(move |c| store::log::list(c, &tenant, &filter, fetch_limit(limit), before)).await?;
    let keyed = rows.into_iter().map(|(at, d)| ((at, d.id.clone()), d)).collect();
    Ok(page(keyed, limit))
}

pub async fn detail(state: &AppState, tenant_id: &str, id: &str) -> AppResult<DeliveryDetail> {
    let (tenant, id) = (tenant_id.to_string(), id.to_string());
    let (delivery, attempts, event) = state
        .store
        .call(move |c| {
            let delivery = store::log::get(c, &tenant, &id)?.ok_or(AppError::NotFound("delivery"))?;
            Ok((delivery, store::log::attempts(c, &id)?, store::log::event_of(c, &id)?))
        })
        .await?;
    let payload = match event {
        Some((data, occurred_at)) => serde_json::json!({
            "eventId": delivery.event_id,
            "type": delivery.event_type,
            "occurredAt": crate::clock::rfc3339(occurred_at),
            "tenantId": tenant_id,
            "data": serde_json::from_str::<serde_json::Value>(&data).unwrap_or(serde_json::Value::Null),
        }),
        None => serde_json::Value::Null,
    };
    Ok(DeliveryDetail { delivery, payload, attempts })
}

pub async fn redeliver(state: &AppState, tenant_id: &str, id: &str, actor: &str) -> AppResult<Delivery> {
    let (tenant, delivery_id, now, actor) = (tenant_id.to_string(), id.to_string(), state.now_ms(), actor.to_string());
    let delivery = state
        .store
        .call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let trigger = format!("redelivered by {actor}");
            if !store::log::redeliver(&tx, &tenant, &delivery_id, now, &trigger)? {
                return Err(AppError::NotFound("delivery"));
            }
            store::audit(&tx, &tenant, now, &actor, "webhook.redeliver", &delivery_id, "")?;
            let d = store::log::get(&tx, &tenant, &delivery_id)?.ok_or(AppError::NotFound("delivery"))?;
            tx.commit()?;
            Ok(d)
        })
        .await?;
    super::Webhooks::of(state).wake.notify_one();
    Ok(delivery)
}

/// "Retry all failed since …": a dry run counts; otherwise every one is due now, tagged with a
/// batch id whose progress [`batch`] reports.
pub async fn retry_failed_since(
    state: &AppState,
    tenant_id: &str,
    since: u64,
    endpoint_id: Option<&str>,
    actor: &str,
    dry_run: bool,
) -> AppResult<RetryBatch> {
    let (tenant, endpoint, now, actor) =
        (tenant_id.to_string(), endpoint_id.map(str::to_string), state.now_ms(), actor.to_string());
    let batch = state
        .store
        .call(move |c| {
            if dry_run {
                let total = store::log::count_failed_since(c, &tenant, since, endpoint.as_deref())?;
                return Ok(RetryBatch { id: None, total, succeeded: 0, failed: 0, pending: total });
            }
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let id = new_id("rtb");
            let trigger = format!("bulk retry by {actor}");
            let total = store::log::retry_failed_since(&tx, &tenant, since, endpoint.as_deref(), &id, now, &trigger)?;
            let detail = format!("since {}; {total} deliveries", crate::clock::rfc3339(since));
            store::audit(
                &tx,
                &tenant,
                now,
                &actor,
                "webhook.retry_failed",
                endpoint.as_deref().unwrap_or("all"),
                &detail,
            )?;
            tx.commit()?;
            Ok(RetryBatch { id: Some(id), total, succeeded: 0, failed: 0, pending: total })
        })
        .await?;
    super::Webhooks::of(state).wake.notify_one();
    Ok(batch)
}

pub async fn batch(state: &AppState, tenant_id: &str, id: &str) -> AppResult<RetryBatch> {
    let (tenant, id) = (tenant_id.to_string(), id.to_string());
    state
        .store
        .call(move |c| store::log::batch_progress(c, &tenant, &id)?.ok_or(AppError::NotFound("retry batch")))
        .await
}

pub fn parse_since(since: &str) -> AppResult<u64> {
    parse_rfc3339(since).ok_or_else(|| AppError::field("since", "Use an RFC 3339 time such as 2026-12-01T09:30:00Z."))
}
