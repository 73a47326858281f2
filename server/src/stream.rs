//! `GET /api/v1/stream`: one server-sent-events stream per console session over the notice bus.
//! It forwards the session's tenant's notices for the topics asked for, by topic, without
//! knowing the areas; notices are small (counts, ids) and pages fetch what they show. It ends
//! at shutdown, and once the session is signed out (or the API key revoked).

use crate::auth::{self, Principal};
use crate::error::{ApiQuery, AppError, AppResult};
use crate::issues;
use crate::state::AppState;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use sluice_contract::stream::{parse_topics, Topic};
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

/// Live notices for this tenant, per topic asked for; each event is named by its topic:
/// `issues` with the issue counts (also sent on connect), `webhooks` with
/// `{"deliveryIds", "endpointIds"}`, `distributors` with a sync run's progress. After missed
/// notices each topic gets `{}` (refetch what you show), `issues` the current counts.
#[utoipa::path(get, path = "/stream", tag = "stream", params(StreamQuery),
    responses((status = 200, description = "text/event-stream of one event per notice, named by its topic", content_type = "text/event-stream"),
        (status = 400, body = sluice_contract::ErrorBody)))]
async fn stream(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(q): ApiQuery<StreamQuery>,
) -> AppResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let topics = parse_topics(q.topics.as_deref().unwrap_or(Topic::Issues.as_str())).map_err(|other| {
        let names: Vec<_> = Topic::ALL.iter().map(|t| t.as_str()).collect();
        AppError::field("topics", format!("{other} is not a topic; use {}.", names.join(", ")))
    })?;
    let tenant = principal.tenant_id.clone();
    let mut notices = state.notices.subscribe();
    let mut shutting_down = state.shutting_down.subscribe();
    let wants_issues = topics.contains(&Topic::Issues);
    let first = if wants_issues { Some(issues::counts(&state, &tenant).await?) } else { None };
    let events = async_stream::stream! {
        if let Some(first) = first {
            yield Ok(event(Topic::Issues, &first));
        }
        let mut recheck = tokio::time::interval_at(tokio::time::Instant::now() + RECHECK_IDLE, RECHECK_IDLE);
        let mut checked = tokio::time::Instant::now();
        loop {
            // The select only says what happened; awaiting inside it would hold the shutdown
            // flag's borrow across the lookup.
            let notice = tokio::select! {
                notice = notices.recv() => Some(notice),
                _ = recheck.tick() => None,
                _ = shutting_down.wait_for(|stopping| *stopping) => break,
            };
            let Some(notice) = notice else {
                checked = tokio::time::Instant::now();
                if !still_valid(&state, &principal).await {
                    break;
                }
                continue;
            };
            match notice {
                Ok(notice) if notice.tenant_id == tenant && topics.contains(&notice.topic) => {
                    // Signed out or revoked since: the stream ends instead of telling.
                    if checked.elapsed() >= RECHECK_BUSY {
                        checked = tokio::time::Instant::now();
                        if !still_valid(&state, &principal).await {
                            break;
                        }
                    }
                    yield Ok(event(notice.topic, &notice.data));
                }
                Ok(_) => {}
                // Missed some notices: every topic is told to refetch; issues get the counts,
                // which is all their notices say.
                Err(RecvError::Lagged(_)) => {
                    for &topic in &topics {
                        if topic == Topic::Issues {
                            if let Ok(counts) = issues::counts(&state, &tenant).await {
                                yield Ok(event(topic, &counts));
                            }
                        } else {
                            yield Ok(event(topic, &serde_json::json!({})));
                        }
                    }
                }
                Err(RecvError::Closed) => break,
            }
        }
    };
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(20))))
}

/// How often an idle stream asks whether its session or key still holds...
const RECHECK_IDLE: Duration = Duration::from_secs(15);
/// ...and at most how often a busy one asks, before it forwards a notice.
const RECHECK_BUSY: Duration = Duration::from_secs(1);

/// A lookup that fails keeps the stream open: the next check decides.
async fn still_valid(state: &AppState, principal: &Principal) -> bool {
    auth::still_valid(state, principal).await.unwrap_or(true)
}

fn event(topic: Topic, data: &impl serde::Serialize) -> Event {
    Event::default().event(topic.as_str()).data(serde_json::to_string(data).unwrap_or_default())
}
