//! Tools > Issues: the one deduplicated list of what is broken.
//!
//! Areas report through [`raise`] and [`clear`] (see `lifecycle`); admins act through the routes
//! (see `actions`). An issue is keyed by (tenant, area, entity, kind), so a problem that recurs
//! updates one row. Areas that can run a failing operation again register it in [`RetryRegistry`].

pub mod actions;
pub mod lifecycle;
pub mod retry;
pub mod routes;

pub use lifecycle::{clear, raise};

use crate::error::AppResult;
use crate::state::AppState;
use sluice_contract::issues::{Area, EntityRef, Issue, IssueCounts, Severity};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock};

/// What an area reports when an operation fails.
#[derive(Debug, Clone)]
pub struct Report {
    pub area: Area,
    /// Stable within the area (`usage_threshold`, `auth_failed`, ...); part of the dedup key.
    pub kind: String,
    pub entity: EntityRef,
    pub severity: Severity,
    pub title: String,
    /// The error, verbatim from the provider or operation.
    pub message: String,
}

pub type RetryFuture = Pin<Box<dyn Future<Output = Result<String, String>> + Send>>;
/// Runs the failing operation again: `Ok(what succeeded)` or `Err(the error, verbatim)`.
pub type RetryFn = Arc<dyn Fn(AppState, Issue) -> RetryFuture + Send + Sync>;

#[derive(Default)]
pub struct RetryRegistry {
    handlers: RwLock<HashMap<Area, RetryFn>>,
}

impl RetryRegistry {
    pub fn register(&self, area: Area, f: RetryFn) {
        self.handlers.write().unwrap_or_else(|p| p.into_inner()).insert(area, f);
    }

    pub fn get(&self, area: Area) -> Option<RetryFn> {
        self.handlers.read().unwrap_or_else(|p| p.into_inner()).get(&area).cloned()
    }

    pub fn can_retry(&self, area: Area) -> bool {
        self.handlers.read().unwrap_or_else(|p| p.into_inner()).contains_key(&area)
    }

    /// Fills in `can_retry`, which the stored row does not know.
    pub fn mark(&self, mut issue: Issue) -> Issue {
        issue.can_retry = self.can_retry(issue.area);
        issue
    }
}

/// Active issues per area, all per status: the tabs and the sidebar badge.
pub async fn counts(state: &AppState, tenant_id: &str) -> AppResult<IssueCounts> {
    let tenant = tenant_id.to_string();
    state.store.call(move |c| crate::store::issues::counts(c, &tenant)).await
}
