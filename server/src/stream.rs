//! `GET /api/v1/stream`: one server-sent-events stream per console session. It carries only
//! small notices (counts, ids); pages fetch what they show.

use crate::auth::Principal;
use crate::error::{ApiQuery, AppError, AppResult};
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

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamQuery {
    /// Comma-separated topics: `issues` (the default), `webhooks`, `distributors`, `integrations`.
    pub topics: Option<String>,
}

/// Live notices for this tenant, per topic asked for: `event: issues` with the issue counts,
/// sent on connect and whenever an issue opens, changes or resolves; `event: webhooks` with
/// `{"deliveryIds", "endpointIds"}` whenever deliveries are created or attempted;
/// `event: distributors` with a sync run's progress.
#[utoipa::path(get, path = "/stream", tag = "stream", params(StreamQuery),
    responses((status = 200, description = "text/event-stream of `issues` and `webhooks` events", content_type = "text/event-stream"),
        (status = 400, body = sluice_contract::ErrorBody)))]
async fn stream(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(q): ApiQuery<StreamQuery>,
) -> AppResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let topics = q.topics.unwrap_or_else(|| "issues".into());
    let mut wants_issues = false;
    let mut wants_webhooks = false;
    let mut wants_distributors = false;
    let mut wants_integrations = false;
    for topic in topics.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        match topic {
            "issues" => wants_issues = true,
            "webhooks" => wants_webhooks = true,
            "distributors" => wants_distributors = true,
            "integrations" => wants_integrations = true,
            other => {
                return Err(AppError::field(
                    "topics",
                    format!("{other} is not a topic; use issues, webhooks, distributors or integrations."),
                ))
            }
        }
    }
    let tenant = principal.tenant_id;
    let mut notices = state.notices.subscribe();
    let mut shutting_down = state.shutting_down.subscribe();
    let first = if wants_issues { Some(issues::counts(&state, &tenant).await?) } else { None };
    let events = async_stream::stream! {
        if let Some(first) = first {
            yield Ok(counts_event(&first));
        }
        loop {
            let notice = tokio::select! {
                notice = notices.recv() => notice,
                _ = shutting_down.wait_for(|stopping| *stopping) => break,
            };
            match notice {
                Ok(notice) if notice.tenant_id() != tenant => {}
                Ok(Notice::Webhooks { delivery_ids, endpoint_ids, .. }) if wants_webhooks => {
                    let data = serde_json::json!({ "deliveryIds": delivery_ids, "endpointIds": endpoint_ids });
                    yield Ok(Event::default().event("webhooks").data(data.to_string()));
                }
                Ok(Notice::IssuesChanged { .. }) if wants_issues => {
                    if let Ok(counts) = issues::counts(&state, &tenant).await {
                        yield Ok(counts_event(&counts));
                    }
                }
                Ok(Notice::DistributorRun { progress, .. }) if wants_distributors => {
                    yield Ok(Event::default().event("distributors").data(serde_json::to_string(&progress).unwrap_or_default()));
                }
                Ok(Notice::Integrations { provider, .. }) if wants_integrations => {
                    let data = serde_json::json!({ "provider": provider });
                    yield Ok(Event::default().event("integrations").data(data.to_string()));
                }
                Ok(_) => {}
                // Missed some notices: send the current counts, which is all a notice says.
                Err(RecvError::Lagged(_)) if wants_issues => {
                    if let Ok(counts) = issues::counts(&state, &tenant).await {
                        yield Ok(counts_event(&counts));
                    }
                }
                Err(RecvError::Lagged(_)) if wants_webhooks => {
                    // Ids were missed: an empty notice tells the page to refetch what it shows.
                    let data = serde_json::json!({ "deliveryIds": [], "endpointIds": [] });
                    yield Ok(Event::default().event("webhooks").data(data.to_string()));
                }
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => break,
            }
        }
    };
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(20))))
}

fn counts_event(counts: &sluice_contract::issues::IssueCounts) -> Event {
    Event::default().event("issues").data(serde_json::to_string(counts).unwrap_or_default())
}
