//! Settings > API keys: create (secret shown once), list, revoke.

pub mod routes;

use crate::area::AreaDef;
use crate::error::{AppError, AppResult};
use crate::ids::{new_id, random_hex, secret_hash};
use crate::pagination::{fetch_limit, page, PageQuery};
use crate::state::AppState;
use crate::store::{api_keys, Store};
use sluice_contract::api_keys::{ApiKey, CreateApiKey, CreatedApiKey};
use sluice_contract::Page;

pub const AREA: AreaDef =
    AreaDef { name: "api_keys", setup: |_| Ok(()), routes: routes::routes, start: None, demo: None };

/// Every key starts with this, so leaked keys are recognisable by secret scanners.
pub const KEY_PREFIX: &str = "slk_";

/// Creates a key for `tenant_id`; the only time its secret exists outside a hash.
pub fn create_blocking(store: &Store, tenant_id: &str, req: &CreateApiKey, now: u64) -> AppResult<CreatedApiKey> {
    req.validate()?;
    let secret = format!("{KEY_PREFIX}{}", random_hex(24));
    let prefix = format!("{}…", &secret[..KEY_PREFIX.len() + 6]);
    let (id, hash, name) = (new_id("key"), secret_hash(&secret), req.name.trim().to_string());
    let key = store.call_blocking(|c| api_keys::insert(c, &id, tenant_id, &name, &prefix, &hash, now))?;
    Ok(CreatedApiKey { key, secret, secret_withheld: None })
}

pub async fn create(store: &Store, tenant_id: &str, req: CreateApiKey, now: u64) -> AppResult<CreatedApiKey> {
    let (store2, tenant_id) = (store.clone(), tenant_id.to_string());
    tokio::task::spawn_blocking(move || create_blocking(&store2, &tenant_id, &req, now))
        .await
        .map_err(AppError::internal)?
}

/// The tenant's keys, newest first (secrets are never listed).
pub async fn list(state: &AppState, tenant_id: &str, q: &PageQuery) -> AppResult<Page<ApiKey>> {
    let limit = q.limit()?;
    let before = q.cursor::<(i64, String)>()?;
    let tenant = tenant_id.to_string();
    let rows = state.store.call(move |c| api_keys::list(c, &tenant, fetch_limit(limit), before)).await?;
    Ok(page(rows, limit))
}

/// Stops a key at once; revoking twice is harmless.
pub async fn revoke(state: &AppState, tenant_id: &str, id: &str) -> AppResult<ApiKey> {
    let (tenant, id, now) = (tenant_id.to_string(), id.to_string(), state.now_ms());
    let key = state.store.call(move |c| api_keys::revoke(c, &tenant, &id, now)).await?;
    key.ok_or(AppError::NotFound("API key"))
}
