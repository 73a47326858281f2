//! What the API answers: the list's summaries (status badge, last call, usage) and the detail
//! (credential info without secrets, syncs, calls per hour over 7 days, the top caller).

use super::{credentials, health, notify, syncs};
use crate::error::AppResult;
use crate::state::AppState;
use crate::store::integrations::{self as store, IntegrationRow};
use sluice_contract::integrations::{
    IntegrationDetail, IntegrationIssue, IntegrationStatus, IntegrationSummary, Provider, SyncRun, UsageMeter,
    UsageSource, UsageWindow, RECENT_RUNS,
};
use sluice_contract::issues::{Area, IssueBrief, IssueQuery};

const HOURS: u64 = 168;

/// The badge. An open expiry warning shows as Expiring, any other open issue as Needs attention.
pub fn status(row: Option<&IntegrationRow>, open_issues: &[String], now: u64) -> (IntegrationStatus, Option<i64>) {
    let Some(row) = row.filter(|r| r.credential_id.is_some()) else {
        return (IntegrationStatus::NotConfigured, None);
    };
    let days = row.expires_at.map(|at| health::days_left(at, now));
    let status = if !row.enabled {
        IntegrationStatus::Disabled
    } else if row.expires_at.is_some_and(|at| now >= at) {
        IntegrationStatus::CredentialExpired
    } else if open_issues.iter().any(|k| k != IntegrationIssue::CredentialExpiring.as_str())
        || row.last_error_at.is_some_and(|e| e >= row.last_success_at.unwrap_or(0))
    {
        IntegrationStatus::NeedsAttention
    } else if days.is_some_and(|d| d <= 14) {
        IntegrationStatus::Expiring
    } else {
        IntegrationStatus::Connected
    };
    (status, days)
}

/// The provider's meter, or Sluice's own count over the window when the provider reports none.
async fn usage(state: &AppState, row: &IntegrationRow, provider: Provider) -> Option<UsageMeter> {
    if let Some(m) = row.usage.as_deref().and_then(|u| serde_json::from_str::<UsageMeter>(u).ok()) {
        return Some(m);
    }
    row.credential_id.as_ref()?;
    let (limit, window) = provider.default_limit();
    let now = state.now_ms();
    let hours = if window == UsageWindow::Rolling60m { 1 } else { 24 };
    let (t, since) = (row.tenant_id.clone(), (now / 3_600_000).saturating_sub(hours - 1));
    let rows = state.store.call(move |c| store::calls_since(c, &t, provider.as_str(), since)).await.ok()?;
    let used = rows.iter().map(|(_, _, n)| n).sum();
    Some(UsageMeter { used, limit, window, resets_at: None, source: UsageSource::Sluice, fetched_at: now })
}

pub async fn summary(state: &AppState, tenant: &str, provider: Provider) -> AppResult<IntegrationSummary> {
    let row = credentials::row(state, tenant, provider).await?;
    let t = tenant.to_string();
    let open_issues = state.store.call(move |c| store::open_issues(c, &t, provider.as_str())).await?;
    let (status, expires_in_days) = status(row.as_ref(), &open_issues, state.now_ms());
    let paused_syncs = match &row {
        Some(r) if r.credential_id.is_some() => {
            syncs::infos(state, tenant, provider).await?.iter().filter(|s| s.paused).count() as u32
        }
        _ => 0,
    };
    let usage = match &row {
        Some(r) => usage(state, r, provider).await,
        None => None,
    };
    Ok(IntegrationSummary {
        provider,
        name: provider.name().into(),
        category: provider.category(),
        status,
        status_label: status.label(expires_in_days),
        expires_in_days,
        enabled: row.as_ref().is_none_or(|r| r.enabled),
        last_success_at: row.as_ref().and_then(|r| r.last_success_at),
        last_error: row.as_ref().and_then(|r| r.last_error.clone()),
        last_error_at: row.as_ref().and_then(|r| r.last_error_at),
        usage,
        open_issues: open_issues.len() as u32,
        paused_syncs,
    })
}

pub async fn list(state: &AppState, tenant: &str) -> AppResult<Vec<IntegrationSummary>> {
    let mut out = Vec::with_capacity(4);
    for p in Provider::ALL {
        out.push(summary(state, tenant, p).await?);
    }
    Ok(out)
}

pub async fn detail(state: &AppState, tenant: &str, provider: Provider) -> AppResult<IntegrationDetail> {
    super::Integrations::of(state).outbound.flush(state).await;
    let summary = summary(state, tenant, provider).await?;
    let row = credentials::row(state, tenant, provider).await?;
    let credential = match &row {
        Some(r) => credentials::credential_info(state, provider, r).await?,
        None => None,
    };
    let now_hour = state.now_ms() / 3_600_000;
    let first = now_hour + 1 - HOURS;
    let t = tenant.to_string();
    let rows = state.store.call(move |c| store::calls_since(c, &t, provider.as_str(), first)).await?;
    let mut hourly_calls = vec![0u32; HOURS as usize];
    for (hour, _, n) in rows {
        if let Some(slot) = hour.checked_sub(first).and_then(|i| hourly_calls.get_mut(i as usize)) {
            *slot += n as u32;
        }
    }
    Ok(IntegrationDetail {
        summary,
        schema: provider.credential_schema(),
        credential,
        syncs: syncs::infos(state, tenant, provider).await?,
        hourly_calls,
        top_caller: health::top_caller(state, tenant, provider).await.map(|(_, name)| name),
        help: provider.help(),
        issues: open_issue_briefs(state, tenant, provider).await?,
        recent_runs: recent_runs(state, tenant, provider).await?,
    })
}

/// Its latest runs, newest first: the first page of `GET …/runs`.
async fn recent_runs(state: &AppState, tenant: &str, provider: Provider) -> AppResult<Vec<SyncRun>> {
    let t = tenant.to_string();
    state.store.call(move |c| store::runs::list(c, &t, provider.as_str(), None, None, RECENT_RUNS)).await
}

/// The integration's active issues as Tools › Issues lists them (filtered to its entity).
async fn open_issue_briefs(state: &AppState, tenant: &str, provider: Provider) -> AppResult<Vec<IssueBrief>> {
    let query = IssueQuery {
        area: Some(Area::Integrations.as_str().into()),
        entity: Some(provider.as_str().into()),
        limit: Some(20),
        ..IssueQuery::default()
    };
    let page = crate::issues::read::list(state, tenant, &query).await?;
    Ok(page.items.into_iter().map(IssueBrief::from).collect())
}

/// `PATCH /integrations/{provider}`: disabling stops its runs at once.
pub async fn set_enabled(
    state: &AppState,
    tenant: &str,
    provider: Provider,
    enabled: bool,
) -> AppResult<IntegrationSummary> {
    let t = tenant.to_string();
    state.store.call(move |c| store::set_enabled(c, &t, provider.as_str(), enabled)).await?;
    if !enabled {
        syncs::stop_all(state, tenant, provider);
    }
    notify(state, tenant, provider);
    summary(state, tenant, provider).await
}
