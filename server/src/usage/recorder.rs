//! Counts requests per tenant, minute, route and caller in memory, flushed to the store in
//! batches so that counting costs no write per request.

use crate::error::AppError;
use crate::store::usage::{self, Cell};
use crate::store::Store;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

#[derive(Default)]
pub struct UsageRecorder {
    pending: Mutex<HashMap<Cell, (u64, u64)>>,
    /// The hour (Unix ms / 3.6e6) of the last prune.
    pruned_hour: AtomicU64,
}

impl UsageRecorder {
    pub fn record(&self, tenant_id: &str, now_ms: u64, route: &str, caller: &str, rejected: bool) {
        let cell = Cell {
            tenant_id: tenant_id.to_string(),
            minute: now_ms / 60_000,
            route: route.to_string(),
            caller: caller.to_string(),
        };
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        let counts = pending.entry(cell).or_default();
        counts.0 += 1;
        counts.1 += u64::from(rejected);
    }

    /// Writes everything counted so far.
    pub async fn flush(&self, store: &Store) -> Result<(), AppError> {
        let cells: Vec<(Cell, u64, u64)> = {
            let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            pending.drain().map(|(cell, (n, r))| (cell, n, r)).collect()
        };
        if cells.is_empty() {
            return Ok(());
        }
        let kept = cells.clone();
        let result = store.call(move |conn| usage::add(conn, &cells)).await;
        if result.is_err() {
            // The write is one transaction, so nothing of it landed: count it all again next time.
            let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            for (cell, n, r) in kept {
                let counts = pending.entry(cell).or_default();
                counts.0 += n;
                counts.1 += r;
            }
        }
        result
    }

    /// Whether history should be pruned now: once per hour, since pruning is a sweep that
    /// shares the one connection with every request.
    pub fn prune_due(&self, now_ms: u64) -> bool {
        let hour = now_ms / 3_600_000;
        self.pruned_hour.swap(hour, Ordering::Relaxed) != hour
    }
}
