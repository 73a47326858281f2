//! Fake Apollo.io: `x-api-key`, `/api/v1/auth/health` with `is_logged_in` (200 even for a bad
//! key, as clients report), organization enrichment (single and bulk of ≤10 domains), fixed
//! minute/hour/day windows with Apollo's `x-*` rate-limit headers, and its error bodies.
//! Small companies (every fifth) are unknown to it: enrichment answers nothing for them.

use super::{retry_after, serve, Control, Fake, Fault, FixedWindow};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Json;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const API_KEY: &str = "apollo-fake-master-key-0001-9c3e";
pub const MINUTE_LIMIT: u64 = 200;
pub const HOURLY_LIMIT: u64 = 600;
pub const DAILY_LIMIT: u64 = 14_400;

pub struct ApolloState {
    pub control: Arc<Control>,
    api_key: Mutex<String>,
    pub minute_limit: AtomicU64,
    pub hourly_limit: AtomicU64,
    pub daily_limit: AtomicU64,
    minute: FixedWindow,
    hour: FixedWindow,
    day: FixedWindow,
}

impl ApolloState {
    /// The key is rotated (or revoked) in Apollo: the old one is refused from now on.
    pub fn set_api_key(&self, key: &str) {
        *self.api_key.lock().unwrap_or_else(|p| p.into_inner()) = key.to_string();
    }

    pub fn daily_used(&self) -> u64 {
        self.day.used()
    }
}

pub struct ApolloFake {
    pub fake: Fake,
    pub state: Arc<ApolloState>,
}

impl std::ops::Deref for ApolloFake {
    type Target = Fake;
    fn deref(&self) -> &Fake {
        &self.fake
    }
}

pub async fn start() -> std::io::Result<ApolloFake> {
    let control = Control::new(0);
    let state = Arc::new(ApolloState {
        control: control.clone(),
        api_key: Mutex::new(API_KEY.into()),
        minute_limit: AtomicU64::new(MINUTE_LIMIT),
        hourly_limit: AtomicU64::new(HOURLY_LIMIT),
        daily_limit: AtomicU64::new(DAILY_LIMIT),
        minute: FixedWindow::new(Duration::from_secs(60)),
        hour: FixedWindow::new(Duration::from_secs(3_600)),
        day: FixedWindow::new(Duration::from_secs(86_400)),
    });
    let app = axum::Router::new()
        .route("/api/v1/auth/health", get(health))
        .route("/api/v1/organizations/enrich", get(enrich))
        .route("/api/v1/organizations/bulk_enrich", post(bulk_enrich))
        .with_state(state.clone());
    let steered = state.clone();
    let extra: super::remote::Extra = Arc::new(move |s| match (s.action.as_str(), &s.value) {
        ("rotate", Some(key)) => {
            steered.set_api_key(key);
            true
        }
        _ => false,
    });
    let fake = serve(app, control, dialect, extra).await?;
    Ok(ApolloFake { fake, state })
}

fn rate_limited(endpoint: &str, limit: u64, per: &str, secs: u64) -> Response {
    let body = json!({
        "message": format!("The maximum number of api calls allowed for {endpoint} is {limit} times per {per}. Please upgrade your plan from https://app.apollo.io/#/settings/plans/upgrade."),
        "error_details": { "code": "USAGE.RATE_LIMIT.API_RATE_LIMIT_EXCEEDED" }
    });
    (StatusCode::TOO_MANY_REQUESTS, retry_after(secs), Json(body)).into_response()
}

fn dialect(fault: Fault) -> Response {
    match fault {
        Fault::RefuseCredentials => {
            (StatusCode::UNAUTHORIZED, Json(json!({ "error": "Invalid access credentials." }))).into_response()
        }
        Fault::Forbidden => (
            StatusCode::FORBIDDEN,
            Json(json!({ "error": "api/v1/organizations/enrich is not accessible with this api_key", "error_code": "API_INACCESSIBLE" })),
        )
            .into_response(),
        Fault::RateLimited { retry_after_secs } => {
            rate_limited("api/v1/organizations/enrich", HOURLY_LIMIT, "hour", retry_after_secs)
        }
        Fault::Unavailable { retry_after_secs } => {
            (StatusCode::SERVICE_UNAVAILABLE, retry_after(retry_after_secs), "Service Unavailable").into_response()
        }
        _ => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({ "error": "Something went wrong. Please try again later." })))
            .into_response(),
    }
}

fn key_ok(s: &ApolloState, headers: &HeaderMap) -> bool {
    !s.control.refusing()
        && headers.get("x-api-key").and_then(|v| v.to_str().ok())
            == Some(s.api_key.lock().unwrap_or_else(|p| p.into_inner()).as_str())
}

async fn health(State(s): State<Arc<ApolloState>>, headers: HeaderMap) -> Response {
    Json(json!({ "healthy": true, "is_logged_in": key_ok(&s, &headers) })).into_response()
}

/// Authenticates and spends one call of each window; the rate-limit headers to send.
fn admit(s: &ApolloState, headers: &HeaderMap, endpoint: &str) -> Result<Vec<(String, String)>, Response> {
    if !key_ok(s, headers) {
        return Err(dialect(Fault::RefuseCredentials));
    }
    let (m, h, d) = (
        s.minute_limit.load(Ordering::SeqCst),
        s.hourly_limit.load(Ordering::SeqCst),
        s.daily_limit.load(Ordering::SeqCst),
    );
    // Check every window before spending any, so a refused call costs nothing.
    for (window, limit, per) in [(&s.minute, m, "minute"), (&s.hour, h, "hour"), (&s.day, d, "day")] {
        if window.used() >= limit {
            let secs = window.take(limit).err().unwrap_or(1);
            return Err(rate_limited(endpoint, limit, per, secs));
        }
    }
    let used = [s.minute.take(m).unwrap_or(m), s.hour.take(h).unwrap_or(h), s.day.take(d).unwrap_or(d)];
    let mut out = Vec::new();
    for ((limit_h, usage_h, left_h), (limit, used)) in [
        ("x-rate-limit-minute", "x-minute-usage", "x-minute-requests-left"),
        ("x-rate-limit-hourly", "x-hourly-usage", "x-hourly-requests-left"),
        ("x-rate-limit-24-hour", "x-24-hour-usage", "x-24-hour-requests-left"),
    ]
    .into_iter()
    .zip([(m, used[0]), (h, used[1]), (d, used[2])])
    {
        out.push((limit_h.to_string(), limit.to_string()));
        out.push((usage_h.to_string(), used.to_string()));
        out.push((left_h.to_string(), limit.saturating_sub(used).to_string()));
    }
    Ok(out)
}

fn with_headers(headers: Vec<(String, String)>, body: Value) -> Response {
    let mut r = Json(body).into_response();
    for (k, v) in headers {
        if let (Ok(k), Ok(v)) = (axum::http::HeaderName::from_bytes(k.as_bytes()), HeaderValue::from_str(&v)) {
            r.headers_mut().insert(k, v);
        }
    }
    r
}

/// Known domains: those of the fake companies that are not "small or new" (every fifth).
fn organization(domain: &str) -> Option<Value> {
    let digits: String = domain.split('.').next()?.chars().filter(|c| c.is_ascii_digit()).collect();
    let n: u64 = digits.parse().ok()?;
    if n.is_multiple_of(5) {
        return None;
    }
    Some(json!({
        "id": format!("5f{n:022x}"),
        "name": super::company(n).0,
        "website_url": format!("http://www.{domain}"),
        "primary_domain": domain,
        "estimated_num_employees": 10 + (n * 37) % 5_000,
        "industry": "information technology & services"
    }))
}

fn params(raw: Option<String>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()).into_owned().collect()
}

async fn enrich(State(s): State<Arc<ApolloState>>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let h = match admit(&s, &headers, "api/v1/organizations/enrich") {
        Ok(h) => h,
        Err(r) => return r,
    };
    let domain = params(raw).into_iter().find(|(k, _)| k == "domain").map(|(_, v)| v).unwrap_or_default();
    // Weak input or an unknown company: 200 with nothing enriched.
    let body = organization(&domain).map_or_else(|| json!({}), |o| json!({ "organization": o }));
    with_headers(h, body)
}

async fn bulk_enrich(State(s): State<Arc<ApolloState>>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let domains: Vec<String> = params(raw).into_iter().filter(|(k, _)| k == "domains[]").map(|(_, v)| v).collect();
    if domains.len() > 10 {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "error": "You can enrich at most 10 organizations at once." })),
        )
            .into_response();
    }
    let h = match admit(&s, &headers, "api/v1/organizations/bulk_enrich") {
        Ok(h) => h,
        Err(r) => return r,
    };
    let organizations: Vec<Value> = domains.iter().filter_map(|d| organization(d)).collect();
    with_headers(h, json!({ "status": "success", "organizations": organizations }))
}
