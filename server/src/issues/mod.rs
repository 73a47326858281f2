//! Tools > Issues: the one deduplicated list of what is broken.
//!
//! Areas report through [`raise`] and [`clear`] (see `lifecycle`): an issue is keyed by
//! (tenant, [`Key`]), its kind a typed enum that names its area, so a problem that recurs updates
//! one row. An area that can run a failing operation again registers a Retry in its own setup
//! ([`register_retry`]); the handler answers a [`Retried`] and the hub applies it (see `retry`).
//! Admins read through `read` and act through `actions`, `retry` and `bulk`.

pub mod actions;
pub mod bulk;
pub mod lifecycle;
pub mod read;
pub mod retry;
pub mod routes;

pub use lifecycle::{clear, raise};
pub use retry::{register_retry, Retried, RetryFn, RetryRegistry};
pub use sluice_contract::issues::{Key, Report};

use crate::area::AreaDef;
use crate::error::AppResult;
use crate::notices::Notice;
use crate::state::AppState;
use sluice_contract::issues::IssueCounts;
use sluice_contract::stream::Topic;
use std::fmt;

pub const AREA: AreaDef = AreaDef {
    name: "issues",
    setup: |setup| {
        setup.provide(Issues::default());
        Ok(())
    },
    routes: routes::routes,
    start: None,
    demo: None,
};

/// The hub's own state: which areas can retry.
#[derive(Default)]
pub struct Issues {
    pub retry: RetryRegistry,
}

impl Issues {
    pub fn of(state: &AppState) -> &Issues {
        state.part::<Issues>()
    }
}

/// How an issue closed itself: what succeeded ("usage fell to 42% of the limit").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution(String);

impl Resolution {
    /// The operation behind the issue succeeded, or its cause went away.
    pub fn automatic(what: impl Into<String>) -> Resolution {
        Resolution(what.into())
    }
}

impl fmt::Display for Resolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "resolved automatically: {}", self.0)
    }
}

/// Active issues per area, all per status: the tabs and the sidebar badge.
pub async fn counts(state: &AppState, tenant_id: &str) -> AppResult<IssueCounts> {
    let tenant = tenant_id.to_string();
    state.store.call(move |c| crate::store::issues::counts(c, &tenant)).await
}

/// Tells open consoles of the tenant the new counts (one query, only when someone listens).
pub(crate) async fn notify_changed(state: &AppState, tenant_id: &str) {
    if !state.has_listeners() {
        return;
    }
    match counts(state, tenant_id).await {
        Ok(counts) => state.notify(Notice::new(Topic::Issues, tenant_id, &counts)),
        Err(e) => tracing::warn!(error = %e, "could not count issues for the stream"),
    }
}
