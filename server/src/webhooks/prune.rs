//! Pruning the delivery log: a succeeded delivery and its attempts go once they are older than
//! the tenant's `retentionDays`. Pending, retrying and failed deliveries are never pruned here:
//! they are still work, or the evidence an admin needs to retry them.

use crate::error::AppResult;
use crate::state::AppState;
use crate::store::{tenants, webhooks as store};

/// Deliveries deleted per transaction, so a large backlog goes in slices between other work.
const BATCH: usize = 1000;

/// Prunes every tenant's succeeded deliveries past its retention; answers how many went.
pub async fn prune(state: &AppState) -> AppResult<usize> {
    let now = state.now_ms();
    let tenant_ids = state.store.call(|c| tenants::all_tenant_ids(c)).await?;
    let mut pruned = 0;
    for tenant in tenant_ids {
        let retention_days = super::settings(state, &tenant).await?.retention_days;
        let cutoff = now.saturating_sub(retention_days * 24 * 3600 * 1000);
        loop {
            let t = tenant.clone();
            let n = state.store.call(move |c| store::queue::prune_succeeded(c, &t, cutoff, BATCH)).await?;
            pruned += n;
            if n < BATCH {
                break;
            }
        }
    }
    Ok(pruned)
}
