//! Tools > Issues: one deduplicated list of what is broken.

mod kinds;

pub use kinds::{DistributorIssue, IntegrationIssue, IssueKind, Key, Report, UsageIssue, WebhookIssue};

use crate::error::ErrorDetail;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The admin area that owns an issue (and knows how to retry it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Area {
    Integrations,
    Webhooks,
    Distributors,
    ApiUsage,
}

impl Area {
    pub const ALL: [Area; 4] = [Area::Integrations, Area::Webhooks, Area::Distributors, Area::ApiUsage];

    pub fn as_str(self) -> &'static str {
        match self {
            Area::Integrations => "integrations",
            Area::Webhooks => "webhooks",
            Area::Distributors => "distributors",
            Area::ApiUsage => "api_usage",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Area::Integrations => "Integrations",
            Area::Webhooks => "Webhooks",
            Area::Distributors => "Distributors",
            Area::ApiUsage => "API usage",
        }
    }

    pub fn parse(s: &str) -> Option<Area> {
        Area::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        [Severity::Error, Severity::Warning].into_iter().find(|v| v.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IssueStatus {
    Open,
    Acknowledged,
    Resolved,
    Dismissed,
}

impl IssueStatus {
    pub const ALL: [IssueStatus; 4] =
        [IssueStatus::Open, IssueStatus::Acknowledged, IssueStatus::Resolved, IssueStatus::Dismissed];

    pub fn as_str(self) -> &'static str {
        match self {
            IssueStatus::Open => "open",
            IssueStatus::Acknowledged => "acknowledged",
            IssueStatus::Resolved => "resolved",
            IssueStatus::Dismissed => "dismissed",
        }
    }

    pub fn parse(s: &str) -> Option<IssueStatus> {
        IssueStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Open and acknowledged issues are still broken; the others are closed.
    pub fn is_active(self) -> bool {
        matches!(self, IssueStatus::Open | IssueStatus::Acknowledged)
    }
}

/// The thing that is broken, and where in the console it is fixed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EntityRef {
    /// `endpoint`, `integration`, `distributor`, `tenant`, ...
    pub kind: String,
    pub id: String,
    pub name: String,
    /// Console path of the page that fixes it, e.g. `/usage`.
    pub link: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Issue {
    pub id: String,
    pub area: Area,
    pub entity: EntityRef,
    /// What kind of problem, stable within the area (`usage_threshold`, `auth_failed`, ...).
    pub kind: String,
    pub severity: Severity,
    pub title: String,
    /// The latest error, verbatim from the provider or operation.
    pub message: String,
    pub first_seen_at: String,
    pub last_seen_at: String,
    pub occurrences: u64,
    pub status: IssueStatus,
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<String>,
    pub dismissed_by: Option<String>,
    pub dismissed_at: Option<String>,
    pub resolved_at: Option<String>,
    /// How it ended: "resolved automatically: usage fell to 42%".
    pub resolution: Option<String>,
    /// Whether the owning area can run the failing operation again.
    pub can_retry: bool,
    pub last_retry: Option<RetryOutcome>,
}

/// What a page listing one entity's open issues shows of each (an integration's page: they come
/// with `IntegrationDetail`), so that page's code does not carry the whole issue's decoding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct IssueBrief {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub message: String,
    pub first_seen_at: String,
    pub occurrences: u64,
}

impl From<Issue> for IssueBrief {
    fn from(i: Issue) -> Self {
        IssueBrief {
            id: i.id,
            kind: i.kind,
            title: i.title,
            message: i.message,
            first_seen_at: i.first_seen_at,
            occurrences: i.occurrences,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RetryOutcome {
    pub at: String,
    pub ok: bool,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Occurrence {
    pub at: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct IssueDetail {
    pub issue: Issue,
    /// The last 50 occurrences, newest first.
    pub history: Vec<Occurrence>,
}

/// Counts for the tabs and the sidebar badge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct IssueCounts {
    /// Active (open + acknowledged) issues per area.
    pub by_area: BTreeMap<String, u64>,
    /// All issues per status.
    pub by_status: BTreeMap<String, u64>,
    /// Open + acknowledged, all areas: the sidebar badge.
    pub active: u64,
}

/// Query of `GET /api/v1/issues`. Every field is optional; values are checked by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(rename_all = "camelCase")]
pub struct IssueQuery {
    /// `open`, `acknowledged`, `resolved`, `dismissed`, or `active` (open + acknowledged; the default).
    pub status: Option<String>,
    pub area: Option<String>,
    pub severity: Option<String>,
    /// Only the issues of this entity (its id, e.g. `hubspot`): what one integration's page shows.
    #[cfg_attr(feature = "openapi", param(max_length = 200))]
    pub entity: Option<String>,
    /// Matched against title, message and entity name.
    #[cfg_attr(feature = "openapi", param(max_length = 200))]
    pub q: Option<String>,
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IssueAction {
    Acknowledge,
    Dismiss,
    Retry,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BulkIssueAction {
    pub action: IssueAction,
    /// Up to 100 issue ids.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 100))]
    pub ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BulkItemResult {
    pub id: String,
    pub ok: bool,
    pub issue: Option<Issue>,
    pub error: Option<ErrorDetail>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BulkIssueResult {
    pub results: Vec<BulkItemResult>,
}
