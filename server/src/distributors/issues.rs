//! The issues this area raises in Tools > Issues (its Retry handler is in `retry`).
//!
//! A failed run raises the issue of its kind (connection, empty feed, rejected rows) and clears
//! the other two; a good run clears all of them and the stale one.

use crate::issues::{self, Key, Report, Resolution};
use crate::state::AppState;
use crate::store::distributors::DistributorRow;
use sluice_contract::issues::{DistributorIssue, EntityRef, Severity};

use DistributorIssue::{ConnectionFailed, EmptyFeed, RowsRejected, Stale};

/// Why a run failed; each kind is its own issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    Connection,
    Empty,
    Rejected,
}

fn kind_of(failure: FailureKind) -> DistributorIssue {
    match failure {
        FailureKind::Connection => ConnectionFailed,
        FailureKind::Empty => EmptyFeed,
        FailureKind::Rejected => RowsRejected,
    }
}

pub fn entity(d: &DistributorRow) -> EntityRef {
    EntityRef {
        kind: "distributor".into(),
        id: d.id.clone(),
        name: d.name.clone(),
        link: format!("/distributors/{}", d.id),
    }
}

/// After each run: raise what failed, clear what no longer does.
pub async fn after_run(state: &AppState, tenant: &str, d: &DistributorRow, failure: Option<&(FailureKind, String)>) {
    let failed_kind = failure.map(|(k, _)| kind_of(*k));
    let what = match failure {
        None => "the next sync succeeded".to_string(),
        Some(_) => "the connection and feed format now work".to_string(),
    };
    let mut kinds = vec![ConnectionFailed, EmptyFeed, RowsRejected];
    if failure.is_none() {
        kinds.push(Stale);
    }
    for kind in kinds.into_iter().filter(|k| Some(*k) != failed_kind) {
        // A connection that failed says nothing about the feed's contents: keep those issues.
        if failed_kind == Some(ConnectionFailed) && kind != ConnectionFailed {
            continue;
        }
        let key = Key::new(kind, d.id.as_str());
        if let Err(e) = issues::clear(state, tenant, key, Resolution::automatic(what.as_str())).await {
            tracing::warn!(error = %e, "could not clear a distributor issue");
        }
    }
    if let Some((failure, message)) = failure {
        let title = match failure {
            FailureKind::Connection => format!("Cannot fetch the price feed of {}", d.name),
            FailureKind::Empty => format!("{}: feed returned no data", d.name),
            FailureKind::Rejected => format!("{}: the price feed was rejected", d.name),
        };
        let report = Report {
            kind: kind_of(*failure).into(),
            entity: entity(d),
            severity: Severity::Error,
            title,
            message: message.clone(),
        };
        if let Err(e) = issues::raise(state, tenant, report).await {
            tracing::warn!(error = %e, "could not raise a distributor issue");
        }
    }
}

pub async fn raise_stale(state: &AppState, d: &DistributorRow, now: u64) -> crate::error::AppResult<()> {
    let since = d.last_success_at;
    let message = match since {
        Some(at) => format!(
            "The last successful sync was {} ({} h ago), past the {}-hour threshold. Prices may be out of date.",
            crate::clock::rfc3339(at),
            now.saturating_sub(at) / 3_600_000,
            d.stale_after_hours
        ),
        None => format!("No sync has succeeded in the {} hours since the connection was added.", d.stale_after_hours),
    };
    let report = Report {
        kind: Stale.into(),
        entity: entity(d),
        severity: Severity::Warning,
        title: format!("Prices from {} are stale", d.name),
        message,
    };
    issues::raise(state, &d.tenant_id, report).await
}
