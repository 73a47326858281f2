//! Retry from Tools > Issues for this area: re-test the credentials, re-read usage, or run the
//! syncs again.

use super::{actions, health, syncs};
use crate::issues::Retried;
use crate::state::AppState;
use crate::store::integrations as store;
use sluice_contract::integrations::{IntegrationIssue, Provider, StepOutcome, USAGE_WARN_PERCENT};
use sluice_contract::issues::Issue;

/// Retry from Tools > Issues: re-test (credentials), re-read usage, or run the syncs again.
pub fn retry(state: AppState, issue: Issue) -> crate::area::BoxFuture<Retried> {
    Box::pin(async move {
        match retry_issue(&state, &issue).await {
            Ok(what) => Retried::Resolved { what },
            Err(error) => Retried::StillFailing { error },
        }
    })
}

async fn retry_issue(state: &AppState, issue: &Issue) -> Result<String, String> {
    let id = issue.id.clone();
    let tenant = state
        .store
        .call(move |c| store::issue_tenant(c, &id))
        .await
        .map_err(|e| e.to_string())?
        .ok_or("This issue no longer exists.")?;
    let provider = Provider::parse(&issue.entity.id).ok_or("This integration no longer exists.")?;
    match IntegrationIssue::parse(&issue.kind) {
        Some(IntegrationIssue::UsageThreshold) => retry_usage(state, &tenant, provider).await,
        Some(IntegrationIssue::SyncFailed) => retry_all(state, &tenant, provider).await,
        Some(IntegrationIssue::CredentialExpiring | IntegrationIssue::CredentialExpired) => {
            health::check_expiry(state, &tenant, provider).await;
            Err("The credentials still carry the same expiry date; enter new ones.".into())
        }
        _ => {
            let test = actions::test_saved(state, &tenant, provider).await.map_err(|e| e.body().error.message)?;
            match test.steps.iter().find(|s| s.outcome == StepOutcome::Failed) {
                None => Ok("Test connection passed".into()),
                Some(s) => Err(match &s.provider_error {
                    Some(p) => format!("{}: {p}", s.detail),
                    None => s.detail.clone(),
                }),
            }
        }
    }
}

async fn retry_usage(state: &AppState, tenant: &str, provider: Provider) -> Result<String, String> {
    let meter = syncs::refresh_usage(state, tenant, provider).await.ok_or("The provider did not report its usage.")?;
    if meter.percent() < USAGE_WARN_PERCENT {
        Ok(format!("usage is at {}%", meter.percent()))
    } else {
        Err(format!("Usage is still at {}% of {}.", meter.percent(), meter.window.describe_limit(meter.limit)))
    }
}

/// Retry of a failed sync from Tools > Issues: every active sync again, to the end.
pub async fn retry_all(state: &AppState, tenant: &str, provider: Provider) -> Result<String, String> {
    let infos = syncs::infos(state, tenant, provider).await.map_err(|e| e.body().error.message)?;
    let mut read = 0;
    for info in infos.iter().filter(|i| !i.paused) {
        let run = syncs::run_now(state, tenant, provider, &info.sync).await.map_err(|e| e.body().error.message)?;
        if let Some(error) = run.error {
            return Err(error);
        }
        read += run.records_read;
    }
    Ok(format!("the syncs read {read} records"))
}
