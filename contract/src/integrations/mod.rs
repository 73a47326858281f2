//! Admin > Integrations: the CRM/PSA/enrichment connections (Autotask, HubSpot, Salesforce,
//! Apollo.io), their write-only credentials, Test connection, provider-reported usage and syncs.
//!
//! Every tenant has all four providers; one is "Not configured" until credentials are saved.
//! Timestamps in this area are Unix milliseconds (`...At: u64`).

use serde::{Deserialize, Serialize};

mod credentials;
mod project;
mod syncs;
pub use credentials::*;
pub use project::*;
pub use syncs::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    Autotask,
    Hubspot,
    Salesforce,
    Apollo,
}

impl Provider {
    pub const ALL: [Provider; 4] = [Provider::Autotask, Provider::Hubspot, Provider::Salesforce, Provider::Apollo];

    /// In URLs (`/api/v1/integrations/{provider}`) and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Autotask => "autotask",
            Provider::Hubspot => "hubspot",
            Provider::Salesforce => "salesforce",
            Provider::Apollo => "apollo",
        }
    }

    pub fn parse(s: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The provider's own spelling.
    pub fn name(self) -> &'static str {
        match self {
            Provider::Autotask => "Autotask",
            Provider::Hubspot => "HubSpot",
            Provider::Salesforce => "Salesforce",
            Provider::Apollo => "Apollo.io",
        }
    }

    pub fn category(self) -> Category {
        match self {
            Provider::Autotask => Category::Psa,
            Provider::Hubspot | Provider::Salesforce => Category::Crm,
            Provider::Apollo => Category::Enrichment,
        }
    }

    /// The limit Sluice assumes until the provider reports its own (PROVIDERS.md): Autotask
    /// 10,000 per rolling hour, HubSpot Free/Starter 250,000 per day (midnight in the account's
    /// zone), Salesforce 15,000 per rolling 24 h, Apollo.io 600 per hour for enrichment calls
    /// (so 14,400 per rolling day).
    pub fn default_limit(self) -> (u64, UsageWindow) {
        match self {
            Provider::Autotask => (10_000, UsageWindow::Rolling60m),
            Provider::Hubspot => (250_000, UsageWindow::DailyAccountMidnight),
            Provider::Salesforce => (15_000, UsageWindow::Rolling24h),
            Provider::Apollo => (14_400, UsageWindow::Rolling24h),
        }
    }

    /// Help the integration page shows, where a symptom is expected rather than an error.
    pub fn help(self) -> Vec<String> {
        match self {
            Provider::Autotask => vec![
                "Autotask allows 10,000 API calls per rolling hour, shared by every integration of your Autotask database; near it Autotask slows each call down.".into(),
                "The zone (which Autotask server hosts your database) is discovered from the API user's name.".into(),
            ],
            Provider::Hubspot => vec![
                "HubSpot's daily call count resets at midnight in your HubSpot account's time zone.".into(),
                "Use a private app's access token, or an OAuth app's client id, secret and refresh token.".into(),
            ],
            Provider::Salesforce => vec![
                "Salesforce counts API requests over a rolling 24 hours; the count it reports can lag by about 5 minutes.".into(),
                "The API user needs the \"View Setup and Configuration\" permission for usage to show.".into(),
            ],
            Provider::Apollo => vec![
                "Missing enrichment for small or new companies is expected: Apollo.io has no record of them yet. It is not an error.".into(),
                "Each enrichment run asks only about companies not enriched yet, or last enriched more than 30 days ago, so a run over an unchanged list makes almost no calls.".into(),
                "Use a master API key; other keys are refused on some endpoints.".into(),
            ],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Category {
    #[serde(rename = "PSA")]
    Psa,
    #[serde(rename = "CRM")]
    Crm,
    #[serde(rename = "Enrichment")]
    Enrichment,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Psa => "PSA",
            Category::Crm => "CRM",
            Category::Enrichment => "Enrichment",
        }
    }
}

/// The badge on the list. Precedence when several hold: Disabled, NotConfigured,
/// CredentialExpired, NeedsAttention, Expiring, Connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IntegrationStatus {
    Connected,
    /// The last call failed (authentication refused, provider errors) or an issue is open.
    NeedsAttention,
    CredentialExpired,
    /// `expiresInDays` says when (14 days or fewer).
    Expiring,
    Disabled,
    NotConfigured,
}

impl IntegrationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            IntegrationStatus::Connected => "connected",
            IntegrationStatus::NeedsAttention => "needs_attention",
            IntegrationStatus::CredentialExpired => "credential_expired",
            IntegrationStatus::Expiring => "expiring",
            IntegrationStatus::Disabled => "disabled",
            IntegrationStatus::NotConfigured => "not_configured",
        }
    }

    /// The badge text; `expires_in_days` only matters for `Expiring`.
    pub fn label(self, expires_in_days: Option<i64>) -> String {
        match self {
            IntegrationStatus::Connected => "Connected".into(),
            IntegrationStatus::NeedsAttention => "Needs attention".into(),
            IntegrationStatus::CredentialExpired => "Credentials expired".into(),
            IntegrationStatus::Expiring => match expires_in_days {
                Some(1) => "Expiring in 1 day".into(),
                Some(0) => "Expiring today".into(),
                Some(n) => format!("Expiring in {n} days"),
                None => "Expiring".into(),
            },
            IntegrationStatus::Disabled => "Disabled".into(),
            IntegrationStatus::NotConfigured => "Not configured".into(),
        }
    }
}

/// How the provider counts its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum UsageWindow {
    /// Autotask: the last 60 minutes.
    #[serde(rename = "rolling_60m")]
    Rolling60m,
    /// HubSpot: since midnight in the account's time zone.
    #[serde(rename = "daily_account_midnight")]
    DailyAccountMidnight,
    /// Salesforce (and Apollo.io's day window): the last 24 hours.
    #[serde(rename = "rolling_24h")]
    Rolling24h,
}

impl UsageWindow {
    pub fn as_str(self) -> &'static str {
        match self {
            UsageWindow::Rolling60m => "rolling_60m",
            UsageWindow::DailyAccountMidnight => "daily_account_midnight",
            UsageWindow::Rolling24h => "rolling_24h",
        }
    }

    /// Minutes the limit is counted over.
    pub fn minutes(self) -> u32 {
        match self {
            UsageWindow::Rolling60m => 60,
            UsageWindow::DailyAccountMidnight | UsageWindow::Rolling24h => 1_440,
        }
    }

    /// "10,000/h" or "250,000 daily".
    pub fn describe_limit(self, limit: u64) -> String {
        match self {
            UsageWindow::Rolling60m => format!("{}/h", thousands(limit)),
            UsageWindow::DailyAccountMidnight | UsageWindow::Rolling24h => format!("{} daily", thousands(limit)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UsageSource {
    /// The provider's own figure (Autotask ThresholdInformation, HubSpot daily usage,
    /// Salesforce /limits, Apollo.io's rate-limit headers).
    Provider,
    /// Sluice's count of its own calls (the provider reports nothing).
    Sluice,
}

/// Calls against the provider's limit. Thresholds: warn at 70%, alert at 80%.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UsageMeter {
    pub used: u64,
    pub limit: u64,
    pub window: UsageWindow,
    /// When the count resets (HubSpot's midnight; for rolling windows, when the oldest counted
    /// call leaves the window, when known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resets_at: Option<u64>,
    pub source: UsageSource,
    pub fetched_at: u64,
}

impl UsageMeter {
    /// Whole percent of the limit used (0 when the limit is unknown).
    pub fn percent(&self) -> u64 {
        self.used.saturating_mul(100).checked_div(self.limit).unwrap_or(0)
    }
}

pub const USAGE_WARN_PERCENT: u64 = 70;
pub const USAGE_ALERT_PERCENT: u64 = 80;

/// One row of the Integrations list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct IntegrationSummary {
    pub provider: Provider,
    /// "Autotask", "HubSpot", "Salesforce", "Apollo.io".
    pub name: String,
    pub category: Category,
    pub status: IntegrationStatus,
    /// The badge text (`status.label(expiresInDays)`).
    pub status_label: String,
    /// Days until the admin-entered expiry date (negative once past).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_days: Option<i64>,
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_success_at: Option<u64>,
    /// The last failure, verbatim from the provider where it came from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error_at: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<UsageMeter>,
    pub open_issues: u32,
    pub paused_syncs: u32,
}

/// `GET /api/v1/integrations/{provider}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct IntegrationDetail {
    pub summary: IntegrationSummary,
    pub schema: CredentialSchema,
    /// Absent while not configured. Never a secret value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<CredentialInfo>,
    pub syncs: Vec<SyncInfo>,
    /// Sluice's outbound calls per hour over the last 7 days, oldest first (168 values).
    pub hourly_calls: Vec<u32>,
    /// The name of the sync that made the most calls in the last hour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_caller: Option<String>,
    pub help: Vec<String>,
    /// Its active issues, newest first (at most 20), with this answer rather than a second
    /// request: the page shows them beside the status they explain.
    #[serde(default)]
    pub issues: Vec<crate::issues::IssueBrief>,
    /// Its latest sync runs, newest first (at most [`RECENT_RUNS`]); `GET …/runs` pages further.
    #[serde(default)]
    pub recent_runs: Vec<SyncRun>,
}

/// How many runs an integration's detail carries.
pub const RECENT_RUNS: u32 = 10;

/// `PATCH /api/v1/integrations/{provider}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct IntegrationPatch {
    pub enabled: bool,
}

/// The kinds of issue this area raises (area `integrations`; the entity id is the provider).
pub use crate::issues::IntegrationIssue;

/// The console path that fixes a credential problem.
pub fn credentials_link(provider: Provider) -> String {
    format!("/integrations/{}/credentials", provider.as_str())
}

/// `12345` → `"12,345"`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers_round_trip_through_their_names() {
        for p in Provider::ALL {
            assert_eq!(Provider::parse(p.as_str()), Some(p));
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
        }
        assert_eq!(Provider::parse("zoho"), None);
    }

    #[test]
    fn wire_names_are_the_agreed_ones() {
        assert_eq!(serde_json::to_value(UsageWindow::Rolling60m).unwrap(), "rolling_60m");
        assert_eq!(serde_json::to_value(Category::Psa).unwrap(), "PSA");
        assert_eq!(serde_json::to_value(IntegrationStatus::NeedsAttention).unwrap(), "needs_attention");
        for &k in IntegrationIssue::ALL {
            assert_eq!(IntegrationIssue::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn labels_and_figures_read_as_the_admin_expects() {
        assert_eq!(IntegrationStatus::Expiring.label(Some(2)), "Expiring in 2 days");
        assert_eq!(IntegrationStatus::Expiring.label(Some(1)), "Expiring in 1 day");
        assert_eq!(thousands(10_000), "10,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(UsageWindow::Rolling60m.describe_limit(10_000), "10,000/h");
        let meter = UsageMeter {
            used: 8_200,
            limit: 10_000,
            window: UsageWindow::Rolling60m,
            resets_at: None,
            source: UsageSource::Provider,
            fetched_at: 0,
        };
        assert_eq!(meter.percent(), 82);
    }
}
