//! The scheduler: runs feeds whose cadence has come round, and raises the stale issue once a
//! distributor's last success is older than its threshold. Time is `state.clock`'s; the
//! area's background work calls [`tick`] every [`TICK`].

use super::sync::{self, Trigger};
use crate::state::AppState;
use crate::store::distributors as store;
use std::time::Duration;

/// How often the schedule and staleness are looked at.
pub const TICK: Duration = Duration::from_secs(5);

/// One pass: start due syncs (in the background), report newly stale distributors.
pub async fn tick(state: &AppState) {
    let now = state.now_ms();
    let rows = match state.store.call(|c| store::all(c)).await {
        Ok(rows) => rows,
        Err(e) => {
            tracing::warn!(error = %e, "distributor worker could not list distributors");
            return;
        }
    };
    for d in rows {
        if super::is_stale(&d, now) && !d.stale_reported {
            match super::issues::raise_stale(state, &d, now).await {
                Ok(()) => {
                    let id = d.id.clone();
                    let _ = state.store.call(move |c| store::set_stale_reported(c, &id, true)).await;
                }
                Err(e) => tracing::warn!(error = %e, "could not raise the stale issue"),
            }
        }
        if d.next_run_at <= now {
            match sync::start(state, &d.tenant_id, &d.id, Trigger::Schedule).await {
                Ok(_) => {}
                // Already running (a forced re-fetch): the schedule moves on when it ends.
                Err(crate::error::AppError::Conflict { .. }) => {}
                Err(e) => tracing::warn!(error = %e, distributor = %d.id, "could not start a scheduled sync"),
            }
        }
    }
}
