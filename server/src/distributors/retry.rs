//! Tools > Issues' Retry for this area: run the sync again, to the end.

use super::sync::{self, Trigger};
use crate::area::BoxFuture;
use crate::issues::Retried;
use crate::state::AppState;
use sluice_contract::issues::Issue;

/// Retry from Tools > Issues runs the sync again, to the end.
pub fn retry(state: AppState, issue: Issue) -> BoxFuture<Retried> {
    Box::pin(async move {
        let tenant = match tenant_of(&state, &issue).await {
            Ok(tenant) => tenant,
            Err(error) => return Retried::StillFailing { error },
        };
        match sync::run_now(&state, &tenant, &issue.entity.id, Trigger::Retry).await {
            Err(e) => Retried::StillFailing { error: e.body().error.message },
            Ok(run) => match run.error {
                None => Retried::Resolved { what: format!("the sync read {} rows", run.rows_read) },
                Some(error) => Retried::StillFailing { error },
            },
        }
    })
}

/// The issue row does not say its tenant; the distributor does.
async fn tenant_of(state: &AppState, issue: &Issue) -> Result<String, String> {
    let id = issue.entity.id.clone();
    let row = state.store.call(move |c| crate::store::distributors::by_id(c, &id)).await.map_err(|e| e.to_string())?;
    row.map(|d| d.tenant_id).ok_or_else(|| "This distributor no longer exists.".to_string())
}
