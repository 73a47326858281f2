//! `GET /api/v1/stream`: one server-sent-events stream per console session. It carries only
//! small notices (counts, ids); pages fetch what they show.

use crate::auth::Principal;
use crate::error::AppResult;
use crate::issues;
use crate::state::{AppState, Notice};
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(stream))
}

/// Live notices for this tenant: `event: issues` with the issue counts, sent on connect and
/// whenever an issue opens, changes or resolves.
#[utoipa::path(get, path = "/stream", tag = "stream",
    responses((status = 200, description = "text/event-stream of `issues` events", content_type = "text/event-stream")))]
async fn stream(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let tenant = principal.tenant_id;
    let mut notices = state.notices.subscribe();
    let mut shutting_down = state.shutting_down.subscribe();
    let first = issues::counts(&state, &tenant).await?;
    let events = async_stream::stream! {
        yield Ok(counts_event(&first));
        loop {
            let notice = tokio::select! {
                notice = notices.recv() => notice,
                _ = shutting_down.wait_for(|stopping| *stopping) => break,
            };
            match notice {
                Ok(Notice::IssuesChanged { tenant_id }) if tenant_id == tenant => {
                    if let Ok(counts) = issues::counts(&state, &tenant).await {
                        yield Ok(counts_event(&counts));
                    }
                }
                Ok(Notice::DistributorRun { tenant_id, progress }) if tenant_id == tenant => {
                    yield Ok(Event::default().event("distributors").data(serde_json::to_string(&progress).unwrap_or_default()));
                }
                Ok(_) => {}
                // Missed some notices: send the current counts, which is all a notice says.
                Err(RecvError::Lagged(_)) => {
                    if let Ok(counts) = issues::counts(&state, &tenant).await {
                        yield Ok(counts_event(&counts));
                    }
                }
                Err(RecvError::Closed) => break,
            }
        }
    };
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(20))))
}

fn counts_event(counts: &sluice_contract::issues::IssueCounts) -> Event {
    Event::default().event("issues").data(serde_json::to_string(counts).unwrap_or_default())
}
