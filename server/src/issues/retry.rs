//! Retry: the owning area runs the failing operation again and answers a typed [`Retried`];
//! the hub records it on the row and resolves the issue when it says so. A handler answers what
//! it found instead of resolving the issue itself, so the retry's outcome has one writer.

use super::actions::not_active;
use super::lifecycle::{reload, resolve};
use super::read::detail;
use super::{notify_changed, Issues};
use crate::area::{BoxFuture, Setup};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::issues as store;
use rusqlite::TransactionBehavior;
use sluice_contract::issues::{Area, Issue};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// A retry that has not answered by then counts as failed (the area's call may hang).
pub const RETRY_TIMEOUT: Duration = Duration::from_secs(60);

/// What a Retry handler found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Retried {
    /// The operation succeeded (what succeeded, in words): the issue resolves.
    Resolved { what: String },
    /// It failed again (the error, verbatim): the issue stays open and shows it.
    StillFailing { error: String },
    /// It started and finishes later (a sync, say): the issue stays open until the area clears
    /// it, or raises it again, when the work ends.
    Started { what: String },
}

/// Runs the failing operation of `Issue` again.
pub type RetryFn = Arc<dyn Fn(AppState, Issue) -> BoxFuture<Retried> + Send + Sync>;

/// Which area can retry (one handler per area; it reads the issue's kind).
#[derive(Default)]
pub struct RetryRegistry {
    handlers: RwLock<HashMap<Area, RetryFn>>,
}

impl RetryRegistry {
    pub fn register(&self, area: Area, f: RetryFn) {
        self.handlers.write().unwrap_or_else(|p| p.into_inner()).insert(area, f);
    }

    /// Takes an area's handler away (tests of an area that cannot retry).
    pub fn remove(&self, area: Area) -> Option<RetryFn> {
        self.handlers.write().unwrap_or_else(|p| p.into_inner()).remove(&area)
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

/// An area's setup line: Retry in Tools > Issues runs `handler` for the area's issues.
pub fn register_retry<F>(setup: &Setup, area: Area, handler: F)
where
    F: Fn(AppState, Issue) -> BoxFuture<Retried> + Send + Sync + 'static,
{
    setup.part::<Issues>().retry.register(area, Arc::new(handler));
}

/// Asks the owning area to run the failing operation again and applies what it found.
pub async fn retry(state: &AppState, tenant_id: &str, id: &str) -> AppResult<Issue> {
    let issue = detail(state, tenant_id, id).await?.issue;
    if !issue.status.is_active() {
        return Err(not_active(&issue, "retried"));
    }
    let handler = Issues::of(state).retry.get(issue.area).ok_or_else(|| {
        AppError::conflict(
            "retry_unavailable",
            format!(
                "{} issues cannot be retried from here yet; fix the cause at {}.",
                issue.area.label(),
                issue.entity.link
            ),
        )
    })?;
    let outcome =
        tokio::time::timeout(RETRY_TIMEOUT, handler(state.clone(), issue.clone())).await.unwrap_or_else(|_| {
            Retried::StillFailing { error: format!("The retry did not finish within {} s.", RETRY_TIMEOUT.as_secs()) }
        });
    let (tenant, id, now) = (tenant_id.to_string(), issue.id.clone(), state.now_ms());
    let updated = state
        .store
        .call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let (ok, message) = match &outcome {
                Retried::Resolved { what } => (true, what.clone()),
                Retried::StillFailing { error } => (false, error.clone()),
                Retried::Started { what } => (true, format!("started: {what}")),
            };
            store::record_retry(&tx, &id, now, ok, &message)?;
            let current = reload(&tx, &tenant, &id, true)?;
            // The operation's own success path may have closed it meanwhile; then it stays so.
            let issue = match outcome {
                Retried::Resolved { what } if current.status.is_active() => {
                    resolve(&tx, &tenant, &id, &format!("resolved by retry: {what}"), now, true)?
                }
                _ => current,
            };
            tx.commit()?;
            Ok(issue)
        })
        .await?;
    notify_changed(state, tenant_id).await;
    Ok(updated)
}
