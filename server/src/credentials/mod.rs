//! Credentials: secrets Sluice must send to other systems (FTP passwords, API keys, tokens),
//! sealed at rest with XChaCha20-Poly1305 and never answered to the browser.
//!
//! The key is `SLUICE_MASTER_KEY` (64 hex characters or base64 of 32 bytes) or, when that is
//! unset, `<data-dir>/master.key`, created on first use readable by the owner only. Each sealed
//! value is bound to its tenant and id, so a row copied elsewhere does not open.

pub mod keyring;

pub use keyring::{Keyring, KEY_ENV, KEY_FILE};

use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::state::AppState;
use crate::store::credentials as store;

fn aad(tenant_id: &str, id: &str) -> String {
    format!("{tenant_id}/{id}")
}

/// Seals `secret` as a new credential of `owner` (e.g. `distributor:dst_…`); answers its id.
pub async fn put(state: &AppState, tenant_id: &str, owner: &str, secret: &str) -> AppResult<String> {
    let id = new_id("cred");
    let (nonce, sealed) = state.credentials.seal(&aad(tenant_id, &id), secret)?;
    let row = store::NewCredential {
        id: id.clone(),
        tenant_id: tenant_id.to_string(),
        owner: owner.to_string(),
        nonce,
        sealed,
        set_at: state.now_ms(),
    };
    state.store.call(move |c| store::insert(c, &row)).await?;
    Ok(id)
}

/// Replaces the secret of an existing credential (rotation), keeping its id.
pub async fn replace(state: &AppState, tenant_id: &str, id: &str, secret: &str) -> AppResult<()> {
    let (nonce, sealed) = state.credentials.seal(&aad(tenant_id, id), secret)?;
    let (tenant, id, now) = (tenant_id.to_string(), id.to_string(), state.now_ms());
    state.store.call(move |c| store::replace(c, &tenant, &id, &nonce, &sealed, now)).await
}

/// The secret itself, for the server's own outbound calls only.
pub async fn reveal(state: &AppState, tenant_id: &str, id: &str) -> AppResult<String> {
    let (tenant, cid) = (tenant_id.to_string(), id.to_string());
    let row = state.store.call(move |c| store::get(c, &tenant, &cid)).await?.ok_or(AppError::NotFound("credential"))?;
    state.credentials.open(&aad(tenant_id, id), &row.nonce, &row.sealed)
}

/// When the secret was last set (all the API ever says about it).
pub async fn set_at(state: &AppState, tenant_id: &str, id: &str) -> AppResult<Option<u64>> {
    let (tenant, id) = (tenant_id.to_string(), id.to_string());
    Ok(state.store.call(move |c| store::get(c, &tenant, &id)).await?.map(|r| r.set_at))
}

pub async fn delete(state: &AppState, tenant_id: &str, id: &str) -> AppResult<()> {
    let (tenant, id) = (tenant_id.to_string(), id.to_string());
    state.store.call(move |c| store::delete(c, &tenant, &id)).await
}
