//! `/api/v1/api-keys`: the tenant's keys for programs.

use super::{encode_query_value, send, ApiError, ApiRequest};
use sluice_contract::api_keys::{ApiKey, CreateApiKey, CreatedApiKey};
use sluice_contract::Page;

pub async fn list() -> Result<Page<ApiKey>, ApiError> {
    send(ApiRequest::get("/api-keys?limit=200", "Load API keys")).await
}

/// Creates a key; the answer carries its secret, this once. `idempotency_key` is one per click.
pub async fn create(request: &CreateApiKey, idempotency_key: &str) -> Result<CreatedApiKey, ApiError> {
    send(ApiRequest::post("/api-keys", request, "Create API key").idempotent(idempotency_key)).await
}

/// Revokes a key at once; programs using it start getting 401.
pub async fn revoke(id: &str, idempotency_key: &str) -> Result<ApiKey, ApiError> {
    let path = format!("/api-keys/{}", encode_query_value(id));
    send(ApiRequest::delete(path, "Revoke API key").idempotent(idempotency_key)).await
}
