//! `/api/v1/usage`: the tenant's calls against its rate limit.

use super::{encode_query_value, send, ApiError, ApiRequest, CancelToken};
use sluice_contract::usage::{UsageReport, UsageThresholds};

/// The report for `range` (`1h`, `24h`, `7d`). Its `window` is the tenant's Public API window,
/// not the console's own, so it does not feed the gate (the response headers do).
pub async fn report(range: &str, cancel: CancelToken) -> Result<UsageReport, ApiError> {
    let path = format!("/usage?range={}", encode_query_value(range));
    send(ApiRequest::get(path, "Load API usage").cancel_with(cancel)).await
}

pub async fn thresholds() -> Result<UsageThresholds, ApiError> {
    send(ApiRequest::get("/usage/thresholds", "Load usage alert thresholds")).await
}

/// Saves the thresholds; the usage issue is judged again against them at once.
pub async fn set_thresholds(thresholds: &UsageThresholds, idempotency_key: &str) -> Result<UsageThresholds, ApiError> {
    send(ApiRequest::put("/usage/thresholds", thresholds, "Save usage alert thresholds").idempotent(idempotency_key))
        .await
}
