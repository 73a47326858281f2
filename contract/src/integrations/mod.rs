//! Admin > Integrations: CRM/PSA/enrichment connections, their write-only credentials, the
//! provider's usage against its limit, and the syncs that spend it.
//!
//! PROVISIONAL (console branch): written from the agreed sketch until the server's version lands.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod project;
pub use project::*;

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
    pub fn label(self) -> &'static str {
        match self {
            Provider::Autotask => "Autotask",
            Provider::Hubspot => "HubSpot",
            Provider::Salesforce => "Salesforce",
            Provider::Apollo => "Apollo.io",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IntegrationStatus {
    Connected,
    NeedsAttention,
    CredentialsExpired,
    Expiring,
    Disabled,
    NotConfigured,
}

impl IntegrationStatus {
    /// The badge's words; `Expiring` reads "Expiring in N days" with the summary's days.
    pub fn label(self, expires_in_days: Option<i64>) -> String {
        match self {
            IntegrationStatus::Connected => "Connected".into(),
            IntegrationStatus::NeedsAttention => "Needs attention".into(),
            IntegrationStatus::CredentialsExpired => "Credentials expired".into(),
            IntegrationStatus::Expiring => match expires_in_days {
                Some(1) => "Expiring in 1 day".into(),
                Some(d) if d <= 0 => "Expiring today".into(),
                Some(d) => format!("Expiring in {d} days"),
                None => "Expiring".into(),
            },
            IntegrationStatus::Disabled => "Disabled".into(),
            IntegrationStatus::NotConfigured => "Not configured".into(),
        }
    }
}

/// How the provider counts the calls its limit applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum UsageWindow {
    /// Autotask: requests in the last 60 minutes.
    Rolling60m,
    /// HubSpot: calls since midnight in the account's time zone.
    DailyAccountMidnight,
    /// Salesforce: requests in the last 24 hours.
    Rolling24h,
}

impl UsageWindow {
    pub fn minutes(self) -> u64 {
        match self {
            UsageWindow::Rolling60m => 60,
            UsageWindow::DailyAccountMidnight | UsageWindow::Rolling24h => 24 * 60,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UsageMeter {
    pub used: u64,
    pub limit: u64,
    pub window: UsageWindow,
    /// Unix ms when the count starts over (HubSpot's midnight), when the provider says.
    pub resets_at: Option<i64>,
    /// `provider` (reported by it) or `sluice` (our own count of calls).
    pub source: String,
    pub fetched_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct IntegrationSummary {
    pub provider: Provider,
    pub name: String,
    /// `PSA`, `CRM` or `Enrichment`.
    pub category: String,
    pub status: IntegrationStatus,
    pub expires_in_days: Option<i64>,
    pub enabled: bool,
    pub last_success_at: Option<i64>,
    pub last_error: Option<String>,
    pub last_error_at: Option<i64>,
    pub usage: Option<UsageMeter>,
    pub open_issues: u32,
    pub paused_syncs: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Secret,
    Url,
    Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CredentialField {
    pub name: String,
    pub label: String,
    pub secret: bool,
    pub required: bool,
    pub help: String,
    pub kind: FieldKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CredentialSchema {
    pub fields: Vec<CredentialField>,
}

/// One stored field as the API shows it: a non-secret value, or a secret's last characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StoredField {
    pub name: String,
    pub value: Option<String>,
    /// `…4f2a`: at most the last 4 characters of a secret.
    pub hint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CredentialInfo {
    pub set_at: i64,
    pub fields: Vec<StoredField>,
    pub expires_at: Option<i64>,
    pub token_expires_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct IntegrationDetail {
    pub summary: IntegrationSummary,
    pub schema: CredentialSchema,
    pub credential: Option<CredentialInfo>,
    pub syncs: Vec<SyncInfo>,
    /// Sluice's outbound calls per hour over the last 7 days, oldest first (168).
    pub hourly_calls: Vec<u32>,
    /// The sync that made the most calls in the current window.
    pub top_caller: Option<String>,
    pub help: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CredentialInput {
    /// An empty secret keeps the stored one.
    pub fields: BTreeMap<String, String>,
    /// `YYYY-MM-DD`.
    pub expires_on: Option<String>,
    #[serde(default)]
    pub save_anyway: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SaveOutcome {
    pub saved: bool,
    pub test: TestResult,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TestStepKind {
    Reach,
    Authenticate,
    Read,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StepOutcome {
    Passed,
    Failed,
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TestStep {
    pub step: TestStepKind,
    pub outcome: StepOutcome,
    pub detail: String,
    /// The provider's own words, verbatim.
    pub provider_error: Option<String>,
    pub duration_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TestResult {
    pub ok: bool,
    pub steps: Vec<TestStep>,
    pub tested_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct IntegrationPatch {
    pub enabled: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RunOutcome {
    Running,
    Succeeded,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SyncRun {
    pub id: String,
    pub sync: String,
    pub started_at: i64,
    pub duration_ms: Option<u64>,
    pub records_read: u64,
    pub calls: u64,
    pub outcome: RunOutcome,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SyncInfo {
    pub sync: String,
    pub name: String,
    pub cadence_minutes: u32,
    pub paused: bool,
    /// Paused by a provider 429 until then (Unix ms).
    pub paused_until: Option<i64>,
    pub calls_per_run: u32,
    pub last_run: Option<SyncRun>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SyncPatch {
    pub cadence_minutes: Option<u32>,
    pub paused: Option<bool>,
    pub confirm_over_limit: Option<bool>,
}

/// What the `integrations` topic of the live stream carries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationsChanged {
    pub provider: Option<Provider>,
}
