//! The delivery worker: fans events out, claims due deliveries with a lease, sends each one
//! signed, and records the outcome in batches. Crash-safe by construction: a delivery is only
//! done once its completion is committed; until then its lease runs out and it goes again
//! with the same `webhook-id` (at-least-once).

use super::send::{describe_status, payload, send};
use super::{signing, WebhookIssue, MAX_IN_FLIGHT, MAX_PER_ENDPOINT};
use crate::clock::rfc3339;
use crate::error::AppResult;
use crate::issues;
use crate::issues::{Key, Resolution};
use crate::state::AppState;
use crate::store::webhooks::{self as store, queue::AttemptRecord, queue::Claimed};
use rusqlite::TransactionBehavior;
use sluice_contract::webhooks::{Attempt, CustomHeader, WebhookSettings};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// How long a claim holds a delivery: the longest attempt allowed plus room to record it.
pub const CLAIM_LEASE_MS: u64 = 90_000;
/// How often the worker looks for deliveries that became due (retries) without being woken.
const POLL: Duration = Duration::from_millis(250);
/// Events fanned out per transaction.
const DISPATCH_BATCH: u32 = 500;
/// A receiver's `Retry-After` is honoured up to this.
const MAX_RETRY_AFTER_MS: u64 = 24 * 3600 * 1000;

pub fn lease_ms(settings: &WebhookSettings) -> u64 {
    settings.timeout_secs * 1000 + 30_000
}

/// What happens to a delivery after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    Succeeded,
    RetryAt(u64),
    /// Every scheduled attempt failed.
    GiveUp,
    /// The receiver said 410 Gone: the endpoint is turned off.
    Disable(String),
}

/// The retry policy, pure: `attempts` counts this one.
pub fn decide(
    ok: bool,
    status: Option<u16>,
    retry_after_ms: Option<u64>,
    attempts: u32,
    schedule: &[u64],
    now: u64,
) -> Next {
    if ok {
        return Next::Succeeded;
    }
    if status == Some(410) {
        return Next::Disable("it answered 410 Gone".into());
    }
    let Some(&wait_secs) = schedule.get(attempts.saturating_sub(1) as usize) else { return Next::GiveUp };
    let mut wait = wait_secs * 1000;
    if matches!(status, Some(429) | Some(503)) {
        if let Some(asked) = retry_after_ms {
            wait = wait.max(asked.min(MAX_RETRY_AFTER_MS));
        }
    }
    Next::RetryAt(now + wait)
}

/// One finished attempt on its way to the store.
struct Finished {
    tenant_id: String,
    url: String,
    record: AttemptRecord,
    next: Next,
    /// Counted in the worker's in-flight map (test sends are not).
    counted: bool,
    was_failing: bool,
}

/// Runs until shutdown: fan out, claim, send, record.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let (done_tx, done_rx) = mpsc::unbounded_channel::<Finished>();
        let writer = tokio::spawn(record_loop(state.clone(), done_rx));
        let mut stopping = state.shutting_down.subscribe();
        match state.store.call(|c| store::queue::release_all_leases(c)).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deliveries = n, "resuming webhook deliveries claimed before the last stop"),
            Err(e) => tracing::warn!(error = %e, "could not release old webhook leases"),
        }
        loop {
            if *stopping.borrow() {
                break;
            }
            let busy = match step(&state, &done_tx).await {
                Ok(busy) => busy,
                Err(e) => {
                    tracing::warn!(error = %e, "webhook worker step failed");
                    false
                }
            };
            if !busy {
                tokio::select! {
                    _ = super::Webhooks::of(&state).wake.notified() => {}
                    _ = tokio::time::sleep(POLL) => {}
                    _ = stopping.changed() => {}
                }
            }
        }
        drop(done_tx);
        let _ = writer.await;
    })
}

/// One round; `true` when there may be more to do at once.
async fn step(state: &AppState, done: &mpsc::UnboundedSender<Finished>) -> AppResult<bool> {
    let now = state.now_ms();
    let created = state.store.call(move |c| store::queue::dispatch(c, now, DISPATCH_BATCH)).await?;
    let dispatched = created.iter().map(|(_, ids)| ids.len()).sum::<usize>();
    for (tenant_id, delivery_ids) in created {
        super::notify_changed(state, &tenant_id, delivery_ids, Vec::new());
    }
    let (room, snapshot) = {
        let in_flight = super::Webhooks::of(state).in_flight();
        (MAX_IN_FLIGHT.saturating_sub(in_flight.values().sum()), in_flight.clone())
    };
    if room == 0 {
        return Ok(false);
    }
    let claimed = state
        .store
        .call(move |c| store::queue::claim_due(c, now, now + CLAIM_LEASE_MS, room, MAX_PER_ENDPOINT, &snapshot))
        .await?;
    let full = claimed.len() == room;
    let mut policies: HashMap<String, WebhookSettings> = HashMap::new();
    for c in claimed {
        if !policies.contains_key(&c.tenant_id) {
            policies.insert(c.tenant_id.clone(), super::settings(state, &c.tenant_id).await?);
        }
        let policy = policies[&c.tenant_id].clone();
        *super::Webhooks::of(state).in_flight().entry(c.endpoint_id.clone()).or_default() += 1;
        let (state, done) = (state.clone(), done.clone());
        tokio::spawn(async move {
            let finished = attempt(&state, c, &policy, true).await;
            let _ = done.send(finished);
        });
    }
    Ok(full || dispatched as u32 == DISPATCH_BATCH)
}

/// Writes finished attempts in batches (one transaction each), then raises or clears issues.
async fn record_loop(state: AppState, mut done: mpsc::UnboundedReceiver<Finished>) {
    let mut batch = Vec::new();
    while done.recv_many(&mut batch, 256).await > 0 {
        let finished = std::mem::take(&mut batch);
        if let Err(e) = record(&state, finished).await {
            // The leases run out and the deliveries go again: at-least-once, nothing lost.
            tracing::error!(error = %e, "could not record webhook attempts");
        }
        super::Webhooks::of(&state).wake.notify_one();
    }
}

/// Sends one delivery now, outside the worker (test events), and records it.
pub async fn send_now(state: &AppState, c: Claimed, policy: &WebhookSettings) -> AppResult<Attempt> {
    let finished = attempt(state, c, policy, false).await;
    let r = &finished.record;
    let shown = Attempt {
        number: r.number,
        at: rfc3339(r.at),
        duration_ms: r.duration_ms,
        ok: r.ok,
        status_code: r.status_code,
        response_headers: serde_json::from_str(&r.response_headers).unwrap_or_default(),
        response_body: r.response_body.clone(),
        error: r.error.clone(),
        trigger: r.trigger.clone(),
    };
    record(state, vec![finished]).await?;
    Ok(shown)
}

async fn record(state: &AppState, finished: Vec<Finished>) -> AppResult<()> {
    let rows: Vec<(AttemptRecord, Next)> = finished.iter().map(|f| (f.record.clone(), f.next.clone())).collect();
    state
        .store
        .call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for (record, next) in &rows {
                match next {
                    Next::Succeeded | Next::GiveUp => store::queue::complete(&tx, record)?,
                    Next::RetryAt(at) => store::queue::reschedule(&tx, record, *at)?,
                    Next::Disable(reason) => {
                        store::queue::complete(&tx, record)?;
                        store::queue::disable_endpoint(&tx, &record.endpoint_id, reason)?;
                    }
                }
            }
            tx.commit()?;
            Ok(())
        })
        .await?;
    {
        let mut in_flight = super::Webhooks::of(state).in_flight();
        for f in finished.iter().filter(|f| f.counted) {
            if let Some(n) = in_flight.get_mut(&f.record.endpoint_id) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    in_flight.remove(&f.record.endpoint_id);
                }
            }
        }
    }
    after_record(state, &finished).await
}

/// Issues and notices for a recorded batch.
async fn after_record(state: &AppState, finished: &[Finished]) -> AppResult<()> {
    let mut notices: BTreeMap<&str, (Vec<String>, BTreeSet<String>)> = BTreeMap::new();
    let mut recovered: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
    let mut failing: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
    for f in finished {
        let entry = notices.entry(&f.tenant_id).or_default();
        entry.0.push(f.record.delivery_id.clone());
        entry.1.insert(f.record.endpoint_id.clone());
        let key = f.record.endpoint_id.as_str();
        let error = f.record.error.as_deref().unwrap_or("failed");
        match &f.next {
            Next::Succeeded if f.was_failing => {
                recovered.insert(key, (&f.tenant_id, &f.url));
            }
            Next::Succeeded => {}
            Next::GiveUp => {
                let message = format!(
                    "Delivery {} of {} failed all {} attempts; the last: {error}",
                    f.record.delivery_id, f.record.endpoint_id, f.record.number
                );
                issues::raise(
                    state,
                    &f.tenant_id,
                    super::issue_report(WebhookIssue::EndpointFailing, key, &f.url, message),
                )
                .await?;
                failing.insert(key, (&f.tenant_id, &f.url));
            }
            Next::Disable(reason) => {
                let message =
                    format!("Sluice stopped sending to it because {reason}. Turn it on again once it is fixed.");
                issues::raise(
                    state,
                    &f.tenant_id,
                    super::issue_report(WebhookIssue::EndpointDisabled, key, &f.url, message),
                )
                .await?;
            }
            Next::RetryAt(_) => {
                failing.insert(key, (&f.tenant_id, &f.url));
            }
        }
    }
    for (endpoint, (tenant, _)) in &recovered {
        if !failing.contains_key(endpoint) {
            let key = Key::new(WebhookIssue::EndpointFailing, endpoint.to_string());
            issues::clear(state, tenant, key, Resolution::automatic("a delivery to it succeeded")).await?;
        }
    }
    for (endpoint, (tenant, url)) in failing {
        disable_if_failing_too_long(state, tenant, endpoint, url).await?;
    }
    for (tenant, (delivery_ids, endpoints)) in notices {
        let endpoint_ids = endpoints.into_iter().collect();
        super::notify_changed(state, tenant, delivery_ids, endpoint_ids);
    }
    Ok(())
}

/// An endpoint that has failed without one success for the tenant's `disableAfterHours` is
/// turned off, and Tools > Issues says so with the last error.
async fn disable_if_failing_too_long(state: &AppState, tenant_id: &str, endpoint_id: &str, url: &str) -> AppResult<()> {
    let policy = super::settings(state, tenant_id).await?;
    let now = state.now_ms();
    let cutoff = now.saturating_sub(policy.disable_after_hours * 3600 * 1000);
    let (tenant, id) = (tenant_id.to_string(), endpoint_id.to_string());
    let reason = format!("it failed for {} hours without a single success", policy.disable_after_hours);
    let stored_reason = reason.clone();
    let last_error = state
        .store
        .call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let Some(row) = store::endpoint(&tx, &tenant, &id)? else { return Ok(None) };
            let too_long = row.failing_since.is_some_and(|since| since <= cutoff);
            if row.status != sluice_contract::webhooks::EndpointStatus::Active || !too_long {
                return Ok(None);
            }
            store::queue::disable_endpoint(&tx, &id, &stored_reason)?;
            let last = store::queue::last_error(&tx, &id)?;
            tx.commit()?;
            Ok(Some(last.unwrap_or_default()))
        })
        .await?;
    if let Some(last_error) = last_error {
        let message = format!("Sluice stopped sending to it because {reason}. The last error: {last_error}");
        issues::raise(state, tenant_id, super::issue_report(WebhookIssue::EndpointDisabled, endpoint_id, url, message))
            .await?;
    }
    Ok(())
}

/// Sends one delivery and judges the answer.
async fn attempt(state: &AppState, c: Claimed, policy: &WebhookSettings, counted: bool) -> Finished {
    let number = c.attempts + 1;
    let now = state.now_ms();
    let body = payload(&c);
    let secrets: Vec<String> = {
        let (id, now) = (c.endpoint_id.clone(), now);
        let sealed = state.store.call(move |conn| store::live_secrets(conn, &id, now)).await.unwrap_or_default();
        let aad = signing::secret_aad(&c.endpoint_id);
        sealed.iter().filter_map(|s| state.credentials.open_text(&aad, s)).collect()
    };
    let timestamp = now / 1000;
    let signature = signing::signature_header(&secrets, &c.event_id, timestamp, &body);
    let custom: Vec<CustomHeader> = serde_json::from_str(&c.custom_headers).unwrap_or_default();
    let timeout = Duration::from_secs(policy.timeout_secs);
    let started = Instant::now();
    let outcome = send(state, &c.url, &c.event_id, timestamp, &signature, &custom, body, timeout).await;
    let duration_ms = started.elapsed().as_millis() as u64;
    let (ok, status_code, headers, response_body, error, retry_after) = match outcome {
        Ok(r) => {
            let ok = (200..300).contains(&r.status);
            let error = (!ok).then(|| describe_status(r.status));
            (ok, Some(r.status), r.headers, r.body, error, r.retry_after_ms)
        }
        Err(e) => (false, None, Vec::new(), None, Some(e), None),
    };
    let next = decide(ok, status_code, retry_after, number, &policy.retry_schedule_secs, now);
    let record = AttemptRecord {
        delivery_id: c.delivery_id,
        endpoint_id: c.endpoint_id,
        number,
        at: now,
        duration_ms,
        ok,
        status_code,
        response_headers: serde_json::to_string(&headers).unwrap_or_else(|_| "[]".into()),
        response_body,
        error,
        trigger: c.trigger,
    };
    Finished { tenant_id: c.tenant_id, url: c.url, record, next, counted, was_failing: c.failing_since.is_some() }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEDULE: [u64; 3] = [2, 30, 120];

    #[test]
    fn retries_follow_the_schedule_then_give_up() {
        assert_eq!(decide(true, Some(200), None, 1, &SCHEDULE, 0), Next::Succeeded);
        assert_eq!(decide(false, Some(500), None, 1, &SCHEDULE, 1000), Next::RetryAt(3000));
        assert_eq!(decide(false, None, None, 2, &SCHEDULE, 0), Next::RetryAt(30_000));
        assert_eq!(decide(false, Some(500), None, 3, &SCHEDULE, 0), Next::RetryAt(120_000));
        assert_eq!(decide(false, Some(500), None, 4, &SCHEDULE, 0), Next::GiveUp);
    }

    #[test]
    fn retry_after_is_a_floor_for_429_and_503_only() {
        assert_eq!(decide(false, Some(429), Some(60_000), 1, &SCHEDULE, 0), Next::RetryAt(60_000));
        assert_eq!(decide(false, Some(503), Some(500), 1, &SCHEDULE, 0), Next::RetryAt(2_000));
        assert_eq!(decide(false, Some(500), Some(60_000), 1, &SCHEDULE, 0), Next::RetryAt(2_000));
        assert_eq!(decide(false, Some(429), Some(u64::MAX), 1, &SCHEDULE, 0), Next::RetryAt(MAX_RETRY_AFTER_MS));
    }

    #[test]
    fn gone_disables() {
        assert!(matches!(decide(false, Some(410), None, 1, &SCHEDULE, 0), Next::Disable(_)));
    }
}
