//! `--demo`: the four fake providers on loopback (exempted from the SSRF guard for their exact
//! addresses only), configured for the demo tenant through the same code paths an admin's form
//! uses — credentials saved after a passing test, cadences saved through the projection. No row
//! is inserted by hand: records arrive by sync.
//!
//! The story it tells: Apollo.io's key expires in 2 days; Autotask's usage climbs toward 80% of
//! its 10,000 calls an hour over the first hour, driven by the demo's own product catalogue
//! sync (a big catalogue every minute), which the usage issue names as the top caller.

use super::{actions, syncs};
use crate::error::{AppError, AppResult};
use crate::fakes::{apollo, autotask, hubspot, salesforce};
use crate::state::AppState;
use serde_json::json;
use sluice_contract::integrations::{CredentialInput, Provider, SyncPatch};
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

/// Catalogue and company counts: 120 + 30 calls a run; at 1 and 2 minutes, ~82% of 10,000/h.
pub const AUTOTASK_RECORDS: u64 = 60_000;
pub const AUTOTASK_COMPANIES: u64 = 15_000;
pub const CRM_RECORDS: u64 = 2_500;

fn input(fields: serde_json::Value, expires_on: Option<String>) -> CredentialInput {
    let fields: BTreeMap<String, String> = serde_json::from_value(fields).unwrap_or_default();
    CredentialInput { fields, expires_on, save_anyway: false }
}

/// Starts the fakes, saves the four credentials and cadences, and starts a first run of each.
pub async fn start(state: &AppState, tenant_id: &str) -> AppResult<()> {
    let at = autotask::start(AUTOTASK_RECORDS).await.map_err(AppError::internal)?;
    at.state.set_companies(AUTOTASK_COMPANIES);
    let hs = hubspot::start(CRM_RECORDS).await.map_err(AppError::internal)?;
    let sf = salesforce::start(CRM_RECORDS).await.map_err(AppError::internal)?;
    let ap = apollo::start().await.map_err(AppError::internal)?;
    // A bigger Apollo.io plan than the fake's default, so one enrichment run gets through the
    // demo's 15,000 companies (1,500 calls) within its windows.
    ap.state.minute_limit.store(1_000, Ordering::SeqCst);
    ap.state.hourly_limit.store(20_000, Ordering::SeqCst);
    ap.state.daily_limit.store(100_000, Ordering::SeqCst);
    for addr in [at.addr, hs.addr, sf.addr, ap.addr] {
        state.targets.exempt(addr);
    }
    let in_two_days = crate::clock::rfc3339(state.now_ms() + 2 * 86_400_000)[..10].to_string();
    let configs = [
        (
            Provider::Autotask,
            input(
                json!({ "username": autotask::USERNAME, "secret": autotask::SECRET,
                        "integrationCode": autotask::INTEGRATION_CODE,
                        "baseUrl": format!("{}/atservicesrest", at.base_url()) }),
                None,
            ),
            vec![("companies", 2), ("products", 1)],
        ),
        (
            Provider::Hubspot,
            input(
                json!({ "clientId": hubspot::CLIENT_ID, "clientSecret": hubspot::CLIENT_SECRET,
                        "refreshToken": hubspot::REFRESH_TOKEN, "baseUrl": hs.base_url() }),
                None,
            ),
            vec![("companies", 15), ("contacts", 30)],
        ),
        (
            Provider::Salesforce,
            input(
                json!({ "clientId": salesforce::CLIENT_ID, "clientSecret": salesforce::CLIENT_SECRET,
                        "refreshToken": salesforce::REFRESH_TOKEN, "loginUrl": sf.base_url() }),
                None,
            ),
            vec![("accounts", 30)],
        ),
        (
            Provider::Apollo,
            input(json!({ "apiKey": apollo::API_KEY, "baseUrl": ap.base_url() }), Some(in_two_days)),
            vec![("enrichment", 60)],
        ),
    ];
    for (provider, creds, cadences) in configs {
        let saved = actions::save(state, tenant_id, provider, creds).await?;
        if !saved.saved {
            tracing::warn!(
                provider = provider.as_str(),
                "the demo's {} credentials did not pass their test",
                provider.name()
            );
            continue;
        }
        for (sync, minutes) in cadences {
            let patch = SyncPatch { cadence_minutes: Some(minutes), paused: Some(false), confirm_over_limit: false };
            syncs::patch(state, tenant_id, provider, sync, patch).await?;
            if provider != Provider::Apollo {
                let _ = syncs::start(state, tenant_id, provider, sync).await;
            }
        }
    }
    // Enrichment needs the CRMs' companies first; its schedule takes it from there.
    let (s, t) = (state.clone(), tenant_id.to_string());
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_secs(20)).await;
        let _ = syncs::start(&s, &t, Provider::Apollo, "enrichment").await;
    });
    tracing::info!(autotask = %at.addr, hubspot = %hs.addr, salesforce = %sf.addr, apollo = %ap.addr, "demo providers serving");
    // The fakes live as long as the demo server.
    Box::leak(Box::new((at, hs, sf, ap)));
    Ok(())
}
