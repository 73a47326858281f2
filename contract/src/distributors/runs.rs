//! Sync runs: their record, live progress, and what Test connection answers.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Running,
    Succeeded,
    Failed,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<RunStatus> {
        [RunStatus::Running, RunStatus::Succeeded, RunStatus::Failed].into_iter().find(|v| v.as_str() == s)
    }
}

/// A row the run could not use, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RejectedRow {
    /// Line in the file (CSV) or record number from 1 (JSON).
    pub line: u64,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SyncRun {
    pub id: String,
    pub distributor_id: String,
    /// `schedule`, `manual` or `retry`.
    pub trigger: String,
    pub status: RunStatus,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub duration_ms: Option<u64>,
    pub bytes: u64,
    pub rows_read: u64,
    pub rows_added: u64,
    pub rows_changed: u64,
    pub rows_unchanged: u64,
    pub rows_removed: u64,
    pub rows_rejected: u64,
    /// The first 20.
    pub rejected_rows: Vec<RejectedRow>,
    /// Why the run failed, verbatim where it came from the server ("530 Login incorrect.").
    pub error: Option<String>,
}

/// Live progress of a run (the `distributors` event of the stream carries it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RunProgress {
    pub distributor_id: String,
    pub run_id: String,
    pub status: RunStatus,
    pub bytes: u64,
    /// When the server said how large the file is.
    pub total_bytes: Option<u64>,
    pub rows_read: u64,
    pub rows_changed: u64,
    pub percent: Option<u8>,
}

/// A feed row as mapped (preview and products).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MappedRow {
    pub line: u64,
    pub sku: Option<String>,
    pub mpn: Option<String>,
    pub description: Option<String>,
    /// Decimal as text, e.g. `"1000.99"`.
    pub cost_price: Option<String>,
    pub currency: Option<String>,
    pub stock: Option<i64>,
    /// Why this row would be rejected.
    pub error: Option<String>,
}

/// The answer of Test connection: reached, authenticated, first rows mapped — or the failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConnectionTest {
    pub ok: bool,
    /// The exact failure: "530 Login incorrect.", "404 on /prices.csv".
    pub error: Option<String>,
    /// The header line's column names, when there is one.
    pub columns: Vec<String>,
    /// The first rows (up to 10), mapped.
    pub rows: Vec<MappedRow>,
}
