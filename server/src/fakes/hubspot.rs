//! Fake HubSpot: bearer tokens (a private app's, or OAuth v1 access tokens from
//! `POST /oauth/v1/token` with a refresh token), `crm/v3/objects/{companies,contacts}` paged
//! with `after`, the daily usage endpoint, `X-HubSpot-RateLimit-*` headers, a real ten-second
//! window and daily count, and HubSpot's error bodies (401 `INVALID_AUTHENTICATION` /
//! `EXPIRED_AUTHENTICATION`, 403 `MISSING_SCOPES`, 429 with `policyName`).

use super::{retry_after, serve, Control, Fake, Fault, FixedWindow, RollingWindow};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const PRIVATE_TOKEN: &str = "pat-na1-11111111-2222-3333-4444-5555deadbeef";
pub const CLIENT_ID: &str = "fake-hubspot-client-id";
pub const CLIENT_SECRET: &str = "fake-hubspot-client-secret-7c1e";
pub const REFRESH_TOKEN: &str = "6f18f21e-a743-4509-b7fd-1a5e632fffa1";
pub const DAILY_LIMIT: u64 = 250_000;
pub const TEN_SECOND_MAX: u64 = 100;

pub struct HubspotState {
    pub control: Arc<Control>,
    private_token: Mutex<Option<String>>,
    refresh_token: Mutex<String>,
    /// access token → (epoch it was issued in, expiry)
    issued: Mutex<HashMap<String, (u64, Instant)>>,
    pub expires_in_secs: AtomicU64,
    pub ten_second_max: AtomicU64,
    pub daily_limit: AtomicU64,
    ten_seconds: RollingWindow,
    day: FixedWindow,
    base: Mutex<String>,
    serial: AtomicU64,
    /// The HubSpot account's time zone, as minutes east of UTC: its daily count resets at
    /// midnight there, and the usage endpoint's `resetsAt` says when.
    pub zone_offset_minutes: AtomicI64,
    /// What "now" is for `resetsAt` (a test gives the server's clock).
    clock: Mutex<crate::clock::SharedClock>,
}

impl HubspotState {
    /// The private app's token is deleted in HubSpot: every call with it gets 401.
    pub fn revoke_private_token(&self) {
        *self.private_token.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    pub fn set_private_token(&self, token: &str) {
        *self.private_token.lock().unwrap_or_else(|p| p.into_inner()) = Some(token.to_string());
    }

    pub fn daily_used(&self) -> u64 {
        self.day.used()
    }

    pub fn use_clock(&self, clock: crate::clock::SharedClock) {
        *self.clock.lock().unwrap_or_else(|p| p.into_inner()) = clock;
    }

    /// The next midnight in the account's zone, as Unix ms.
    pub fn resets_at(&self) -> u64 {
        const DAY: i64 = 86_400_000;
        let now = self.clock.lock().unwrap_or_else(|p| p.into_inner()).now_ms() as i64;
        let offset = self.zone_offset_minutes.load(Ordering::SeqCst) * 60_000;
        let local = now + offset;
        ((local.div_euclid(DAY) + 1) * DAY - offset) as u64
    }

    fn next_id(&self) -> u64 {
        self.serial.fetch_add(1, Ordering::SeqCst)
    }
}

pub struct HubspotFake {
    pub fake: Fake,
    pub state: Arc<HubspotState>,
}

impl std::ops::Deref for HubspotFake {
    type Target = Fake;
    fn deref(&self) -> &Fake {
        &self.fake
    }
}

pub async fn start(records: u64) -> std::io::Result<HubspotFake> {
    let control = Control::new(records);
    let state = Arc::new(HubspotState {
        control: control.clone(),
        private_token: Mutex::new(Some(PRIVATE_TOKEN.into())),
        refresh_token: Mutex::new(REFRESH_TOKEN.into()),
        issued: Mutex::new(HashMap::new()),
        expires_in_secs: AtomicU64::new(1_800),
        ten_second_max: AtomicU64::new(TEN_SECOND_MAX),
        daily_limit: AtomicU64::new(DAILY_LIMIT),
        ten_seconds: RollingWindow::new(Duration::from_secs(10)),
        day: FixedWindow::new(Duration::from_secs(86_400)),
        base: Mutex::new(String::new()),
        serial: AtomicU64::new(1),
        zone_offset_minutes: AtomicI64::new(0),
        clock: Mutex::new(std::sync::Arc::new(crate::clock::SystemClock)),
    });
    let app = axum::Router::new()
        .route("/oauth/v1/token", post(token))
        .route("/account-info/v3/api-usage/daily/private-apps", get(usage))
        .route("/crm/v3/objects/{object}", get(objects))
        .with_state(state.clone());
    let steered = state.clone();
    let extra: super::remote::Extra = Arc::new(move |s| match (s.action.as_str(), &s.value) {
        ("rotate", Some(token)) => {
            steered.set_private_token(token);
            true
        }
        ("revoke_private_token", _) => {
            steered.revoke_private_token();
            true
        }
        ("limit", Some(n)) => n.parse().map(|n| steered.daily_limit.store(n, Ordering::SeqCst)).is_ok(),
        _ => false,
    });
    let fake = serve(app, control, dialect, extra).await?;
    *state.base.lock().unwrap_or_else(|p| p.into_inner()) = fake.base_url();
    Ok(HubspotFake { fake, state })
}

fn error(status: StatusCode, category: &str, message: &str) -> Response {
    let body = json!({
        "status": "error",
        "message": message,
        "correlationId": "5b5e4c0a-7d1f-4c55-9f0e-3f1b2a9c0d11",
        "category": category
    });
    (status, Json(body)).into_response()
}

const INVALID: &str = "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview";

fn rate_limited(policy: &str, retry: Option<u64>) -> Response {
    let message = if policy == "DAILY" {
        "You have reached your daily limit."
    } else {
        "You have reached your ten second limit."
    };
    let body = json!({
        "status": "error",
        "message": message,
        "errorType": "RATE_LIMIT",
        "correlationId": "0d0c7d63-1f7f-4c0e-8f2a-6c1d3b9e5a77",
        "policyName": policy,
        "requestId": "a3f1c2d4-5e6f-4a8b-9c0d-1e2f3a4b5c6d"
    });
    let mut r = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
    if let Some(secs) = retry {
        r.headers_mut().extend(retry_after(secs).map(|(k, v)| (k, HeaderValue::from_str(&v).unwrap())));
    }
    r
}

fn dialect(fault: Fault) -> Response {
    match fault {
        Fault::RefuseCredentials => error(StatusCode::UNAUTHORIZED, "INVALID_AUTHENTICATION", INVALID),
        Fault::Forbidden => error(
            StatusCode::FORBIDDEN,
            "MISSING_SCOPES",
            "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
        ),
        Fault::RateLimited { retry_after_secs } => rate_limited("TEN_SECONDLY_ROLLING", Some(retry_after_secs)),
        Fault::Unavailable { retry_after_secs } => {
            (StatusCode::SERVICE_UNAVAILABLE, retry_after(retry_after_secs), "Service Unavailable").into_response()
        }
        _ => error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_ERROR", "internal error"),
    }
}

async fn token(State(s): State<Arc<HubspotState>>, Form(form): Form<HashMap<String, String>>) -> Response {
    let f = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    if f("grant_type") != "refresh_token" {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"status": "BAD_GRANT_TYPE", "message": "unsupported grant_type"})),
        )
            .into_response();
    }
    if f("client_id") != CLIENT_ID || f("client_secret") != CLIENT_SECRET {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"status": "BAD_CLIENT_ID", "message": "missing or unknown client id"})),
        )
            .into_response();
    }
    let revoked = s.control.revoked_epoch.load(Ordering::SeqCst) > 0 || s.control.refusing();
    if revoked || f("refresh_token") != *s.refresh_token.lock().unwrap_or_else(|p| p.into_inner()) {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"status": "BAD_REFRESH_TOKEN", "message": "missing or invalid refresh token"})),
        )
            .into_response();
    }
    let expires_in = s.expires_in_secs.load(Ordering::SeqCst);
    let access = format!("CKD{:04}-fake-access-token-{}", s.next_id(), "x".repeat(40));
    let epoch = s.control.token_epoch.load(Ordering::SeqCst);
    s.issued
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(access.clone(), (epoch, Instant::now() + Duration::from_secs(expires_in)));
    s.control.grants.fetch_add(1, Ordering::SeqCst);
    Json(json!({
        "access_token": access,
        "refresh_token": f("refresh_token"),
        "expires_in": expires_in,
        "token_type": "bearer"
    }))
    .into_response()
}

/// Checks the bearer token and the two windows; adds the rate-limit headers.
fn admit(s: &HubspotState, headers: &HeaderMap) -> Result<Vec<(&'static str, String)>, Response> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .unwrap_or("");
    let private =
        s.private_token.lock().unwrap_or_else(|p| p.into_inner()).as_deref() == Some(token) && !token.is_empty();
    if s.control.refusing() {
        return Err(dialect(Fault::RefuseCredentials));
    }
    if !private {
        let issued = s.issued.lock().unwrap_or_else(|p| p.into_inner()).get(token).copied();
        match issued {
            None => return Err(dialect(Fault::RefuseCredentials)),
            Some((epoch, expires)) => {
                if epoch < s.control.token_epoch.load(Ordering::SeqCst) || Instant::now() >= expires {
                    let days = Instant::now().saturating_duration_since(expires).as_secs() / 86_400;
                    let message = format!("The OAuth token used to make this call expired {days} day(s) ago.");
                    return Err(error(StatusCode::UNAUTHORIZED, "EXPIRED_AUTHENTICATION", &message));
                }
            }
        }
    }
    let max = s.ten_second_max.load(Ordering::SeqCst);
    if s.ten_seconds.count() >= max {
        return Err(rate_limited("TEN_SECONDLY_ROLLING", None));
    }
    let daily = s.daily_limit.load(Ordering::SeqCst);
    let used = s.day.take(daily).map_err(|_| rate_limited("DAILY", None))?;
    let in_window = s.ten_seconds.record();
    Ok(vec![
        ("X-HubSpot-RateLimit-Daily", daily.to_string()),
        ("X-HubSpot-RateLimit-Daily-Remaining", daily.saturating_sub(used).to_string()),
        ("X-HubSpot-RateLimit-Interval-Milliseconds", "10000".into()),
        ("X-HubSpot-RateLimit-Max", max.to_string()),
        ("X-HubSpot-RateLimit-Remaining", max.saturating_sub(in_window).to_string()),
    ])
}

fn with_headers(headers: Vec<(&'static str, String)>, body: Value) -> Response {
    let mut r = Json(body).into_response();
    for (k, v) in headers {
        if let Ok(v) = HeaderValue::from_str(&v) {
            r.headers_mut().insert(k, v);
        }
    }
    r
}

async fn usage(State(s): State<Arc<HubspotState>>, headers: HeaderMap) -> Response {
    let h = match admit(&s, &headers) {
        Ok(h) => h,
        Err(r) => return r,
    };
    let now = crate::clock::rfc3339(s.clock.lock().unwrap_or_else(|p| p.into_inner()).now_ms());
    let next_midnight = crate::clock::rfc3339(s.resets_at());
    with_headers(
        h,
        json!({ "results": [{
            "name": "private-apps-api-calls-daily",
            "usageLimit": s.daily_limit.load(Ordering::SeqCst),
            "currentUsage": s.day.used(),
            "collectedAt": now,
            "fetchStatus": "SUCCESS",
            "resetsAt": next_midnight
        }]}),
    )
}

async fn objects(
    State(s): State<Arc<HubspotState>>,
    Path(object): Path<String>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let h = match admit(&s, &headers) {
        Ok(h) => h,
        Err(r) => return r,
    };
    if object != "companies" && object != "contacts" {
        return error(
            StatusCode::NOT_FOUND,
            "OBJECT_NOT_FOUND",
            &format!("Unable to infer object type from: {object}"),
        );
    }
    let limit: u64 = q.get("limit").and_then(|l| l.parse().ok()).unwrap_or(10);
    if !(1..=100).contains(&limit) {
        return error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", "limit must be between 1 and 100");
    }
    let after: u64 = q.get("after").and_then(|a| a.parse().ok()).unwrap_or(0);
    let total = s.control.records();
    let last = (after + limit).min(total);
    let results: Vec<Value> = (after + 1..=last)
        .map(|id| {
            let (name, domain) = super::company(id);
            let properties = if object == "companies" {
                json!({ "name": name, "domain": domain })
            } else {
                json!({ "email": format!("contact{id}@{domain}"), "firstname": "Pat", "lastname": format!("Contact {id}") })
            };
            json!({ "id": id.to_string(), "properties": properties, "createdAt": "2026-01-05T10:00:00.000Z",
                    "updatedAt": "2026-11-20T10:00:00.000Z", "archived": false })
        })
        .collect();
    let mut body = json!({ "results": results });
    if last < total {
        let base = s.base.lock().unwrap_or_else(|p| p.into_inner()).clone();
        body["paging"] = json!({ "next": { "after": last.to_string(), "link": format!("{base}/crm/v3/objects/{object}?after={last}") } });
    }
    with_headers(h, body)
}
