//! `POST /__fake/control` on a fake's own loopback port: the same steering as [`Control`], for
//! e2e journeys that drive a `--demo` server from outside its process. A console finds a fake's
//! address in the integration's saved `baseUrl` / `loginUrl` (not a secret). The route sits
//! outside the fault layer, so `heal` always gets through.

use super::{Control, Fault};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

/// `{"action": "...", ...}`. Faults: `refuse_credentials`, `forbidden`, `rate_limited`,
/// `server_error`, `unavailable`, `html`, `malformed` — for the next `count` calls, or for
/// `seconds`, or until `heal`. Also `slow` (`ms`), `expire_tokens`, `revoke_tokens`, `heal`, and
/// per provider `rotate` (`value`: the new key, token or secret), `limit` (`value`: Autotask's
/// hourly threshold, HubSpot's daily limit), and Autotask's `others` (`value`: calls other tools
/// made just now) and `window` (`value`: the rolling window's length in seconds).
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Steer {
    pub action: String,
    pub count: Option<usize>,
    pub seconds: Option<u64>,
    pub retry_after_secs: Option<u64>,
    pub ms: Option<u64>,
    pub value: Option<String>,
}

/// What a fake does with `rotate` and `limit`; `false` when it has no such thing.
pub type Extra = Arc<dyn Fn(&Steer) -> bool + Send + Sync>;

pub fn routes(control: Arc<Control>, extra: Extra) -> axum::Router {
    axum::Router::new().route("/__fake/control", axum::routing::post(steer)).with_state((control, extra))
}

async fn steer(State((control, extra)): State<(Arc<Control>, Extra)>, Json(s): Json<Steer>) -> Response {
    let retry_after_secs = s.retry_after_secs.unwrap_or(30);
    let fault = match s.action.as_str() {
        "refuse_credentials" => Some(Fault::RefuseCredentials),
        "forbidden" => Some(Fault::Forbidden),
        "rate_limited" => Some(Fault::RateLimited { retry_after_secs }),
        "server_error" => Some(Fault::ServerError),
        "unavailable" => Some(Fault::Unavailable { retry_after_secs }),
        "html" => Some(Fault::Html),
        "malformed" => Some(Fault::Malformed),
        _ => None,
    };
    match (fault, s.action.as_str()) {
        (Some(f), _) => match s.count {
            Some(n) => control.fail_next(n, f),
            None => control.fail_for(f, s.seconds.map(Duration::from_secs)),
        },
        (None, "slow") => control.slow_down(Duration::from_millis(s.ms.unwrap_or(1_000))),
        (None, "expire_tokens") => control.expire_tokens(),
        (None, "revoke_tokens") => control.revoke_tokens(),
        (None, "heal") => control.heal(),
        (None, _) if extra(&s) => {}
        (None, other) => return (StatusCode::BAD_REQUEST, format!("unknown action {other:?}")).into_response(),
    }
    StatusCode::NO_CONTENT.into_response()
}
