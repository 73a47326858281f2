//! `/api/v1/usage`: the tenant's calls against its rate limit.

use super::{encode_query_value, gate, send, ApiError, ApiRequest};
use sluice_contract::retry::RateLimitInfo;
use sluice_contract::usage::UsageReport;

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
