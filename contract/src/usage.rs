//! API usage: the tenant's calls against its rate limit.

use crate::error::FieldErrors;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UsageThresholds {
    /// Percent of the window's limit that raises a warning issue.
    pub warning_percent: u32,
    /// Percent of the window's limit that raises an error issue.
    pub error_percent: u32,
}

impl Default for UsageThresholds {
    fn default() -> Self {
        UsageThresholds { warning_percent: 70, error_percent: 80 }
    }
}

impl UsageThresholds {
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        for (field, value) in [("warningPercent", self.warning_percent), ("errorPercent", self.error_percent)] {
            if !(1..=100).contains(&value) {
                errors.add(field, "Enter a percentage from 1 to 100.");
            }
        }
        if errors.is_empty() && self.warning_percent >= self.error_percent {
            errors.add("warningPercent", "The warning must come before the error: make it lower.");
        }
        errors.into_result()
    }
}

/// `ok`, `warning` or `error` — where the current window stands against the thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UsageLevel {
    Ok,
    Warning,
    Error,
}

/// The current rolling window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UsageWindow {
    pub limit: u64,
    pub window_secs: u64,
    pub used: u64,
    pub remaining: u64,
    pub reset_secs: u64,
    pub level: UsageLevel,
    pub thresholds: UsageThresholds,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UsagePoint {
    /// Start of the bucket (RFC 3339).
    pub at: String,
    /// API-key requests (the tenant's Public API window).
    pub requests: u64,
    /// API-key requests refused with 429.
    pub rejected: u64,
    /// Console requests, which spend each session's own window, not the tenant's.
    #[serde(default)]
    pub console_requests: u64,
}

/// One console session's own rolling window (`--console-rate-limit`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConsoleWindow {
    pub limit: u64,
    pub window_secs: u64,
    pub used: u64,
    pub remaining: u64,
    pub reset_secs: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TopCaller {
    /// A route (`GET /api/v1/issues`) or an API key's name (`console` for the browser session).
    pub label: String,
    pub requests: u64,
    pub rejected: u64,
}

/// `GET /api/v1/usage?range=1h|24h|7d`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UsageReport {
    /// The tenant's Public API window, spent by API keys.
    pub window: UsageWindow,
    /// The calling console session's own window; absent when an API key asks.
    #[serde(default)]
    pub console_window: Option<ConsoleWindow>,
    pub range: String,
    pub bucket_secs: u64,
    pub series: Vec<UsagePoint>,
    /// API-key requests over the range.
    pub total_requests: u64,
    pub total_rejected: u64,
    /// Console requests over the range (counted apart from the Public API).
    #[serde(default)]
    pub total_console_requests: u64,
    pub top_routes: Vec<TopCaller>,
    pub top_keys: Vec<TopCaller>,
}

pub const USAGE_RANGES: [(&str, u64, u64); 3] = [("1h", 3600, 60), ("24h", 86_400, 900), ("7d", 604_800, 3600)];

/// `(range seconds, bucket seconds)` for a range name.
pub fn parse_range(range: &str) -> Option<(u64, u64)> {
    USAGE_RANGES.iter().find(|(name, _, _)| *name == range).map(|(_, r, b)| (*r, *b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_checked_per_field() {
        assert!(UsageThresholds::default().validate().is_ok());
        let bad = UsageThresholds { warning_percent: 0, error_percent: 101 }.validate().unwrap_err();
        assert!(bad.get("warningPercent").is_some() && bad.get("errorPercent").is_some());
        let order = UsageThresholds { warning_percent: 80, error_percent: 80 }.validate().unwrap_err();
        assert!(order.get("warningPercent").unwrap().contains("lower"));
    }
}
