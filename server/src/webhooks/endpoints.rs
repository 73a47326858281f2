//! Endpoints: create (the secret shown once), change, pause and enable, rotate the secret
//! (the old one keeps signing for 24 h), delete, and send a test event while the admin waits.

use super::{deliver, signing, WebhookIssue};
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::issues;
use crate::issues::{Key, Resolution};
use crate::pagination::{fetch_limit, page, PageQuery};
use crate::state::AppState;
use crate::store::{events, webhooks as store};
use rusqlite::TransactionBehavior;
use sluice_contract::error::FieldErrors;
use sluice_contract::webhooks::{
    CustomHeader, Endpoint, EndpointChange, EndpointStatus, EndpointWithSecret, NewEndpoint, TestResult,
    MAX_CUSTOM_HEADERS, TEST_EVENT,
};
use sluice_contract::Page;
use store::EndpointRow;

pub use signing::secret_aad;

/// How long a rotated-out secret keeps signing.
pub const ROTATION_GRACE_MS: u64 = 24 * 3600 * 1000;
const MAX_DESCRIPTION: usize = 500;
/// Headers Sluice sets itself, or that would change how the request travels.
const RESERVED_HEADERS: [&str; 8] = [
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "content-type",
    "content-length",
    "host",
    "transfer-encoding",
    "connection",
];

async fn check_fields(
    state: &AppState,
    url: Option<&str>,
    description: Option<&str>,
    event_types: Option<&[String]>,
    headers: Option<&[CustomHeader]>,
    tenant_id: &str,
) -> AppResult<Option<String>> {
    let mut errors = FieldErrors::new();
    let mut clean_url = None;
    if let Some(url) = url {
        match state.targets.check_url(url).await {
            Ok(u) => clean_url = Some(u.to_string()),
            Err(why) => errors.add("url", why),
        }
    }
    if description.is_some_and(|d| d.chars().count() > MAX_DESCRIPTION) {
        errors.add("description", format!("Keep the description under {MAX_DESCRIPTION} characters."));
    }
    if let Some(types) = event_types {
        let known = super::publish::known_types(state, tenant_id).await?;
        if let Some(unknown) = types.iter().find(|t| !known.contains(t)) {
            errors.add("eventTypes", format!("{unknown} is not an event type in the catalog."));
        }
    }
    if let Some(headers) = headers {
        if let Err(why) = check_headers(headers) {
            errors.add("customHeaders", why);
        }
    }
    errors.into_result()?;
    Ok(clean_url)
}

fn check_headers(headers: &[CustomHeader]) -> Result<(), String> {
    if headers.len() > MAX_CUSTOM_HEADERS {
        return Err(format!("Use at most {MAX_CUSTOM_HEADERS} custom headers."));
    }
    let mut seen = std::collections::HashSet::new();
    for h in headers {
        let name = h.name.trim().to_ascii_lowercase();
        if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() || name.is_empty() {
            return Err(format!("\"{}\" is not a valid header name.", h.name));
        }
        if reqwest::header::HeaderValue::from_str(&h.value).is_err() {
            return Err(format!("The value of {} has characters a header cannot carry.", h.name));
        }
        if RESERVED_HEADERS.contains(&name.as_str()) {
            return Err(format!("{} is set by Sluice and cannot be overridden.", h.name));
        }
        if !seen.insert(name) {
            return Err(format!("{} is given twice.", h.name));
        }
    }
    Ok(())
}

pub async fn create(state: &AppState, tenant_id: &str, new: NewEndpoint) -> AppResult<EndpointWithSecret> {
    let url = check_fields(
        state,
        Some(&new.url),
        Some(&new.description),
        Some(&new.event_types),
        Some(&new.custom_headers),
        tenant_id,
    )
    .await?
    .unwrap_or_default();
    let now = state.now_ms();
    let id = new_id("ep");
    let secret = signing::new_secret();
    let sealed = state.credentials.seal_text(&secret_aad(&id), &secret)?;
    let row = EndpointRow {
        id,
        tenant_id: tenant_id.to_string(),
        url,
        description: new.description.trim().to_string(),
        event_types: new.event_types,
        custom_headers: new.custom_headers,
        status: EndpointStatus::Active,
        disabled_reason: None,
        failing_since: None,
        created_at: now,
    };
    let id = row.id.clone();
    state
        .store
        .call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            store::insert_endpoint(&tx, &row)?;
            store::add_secret(&tx, &row.id, &sealed, now, None)?;
            tx.commit()?;
            Ok(())
        })
        .await?;
    Ok(EndpointWithSecret { endpoint: get(state, tenant_id, &id).await?, secret })
}

pub async fn get(state: &AppState, tenant_id: &str, id: &str) -> AppResult<Endpoint> {
    let (tenant, id, now) = (tenant_id.to_string(), id.to_string(), state.now_ms());
    state
        .store
        .call(move |c| {
            let row = store::endpoint(c, &tenant, &id)?.ok_or(AppError::NotFound("endpoint"))?;
            let health = store::log::health(c, &row.id, now)?;
            let previous = store::previous_secret_expiry(c, &row.id, now)?;
            Ok(row.into_endpoint(health, previous))
        })
        .await
}

pub async fn list(state: &AppState, tenant_id: &str, query: &PageQuery) -> AppResult<Page<Endpoint>> {
    let limit = query.limit()?;
    let before: Option<(i64, String)> = query.cursor()?;
    let (tenant, now) = (tenant_id.to_string(), state.now_ms());
    state
        .store
        .call(move |c| {
            let rows = store::endpoints(c, &tenant, fetch_limit(limit), before)?;
            let keyed = rows.into_iter().map(|r| ((r.created_at as i64, r.id.clone()), r)).collect();
            let Page { items: rows, next_cursor } = page(keyed, limit);
            let mut items = Vec::with_capacity(rows.len());
            for row in rows {
                let health = store::log::health(c, &row.id, now)?;
                let previous = store::previous_secret_expiry(c, &row.id, now)?;
                items.push(row.into_endpoint(health, previous));
            }
            Ok(Page { items, next_cursor })
        })
        .await
}

pub async fn update(state: &AppState, tenant_id: &str, id: &str, change: EndpointChange) -> AppResult<Endpoint> {
    let url = check_fields(
        state,
        change.url.as_deref(),
        change.description.as_deref(),
        change.event_types.as_deref(),
        change.custom_headers.as_deref(),
        tenant_id,
    )
    .await?;
    let (tenant, endpoint_id) = (tenant_id.to_string(), id.to_string());
    let before = state
        .store
        .call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut row = store::endpoint(&tx, &tenant, &endpoint_id)?.ok_or(AppError::NotFound("endpoint"))?;
            let before = row.status;
            if let Some(url) = url {
                row.url = url;
            }
            if let Some(d) = change.description {
                row.description = d.trim().to_string();
            }
            if let Some(t) = change.event_types {
                row.event_types = t;
            }
            if let Some(h) = change.custom_headers {
                row.custom_headers = h;
            }
            match change.enabled {
                Some(true) => {
                    row.status = EndpointStatus::Active;
                    row.disabled_reason = None;
                    row.failing_since = None;
                }
                Some(false) => row.status = EndpointStatus::Paused,
                None => {}
            }
            store::update_endpoint(&tx, &row)?;
            tx.commit()?;
            Ok(before)
        })
        .await?;
    let endpoint = get(state, tenant_id, id).await?;
    if before == EndpointStatus::Disabled && endpoint.status == EndpointStatus::Active {
        let what = "the endpoint was turned on again";
        let key = Key::new(WebhookIssue::EndpointDisabled, id);
        issues::clear(state, tenant_id, key, Resolution::automatic(what)).await?;
    }
    super::Webhooks::of(state).wake.notify_one();
    Ok(endpoint)
}

pub async fn delete(state: &AppState, tenant_id: &str, id: &str) -> AppResult<()> {
    let (tenant, endpoint_id) = (tenant_id.to_string(), id.to_string());
    let deleted = state.store.call(move |c| store::delete_endpoint(c, &tenant, &endpoint_id)).await?;
    if !deleted {
        return Err(AppError::NotFound("endpoint"));
    }
    for kind in [WebhookIssue::EndpointFailing, WebhookIssue::EndpointDisabled] {
        issues::clear(state, tenant_id, Key::new(kind, id), Resolution::automatic("the endpoint was deleted")).await?;
    }
    Ok(())
}

/// A new secret; the current ones keep signing for [`ROTATION_GRACE_MS`].
pub async fn rotate(state: &AppState, tenant_id: &str, id: &str) -> AppResult<EndpointWithSecret> {
    let secret = signing::new_secret();
    let sealed = state.credentials.seal_text(&secret_aad(id), &secret)?;
    let (tenant, endpoint_id, now) = (tenant_id.to_string(), id.to_string(), state.now_ms());
    state
        .store
        .call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            store::endpoint(&tx, &tenant, &endpoint_id)?.ok_or(AppError::NotFound("endpoint"))?;
            store::add_secret(&tx, &endpoint_id, &sealed, now, Some(now + ROTATION_GRACE_MS))?;
            tx.commit()?;
            Ok(())
        })
        .await?;
    Ok(EndpointWithSecret { endpoint: get(state, tenant_id, id).await?, secret })
}

/// Sends a `sluice.test` event to one endpoint and answers the attempt. Like any delivery, a
/// failure is retried on the schedule.
pub async fn send_test(state: &AppState, tenant_id: &str, id: &str, actor: &str) -> AppResult<TestResult> {
    test_delivery(state, tenant_id, id, format!("test sent by {actor}"), true).await
}

async fn test_delivery(
    state: &AppState,
    tenant_id: &str,
    id: &str,
    trigger: String,
    require_active: bool,
) -> AppResult<TestResult> {
    let settings = super::settings(state, tenant_id).await?;
    if !settings.enabled {
        return Err(AppError::conflict(
            "webhooks_disabled",
            "Webhooks are turned off for this tenant, so nothing is sent. Turn them on first.",
        ));
    }
    let (tenant, endpoint_id, now) = (tenant_id.to_string(), id.to_string(), state.now_ms());
    let lease = now + deliver::lease_ms(&settings);
    let claimed = state
        .store
        .call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let row = store::endpoint(&tx, &tenant, &endpoint_id)?.ok_or(AppError::NotFound("endpoint"))?;
            if require_active && row.status != EndpointStatus::Active {
                return Err(AppError::conflict(
                    "endpoint_not_active",
                    format!("This endpoint is {}; turn it on to send to it.", row.status.label().to_lowercase()),
                ));
            }
            let event = events::EventRow {
                id: new_id("evt"),
                event_type: TEST_EVENT.into(),
                occurred_at: now,
                data: serde_json::json!({ "message": "A test event from Sluice.", "endpointId": row.id }),
            };
            events::insert_published(&tx, &tenant, &event, &event.id, true)?;
            let delivery_id = new_id("dlv");
            store::queue::insert_delivery(
                &tx,
                &delivery_id,
                &tenant,
                &row.id,
                &event.id,
                &event.id,
                TEST_EVENT,
                now,
                Some(lease),
            )?;
            tx.execute("UPDATE webhook_deliveries SET trigger = ?2 WHERE id = ?1", [&delivery_id, &trigger])?;
            let claimed = store::queue::load_claimed(&tx, &delivery_id)?;
            tx.commit()?;
            Ok(claimed)
        })
        .await?;
    let (delivery_id, event_id) = (claimed.delivery_id.clone(), claimed.event_id.clone());
    let attempt = deliver::send_now(state, claimed, &settings).await?;
    Ok(TestResult { delivery_id, event_id, attempt })
}

/// Tools > Issues' Retry: a test event now; when it arrives, the endpoint is turned back on if
/// Sluice had disabled it and its failed deliveries of the last 7 days go out again.
pub async fn recover(state: &AppState, endpoint_id: &str) -> Result<String, String> {
    let id = endpoint_id.to_string();
    let row = state
        .store
        .call(move |c| store::endpoint_by_id(c, &id))
        .await
        .map_err(|e| e.to_string())?
        .ok_or("The endpoint no longer exists.")?;
    let tenant = row.tenant_id.clone();
    let was_disabled = row.status == EndpointStatus::Disabled;
    let result = test_delivery(state, &tenant, endpoint_id, "retry from Tools > Issues".into(), false)
        .await
        .map_err(|e| e.body().error.message)?;
    if !result.attempt.ok {
        return Err(result.attempt.error.unwrap_or_else(|| "The endpoint did not accept the test event.".into()));
    }
    if was_disabled {
        let enable = EndpointChange { enabled: Some(true), ..Default::default() };
        update(state, &tenant, endpoint_id, enable).await.map_err(|e| e.to_string())?;
    }
    let since = state.now_ms().saturating_sub(7 * 24 * 3600 * 1000);
    let batch = super::log::retry_failed_since(state, &tenant, since, Some(endpoint_id), "Tools > Issues retry", false)
        .await
        .map_err(|e| e.to_string())?;
    for kind in [WebhookIssue::EndpointFailing, WebhookIssue::EndpointDisabled] {
        let done = Resolution::automatic("a test event arrived");
        let _ = issues::clear(state, &tenant, Key::new(kind, endpoint_id), done).await;
    }
    Ok(format!(
        "the endpoint accepted a test event (HTTP {}){}; {} failed deliveries are being sent again",
        result.attempt.status_code.unwrap_or(200),
        if was_disabled { " and is turned on again" } else { "" },
        batch.total
    ))
}
