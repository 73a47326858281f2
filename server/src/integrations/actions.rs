//! The admin's credential actions — save (test first), Test connection, remove — which report
//! to Tools > Issues (`health`) and start or stop the syncs (`syncs`) as well.

use super::connectors::Session;
use super::credentials::{credential_info, fields, forget_session, keep_session, not_configured, owner, row, run_test};
use super::{health, notify};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::integrations as store;
use sluice_contract::integrations::{CredentialInput, FieldKind, Provider, SaveCredentialResult, TestResult};
use std::collections::BTreeMap;

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
