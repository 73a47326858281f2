//! What this area reports to Tools > Issues — auth failures, expiry (14 days, 3 days, expired),
//! usage at 70%/80% of the provider's limit, failed syncs — each cleared by the next success,
//! and its Retry handler (re-test, re-read usage, run the syncs again).

use super::client::Transport;
use super::connectors::{ProviderError, Session};
use super::credentials;
use crate::issues;
use crate::state::AppState;
use crate::store::integrations as store;
use sluice_contract::integrations::{
    credentials_link, syncs_of, IntegrationIssue, Provider, UsageMeter, USAGE_ALERT_PERCENT, USAGE_WARN_PERCENT,
};
use sluice_contract::issues::{EntityRef, Severity};
use sluice_contract::issues::{Key, Report};

const DAY_MS: u64 = 86_400_000;

fn entity(provider: Provider, link: String) -> EntityRef {
    EntityRef { kind: "integration".into(), id: provider.as_str().into(), name: provider.name().into(), link }
}

pub fn syncs_link(provider: Provider) -> String {
    format!("/integrations/{}/syncs", provider.as_str())
}

#[allow(clippy::too_many_arguments)]
async fn raise(
    state: &AppState,
    tenant: &str,
    provider: Provider,
    kind: IntegrationIssue,
    severity: Severity,
    title: String,
    message: String,
    link: String,
) {
    let report = Report { kind: kind.into(), entity: entity(provider, link), severity, title, message };
    if let Err(e) = issues::raise(state, tenant, report).await {
        tracing::warn!(error = %e, "could not raise an integration issue");
    }
}

pub async fn clear(state: &AppState, tenant: &str, provider: Provider, kind: IntegrationIssue, what: &str) {
    if let Err(e) =
        issues::clear(state, tenant, Key::new(kind, provider.as_str()), issues::Resolution::automatic(what)).await
    {
        tracing::warn!(error = %e, "could not clear an integration issue");
    }
}

pub async fn clear_all(state: &AppState, tenant: &str, provider: Provider, what: &str) {
    for &kind in IntegrationIssue::ALL {
        clear(state, tenant, provider, kind, what).await;
    }
}

/// After a call that succeeded or failed: the last error, and the auth issue raised or cleared.
pub async fn after_call(
    state: &AppState,
    tenant: &str,
    provider: Provider,
    error: Option<&ProviderError>,
    what_ok: &str,
) {
    let (t, now, text) = (tenant.to_string(), state.now_ms(), error.map(|e| e.to_string()));
    let stored = text.clone();
    let _ = state.store.call(move |c| store::record_outcome(c, &t, provider.as_str(), now, stored.as_deref())).await;
    match error {
        None => clear(state, tenant, provider, IntegrationIssue::AuthFailed, what_ok).await,
        Some(e) if e.is_auth() => {
            let title = format!("{} refused Sluice's credentials", provider.name());
            let message = e.to_string();
            raise(
                state,
                tenant,
                provider,
                IntegrationIssue::AuthFailed,
                Severity::Error,
                title,
                message,
                credentials_link(provider),
            )
            .await
        }
        Some(_) => {}
    }
}

/// After Test connection: the outcome, and the usage the test read on the way.
pub async fn after_test(
    state: &AppState,
    tenant: &str,
    provider: Provider,
    error: Option<&ProviderError>,
    session: &Session,
    what_ok: &str,
) {
    after_call(state, tenant, provider, error, what_ok).await;
    if let Some(meter) = &session.observed_usage {
        record_usage(state, tenant, provider, meter).await;
    }
}

/// The sync with the most calls in the current and previous hour: (id, name).
pub async fn top_caller(state: &AppState, tenant: &str, provider: Provider) -> Option<(String, String)> {
    super::Integrations::of(state).outbound.flush(state).await;
    let (t, since) = (tenant.to_string(), (state.now_ms() / 3_600_000).saturating_sub(1));
    let rows = state.store.call(move |c| store::calls_since(c, &t, provider.as_str(), since)).await.ok()?;
    let mut totals: Vec<(&'static str, &'static str, u64)> = syncs_of(provider)
        .iter()
        .map(|(id, name, _)| (*id, *name, rows.iter().filter(|(_, c, _)| c == id).map(|(_, _, n)| n).sum()))
        .collect();
    totals.sort_by_key(|t| std::cmp::Reverse(t.2));
    totals.first().filter(|t| t.2 > 0).map(|(id, name, _)| (id.to_string(), name.to_string()))
}

/// Keeps the meter and judges it: ≥70% warns, ≥80% alerts, below 70% clears.
pub async fn record_usage(state: &AppState, tenant: &str, provider: Provider, meter: &UsageMeter) {
    super::Integrations::of(state).usage_read(tenant, provider, state.now_ms());
    let json = serde_json::to_string(meter).unwrap_or_default();
    let t = tenant.to_string();
    let _ = state.store.call(move |c| store::set_usage(c, &t, provider.as_str(), &json)).await;
    let percent = meter.percent();
    if percent < USAGE_WARN_PERCENT {
        let what = format!("usage fell to {percent}%");
        clear(state, tenant, provider, IntegrationIssue::UsageThreshold, &what).await;
        return;
    }
    let severity = if percent >= USAGE_ALERT_PERCENT { Severity::Error } else { Severity::Warning };
    let title = format!("{} API usage at {percent}% of {}", provider.name(), meter.window.describe_limit(meter.limit));
    let message = match top_caller(state, tenant, provider).await {
        Some((_, name)) => format!("{title} — {} is the top caller.", name.to_lowercase()),
        None => format!("{title}."),
    };
    raise(state, tenant, provider, IntegrationIssue::UsageThreshold, severity, title, message, syncs_link(provider))
        .await;
}

/// After a sync run: its outcome kept, and the issue of its kind raised or cleared.
pub async fn after_run(state: &AppState, tenant: &str, provider: Provider, sync: &str, error: Option<&ProviderError>) {
    match error {
        None => {
            after_call(state, tenant, provider, None, "the next sync succeeded").await;
            clear(state, tenant, provider, IntegrationIssue::SyncFailed, "the next sync succeeded").await;
        }
        Some(e) if e.is_auth() => after_call(state, tenant, provider, Some(e), "").await,
        // Paused by the admin: not a failure to report.
        Some(ProviderError::Transport(Transport::Cancelled)) => {}
        // The provider's limit: the syncs wait for it (a 429 already set the time; Salesforce's
        // 403 REQUEST_LIMIT_EXCEEDED says none, and its rolling day frees calls within the hour).
        Some(ProviderError::RateLimited { retry_after_ms, .. }) => {
            let (t, until) = (tenant.to_string(), state.now_ms() + retry_after_ms.unwrap_or(3_600_000));
            let _ = state.store.call(move |c| store::set_paused_until(c, &t, provider.as_str(), until)).await;
        }
        Some(e) => {
            after_call(state, tenant, provider, Some(e), "").await;
            let name = syncs_of(provider).iter().find(|(id, _, _)| *id == sync).map_or(sync, |(_, name, _)| *name);
            let title = format!("{} {} failed", provider.name(), name.to_lowercase());
            let (kind, link) = (IntegrationIssue::SyncFailed, syncs_link(provider));
            raise(state, tenant, provider, kind, Severity::Error, title, e.to_string(), link).await;
        }
    }
}

/// Which expiry issue applies now: '', '14', '3' or 'expired'.
pub fn expiry_stage(expires_at: Option<u64>, now: u64) -> &'static str {
    match expires_at {
        None => "",
        Some(at) if now >= at => "expired",
        Some(at) if at - now <= 3 * DAY_MS => "3",
        Some(at) if at - now <= 14 * DAY_MS => "14",
        Some(_) => "",
    }
}

/// Days until `at`, rounded up (negative once past).
pub fn days_left(at: u64, now: u64) -> i64 {
    let diff = at as i64 - now as i64;
    if diff >= 0 {
        (diff as u64).div_ceil(DAY_MS) as i64
    } else {
        -((((-diff) as u64) / DAY_MS) as i64)
    }
}

/// Raises or clears the expiry issues when the stage changed (by `state.clock`).
pub async fn check_expiry(state: &AppState, tenant: &str, provider: Provider) {
    let Ok(Some(row)) = credentials::row(state, tenant, provider).await else { return };
    let now = state.now_ms();
    let stage = if row.credential_id.is_some() { expiry_stage(row.expires_at, now) } else { "" };
    if stage == row.expiry_stage {
        return;
    }
    let date = row.expires_at.map(|at| crate::clock::rfc3339(at)[..10].to_string()).unwrap_or_default();
    let link = credentials_link(provider);
    match stage {
        "" => {
            let what = "new credentials were saved";
            clear(state, tenant, provider, IntegrationIssue::CredentialExpiring, what).await;
            clear(state, tenant, provider, IntegrationIssue::CredentialExpired, what).await;
        }
        "expired" => {
            clear(state, tenant, provider, IntegrationIssue::CredentialExpiring, "they have now expired").await;
            let title = format!("{} credentials expired", provider.name());
            let message =
                format!("The {} credentials expired on {date}. Enter new ones to resume its syncs.", provider.name());
            raise(state, tenant, provider, IntegrationIssue::CredentialExpired, Severity::Error, title, message, link)
                .await;
        }
        _ => {
            let days = days_left(row.expires_at.unwrap_or(now), now);
            let severity = if stage == "3" { Severity::Error } else { Severity::Warning };
            let title =
                format!("{} credentials expire in {days} day{}", provider.name(), if days == 1 { "" } else { "s" });
            let message = format!("The {} credentials expire on {date}. Enter new ones before then.", provider.name());
            raise(state, tenant, provider, IntegrationIssue::CredentialExpiring, severity, title, message, link).await;
            clear(state, tenant, provider, IntegrationIssue::CredentialExpired, "new credentials were saved").await;
        }
    }
    let (t, s) = (tenant.to_string(), stage.to_string());
    let _ = state.store.call(move |c| store::set_expiry_stage(c, &t, provider.as_str(), &s)).await;
    super::notify(state, tenant, provider);
}
