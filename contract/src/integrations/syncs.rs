//! Syncs: what each integration copies from its provider, on what cadence, and their runs.

use super::Provider;
use crate::error::FieldErrors;
use serde::{Deserialize, Serialize};

/// The syncs a provider offers: (id, name, estimated calls per run before any run is measured).
pub fn syncs_of(provider: Provider) -> &'static [(&'static str, &'static str, u32)] {
    match provider {
        Provider::Autotask => &[("companies", "Company sync", 20), ("products", "Product catalogue sync", 40)],
        Provider::Hubspot => &[("companies", "Company sync", 50), ("contacts", "Contact sync", 100)],
        Provider::Salesforce => &[("accounts", "Account sync", 10)],
        Provider::Apollo => &[("enrichment", "Company enrichment", 10)],
    }
}

/// The cadence a sync starts with.
pub const DEFAULT_CADENCE_MINUTES: u32 = 60;
pub const MIN_CADENCE_MINUTES: u32 = 1;
pub const MAX_CADENCE_MINUTES: u32 = 10_080;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RunOutcome {
    Running,
    Succeeded,
    Failed,
}

impl RunOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            RunOutcome::Running => "running",
            RunOutcome::Succeeded => "succeeded",
            RunOutcome::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<RunOutcome> {
        [RunOutcome::Running, RunOutcome::Succeeded, RunOutcome::Failed].into_iter().find(|o| o.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SyncRun {
    pub id: String,
    /// The sync's id (`companies`, ...).
    pub sync: String,
    pub started_at: u64,
    /// While running: so far.
    pub duration_ms: u64,
    pub records_read: u64,
    /// HTTP calls made to the provider, retries included.
    pub calls: u32,
    pub outcome: RunOutcome,
    /// Why it failed, the provider's text verbatim where it came from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SyncInfo {
    /// `companies`, `contacts`, `products`, `accounts`, `enrichment`.
    pub sync: String,
    /// "Product catalogue sync".
    pub name: String,
    pub cadence_minutes: u32,
    /// Paused by the admin.
    pub paused: bool,
    /// Held back by the provider's 429 until then (every sync of the integration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused_until: Option<u64>,
    /// Mean calls of the last runs, or the estimate before any run.
    pub calls_per_run: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_run_at: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_run: Option<SyncRun>,
}

/// `PATCH /api/v1/integrations/{provider}/syncs/{sync}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", default)]
pub struct SyncPatch {
    pub cadence_minutes: Option<u32>,
    pub paused: Option<bool>,
    /// Save a cadence whose projection is over the provider's limit anyway.
    pub confirm_over_limit: bool,
}

impl SyncPatch {
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        if self.cadence_minutes.is_some_and(|c| !(MIN_CADENCE_MINUTES..=MAX_CADENCE_MINUTES).contains(&c)) {
            e.add(
                "cadenceMinutes",
                format!("Run every {MIN_CADENCE_MINUTES} to {MAX_CADENCE_MINUTES} minutes (7 days)."),
            );
        }
        if self.cadence_minutes.is_none() && self.paused.is_none() {
            e.add("cadenceMinutes", "Send cadenceMinutes, paused, or both.");
        }
        e.into_result()
    }
}
