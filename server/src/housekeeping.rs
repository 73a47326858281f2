//! Pruning what the server keeps only for a while: idempotent answers (a day), expired
//! sessions, outbox events past their retention, and succeeded webhook deliveries past the
//! tenant's retention (`crate::webhooks::prune`). Each is an index range, so running it
//! every few seconds costs a probe when there is nothing to do.

use crate::area;
use crate::error::AppResult;
use crate::state::AppState;
use crate::store::{events, idempotency, sessions};
use std::time::Duration;

/// Events deleted per statement: a large backlog goes in slices between other requests.
const EVENT_BATCH: u32 = 1000;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    pub idempotency: usize,
    pub sessions: usize,
    pub events: usize,
    pub webhook_deliveries: usize,
}

/// Prunes every few seconds until shutdown.
pub fn start(state: &AppState) -> tokio::task::JoinHandle<()> {
    area::every(state, Duration::from_secs(5), |state| {
        Box::pin(async move {
            if let Err(e) = prune(&state).await {
                tracing::warn!(error = %e, "pruning failed");
            }
        })
    })
}

pub async fn prune(state: &AppState) -> AppResult<Pruned> {
    let now = state.now_ms();
    let mut pruned = state
        .store
        .call(move |c| {
            Ok(Pruned {
                idempotency: idempotency::prune(c, now.saturating_sub(crate::idempotency::KEEP_MS))?,
                sessions: sessions::delete_expired(c, now)?,
                events: 0,
                webhook_deliveries: 0,
            })
        })
        .await?;
    pruned.webhook_deliveries = crate::webhooks::prune::prune(state).await?;
    let cutoff = now.saturating_sub(events::KEEP_MS);
    loop {
        let n = state.store.call(move |c| events::prune(c, cutoff, EVENT_BATCH)).await?;
        pruned.events += n;
        if n < EVENT_BATCH as usize {
            return Ok(pruned);
        }
    }
}
