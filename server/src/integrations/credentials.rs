//! Credentials of an integration: sealed with the master key (`crate::credentials`), never
//! answered; the sessions (tokens) in use, and Test connection on one. Saving, testing the saved
//! one and removing, which also judge health and start or stop syncs, are in `actions.rs`.

use super::client::CallCx;
use super::connectors::{self, ProviderError, Session};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::integrations::{self as store, IntegrationRow};
use sluice_contract::integrations::{
    secret_hint, CredentialFieldInfo, CredentialInfo, FieldKind, Provider, TestResult,
};
use std::collections::BTreeMap;
use std::sync::atomic::AtomicU32;

pub(super) fn owner(provider: Provider) -> String {
    format!("integration:{}", provider.as_str())
}

pub async fn row(state: &AppState, tenant: &str, provider: Provider) -> AppResult<Option<IntegrationRow>> {
    let tenant = tenant.to_string();
    state.store.call(move |c| store::get(c, &tenant, provider.as_str())).await
}

/// The stored fields, opened; `None` while not configured.
pub async fn fields(state: &AppState, row: &IntegrationRow) -> AppResult<Option<BTreeMap<String, String>>> {
    let Some(id) = &row.credential_id else { return Ok(None) };
    let json = crate::credentials::reveal(state, &row.tenant_id, id).await?;
    serde_json::from_str(&json).map(Some).map_err(AppError::internal)
}

/// The session in use (tokens kept between calls), or a new one from the stored fields.
pub async fn session(state: &AppState, tenant: &str, provider: Provider) -> AppResult<Session> {
    if let Some(s) = super::Integrations::of(state).sessions().get(&(tenant.to_string(), provider)) {
        return Ok(s.clone());
    }
    let row = row(state, tenant, provider).await?;
    let fields = match &row {
        Some(r) => fields(state, r).await?,
        None => None,
    };
    fields.map(Session::new).ok_or_else(|| not_configured(provider))
}

pub fn not_configured(provider: Provider) -> AppError {
    AppError::conflict("not_configured", format!("{} has no credentials yet: save them first.", provider.name()))
}

/// Keeps the session's tokens for the next call; records a new token expiry.
pub async fn keep_session(state: &AppState, tenant: &str, provider: Provider, session: Session) {
    let expiry = session.token_expires_at;
    let changed = {
        let mut sessions = super::Integrations::of(state).sessions();
        let key = (tenant.to_string(), provider);
        let changed = sessions.get(&key).map(|s| s.token_expires_at) != Some(expiry);
        sessions.insert(key, session);
        changed
    };
    if changed {
        let tenant = tenant.to_string();
        let _ = state.store.call(move |c| store::set_token_expiry(c, &tenant, provider.as_str(), expiry)).await;
    }
}

pub fn forget_session(state: &AppState, tenant: &str, provider: Provider) {
    super::Integrations::of(state).sessions().remove(&(tenant.to_string(), provider));
}

/// What the API may say about the saved credential: non-secret values, `…4f2a` hints.
pub fn info(
    provider: Provider,
    row: &IntegrationRow,
    fields: &BTreeMap<String, String>,
    set_at: u64,
) -> CredentialInfo {
    let fields = provider
        .credential_schema()
        .fields
        .into_iter()
        .filter_map(|f| {
            let value = fields.get(&f.name).filter(|v| !v.is_empty())?;
            Some(if f.kind == FieldKind::Secret {
                CredentialFieldInfo { name: f.name, value: None, hint: secret_hint(value) }
            } else {
                CredentialFieldInfo { name: f.name, value: Some(value.clone()), hint: None }
            })
        })
        .collect();
    CredentialInfo { set_at, fields, expires_at: row.expires_at, token_expires_at: row.token_expires_at }
}

pub async fn credential_info(
    state: &AppState,
    provider: Provider,
    row: &IntegrationRow,
) -> AppResult<Option<CredentialInfo>> {
    let (Some(id), Some(f)) = (&row.credential_id, fields(state, row).await?) else { return Ok(None) };
    let set_at = crate::credentials::set_at(state, &row.tenant_id, id).await?.unwrap_or(0);
    Ok(Some(info(provider, row, &f, set_at)))
}

/// Runs Test connection on `session` (its tokens are renewed on the way).
pub async fn run_test(
    state: &AppState,
    tenant: &str,
    provider: Provider,
    session: &mut Session,
) -> (TestResult, Option<ProviderError>) {
    let calls = AtomicU32::new(0);
    let cx = CallCx { state, tenant, provider, caller: "test", calls: &calls, cancel: None };
    let out = connectors::test(connectors::connector(provider), &cx, session).await;
    super::Integrations::of(state).outbound.flush(state).await;
    out
}
