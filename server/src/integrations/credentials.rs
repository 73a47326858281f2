//! Credentials of an integration: sealed with the master key (`crate::credentials`), never
//! answered; a new one is tested before it replaces the old one unless the admin saves anyway.

use super::client::CallCx;
use super::connectors::{self, ProviderError, Session};
use super::{health, notify};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::integrations::{self as store, IntegrationRow};
use sluice_contract::integrations::{
    secret_hint, CredentialFieldInfo, CredentialInfo, CredentialInput, FieldKind, Provider, SaveCredentialResult,
    TestResult,
};
use std::collections::BTreeMap;
use std::sync::atomic::AtomicU32;

fn owner(provider: Provider) -> String {
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
    if let Some(s) = crate::integrations::Integrations::of(state).sessions().get(&(tenant.to_string(), provider)) {
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
        let mut sessions = crate::integrations::Integrations::of(state).sessions();
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
    crate::integrations::Integrations::of(state).sessions().remove(&(tenant.to_string(), provider));
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
    crate::integrations::Integrations::of(state).outbound.flush(state).await;
    out
}

/// `PUT .../credentials`: validate, test the new credential, then (and only then) replace.
pub async fn save(
    state: &AppState,
    tenant: &str,
    provider: Provider,
    input: CredentialInput,
) -> AppResult<SaveCredentialResult> {
    let existing = row(state, tenant, provider).await?;
    let stored = match &existing {
        Some(r) => fields(state, r).await?.unwrap_or_default(),
        None => BTreeMap::new(),
    };
    input.validate(provider, |name| stored.get(name).is_some_and(|v| !v.is_empty()))?;
    let schema = provider.credential_schema();
    let mut merged = stored.clone();
    for f in &schema.fields {
        match input.fields.get(&f.name).map(|v| v.trim().to_string()) {
            Some(v) if !v.is_empty() => {
                merged.insert(f.name.clone(), v);
            }
            // An empty secret keeps the stored one; an empty plain field clears it.
            Some(_) if !f.secret => {
                merged.remove(&f.name);
            }
            _ => {}
        }
        if f.kind == FieldKind::Url {
            if let Some(url) = merged.get(&f.name) {
                state
                    .targets
                    .check_url(url)
                    .await
                    .map_err(|why| AppError::field(&format!("fields.{}", f.name), why))?;
            }
        }
    }
    let mut session = Session::new(merged.clone());
    let (test, error) = run_test(state, tenant, provider, &mut session).await;
    if !test.ok && !input.save_anyway {
        let current = match &existing {
            Some(r) => credential_info(state, provider, r).await?,
            None => None,
        };
        return Ok(SaveCredentialResult { saved: false, test, credential: current });
    }
    let secret = serde_json::to_string(&merged).map_err(AppError::internal)?;
    let credential_id = match existing.as_ref().and_then(|r| r.credential_id.clone()) {
        Some(id) => {
            crate::credentials::replace(state, tenant, &id, &secret).await?;
            id
        }
        None => crate::credentials::put(state, tenant, &owner(provider), &secret).await?,
    };
    let (t, expires_at) = (tenant.to_string(), input.expires_at());
    let cid = credential_id.clone();
    state.store.call(move |c| store::set_credential(c, &t, provider.as_str(), Some(&cid), expires_at)).await?;
    super::syncs::ensure_rows(state, tenant, provider).await?;
    keep_session(state, tenant, provider, session.clone()).await;
    health::after_test(state, tenant, provider, error.as_ref(), &session, "the new credential passed its test").await;
    health::check_expiry(state, tenant, provider).await;
    notify(state, tenant, provider);
    let row = row(state, tenant, provider).await?.ok_or_else(|| AppError::internal("integration row vanished"))?;
    let credential = credential_info(state, provider, &row).await?;
    Ok(SaveCredentialResult { saved: true, test, credential })
}

/// `POST .../test`: the saved credential, from scratch (a fresh token grant).
pub async fn test_saved(state: &AppState, tenant: &str, provider: Provider) -> AppResult<TestResult> {
    let r = row(state, tenant, provider).await?.ok_or_else(|| not_configured(provider))?;
    let f = fields(state, &r).await?.ok_or_else(|| not_configured(provider))?;
    let mut session = Session::new(f);
    let (test, error) = run_test(state, tenant, provider, &mut session).await;
    keep_session(state, tenant, provider, session.clone()).await;
    health::after_test(state, tenant, provider, error.as_ref(), &session, "Test connection passed").await;
    notify(state, tenant, provider);
    Ok(test)
}

/// `DELETE .../credentials`: back to Not configured; runs stop, its issues close.
pub async fn remove(state: &AppState, tenant: &str, provider: Provider) -> AppResult<()> {
    let Some(r) = row(state, tenant, provider).await? else { return Ok(()) };
    super::syncs::stop_all(state, tenant, provider);
    if let Some(id) = &r.credential_id {
        crate::credentials::delete(state, tenant, id).await?;
    }
    let t = tenant.to_string();
    state.store.call(move |c| store::set_credential(c, &t, provider.as_str(), None, None)).await?;
    forget_session(state, tenant, provider);
    health::clear_all(state, tenant, provider, "the credentials were removed").await;
    notify(state, tenant, provider);
    Ok(())
}
