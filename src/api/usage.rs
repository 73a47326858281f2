//! `/api/v1/usage`: the tenant's calls against its rate limit.

use super::{encode_query_value, gate, send, ApiError, ApiRequest};
use sluice_contract::retry::RateLimitInfo;
use sluice_contract::usage::{UsageReport, UsageThresholds};

/// The report for `range` (`1h`, `24h`, `7d`); its window also updates the header meter.
pub async fn report(range: &str) -> Result<UsageReport, ApiError> {
    let path = format!("/usage?range={}", encode_query_value(range));
    let report: UsageReport = send(ApiRequest::get(path, "Load API usage")).await?;
    gate::note_rate_limit(RateLimitInfo {
        limit: report.window.limit,
        remaining: report.window.remaining,
        reset_secs: report.window.reset_secs,
    });
    Ok(report)
}

pub async fn thresholds() -> Result<UsageThresholds, ApiError> {
    send(ApiRequest::get("/usage/thresholds", "Load usage alert thresholds")).await
}

/// Saves the thresholds; the usage issue is judged again against them at once.
pub async fn set_thresholds(thresholds: &UsageThresholds, idempotency_key: &str) -> Result<UsageThresholds, ApiError> {
    send(ApiRequest::put("/usage/thresholds", thresholds, "Save usage alert thresholds").idempotent(idempotency_key))
        .await
}
