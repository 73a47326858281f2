//! Fake Salesforce: the refresh-token flow at `/services/oauth2/token` (no `expires_in`, as the
//! real one), `/services/data/` versions, `/limits/` with `DailyApiRequests`, SOQL `query` over
//! Accounts with relative `nextRecordsUrl`, `Sforce-Limit-Info` on every REST answer, a real
//! rolling 24-hour count, and JSON-array errors (`INVALID_SESSION_ID`, `REQUEST_LIMIT_EXCEEDED`).

use super::{company, retry_after, serve, Control, Fake, Fault, RollingWindow};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const CLIENT_ID: &str = "3MVG9fake.consumer.key";
pub const CLIENT_SECRET: &str = "fake-consumer-secret-19ab";
pub const REFRESH_TOKEN: &str = "5Aep861fake.refresh.token.KzR2";
pub const VERSION: &str = "v60.0";
pub const DAILY_MAX: u64 = 15_000;
const BATCH: u64 = 2_000;

pub struct SalesforceState {
    pub control: Arc<Control>,
    refresh_token: Mutex<String>,
    issued: Mutex<HashMap<String, (u64, Instant)>>,
    /// How long a session (access token) lasts; Salesforce does not say in the token answer.
    pub session_secs: AtomicU64,
    pub daily_max: AtomicU64,
    day: RollingWindow,
    base: Mutex<String>,
    serial: AtomicU64,
}

impl SalesforceState {
    pub fn set_refresh_token(&self, t: &str) {
        *self.refresh_token.lock().unwrap_or_else(|p| p.into_inner()) = t.to_string();
    }

    pub fn used(&self) -> u64 {
        self.day.count()
    }
}

pub struct SalesforceFake {
    pub fake: Fake,
    pub state: Arc<SalesforceState>,
}

impl std::ops::Deref for SalesforceFake {
    type Target = Fake;
    fn deref(&self) -> &Fake {
        &self.fake
    }
}

pub async fn start(records: u64) -> std::io::Result<SalesforceFake> {
    let control = Control::new(records);
    let state = Arc::new(SalesforceState {
        control: control.clone(),
        refresh_token: Mutex::new(REFRESH_TOKEN.into()),
        issued: Mutex::new(HashMap::new()),
        session_secs: AtomicU64::new(7_200),
        daily_max: AtomicU64::new(DAILY_MAX),
        day: RollingWindow::new(Duration::from_secs(86_400)),
        base: Mutex::new(String::new()),
        serial: AtomicU64::new(1),
    });
    let app = axum::Router::new()
        .route("/services/oauth2/token", post(token))
        .route("/services/data/", get(versions))
        .route("/services/data/{version}/limits/", get(limits))
        .route("/services/data/{version}/query", get(query))
        .route("/services/data/{version}/query/{locator}", get(query_more))
        .with_state(state.clone());
    let steered = state.clone();
    let extra: super::remote::Extra = Arc::new(move |s| match (s.action.as_str(), &s.value) {
        ("rotate", Some(token)) => {
            steered.set_refresh_token(token);
            true
        }
        _ => false,
    });
    let fake = serve(app, control, dialect, extra).await?;
    *state.base.lock().unwrap_or_else(|p| p.into_inner()) = fake.base_url();
    Ok(SalesforceFake { fake, state })
}

fn errors(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!([{ "message": message, "errorCode": code, "fields": [] }]))).into_response()
}

fn dialect(fault: Fault) -> Response {
    match fault {
        Fault::RefuseCredentials => errors(StatusCode::UNAUTHORIZED, "INVALID_SESSION_ID", "Session expired or invalid"),
        Fault::Forbidden => {
            errors(StatusCode::FORBIDDEN, "API_DISABLED_FOR_ORG", "The REST API is not enabled for this Organization.")
        }
        Fault::RateLimited { retry_after_secs } => {
            let mut r = errors(StatusCode::TOO_MANY_REQUESTS, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.");
            r.headers_mut().extend(retry_after(retry_after_secs).map(|(k, v)| (k, HeaderValue::from_str(&v).unwrap())));
            r
        }
        Fault::Unavailable { retry_after_secs } => {
            let mut r = errors(StatusCode::SERVICE_UNAVAILABLE, "SERVER_UNAVAILABLE", "Server unavailable.");
            r.headers_mut().extend(retry_after(retry_after_secs).map(|(k, v)| (k, HeaderValue::from_str(&v).unwrap())));
            r
        }
        _ => errors(
            StatusCode::INTERNAL_SERVER_ERROR,
            "UNKNOWN_EXCEPTION",
            "An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-987654321)",
        ),
    }
}

fn oauth_error(error: &str, description: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": error, "error_description": description }))).into_response()
}

async fn token(State(s): State<Arc<SalesforceState>>, Form(form): Form<HashMap<String, String>>) -> Response {
    let f = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    if f("grant_type") != "refresh_token" {
        return oauth_error("unsupported_grant_type", "grant type not supported");
    }
    if f("client_id") != CLIENT_ID {
        return oauth_error("invalid_client_id", "client identifier invalid");
    }
    if !f("client_secret").is_empty() && f("client_secret") != CLIENT_SECRET {
        return oauth_error("invalid_client", "invalid client credentials");
    }
    let revoked = s.control.revoked_epoch.load(Ordering::SeqCst) > 0 || s.control.refusing();
    if revoked || f("refresh_token") != *s.refresh_token.lock().unwrap_or_else(|p| p.into_inner()) {
        return oauth_error("invalid_grant", "expired access/refresh token");
    }
    let access =
        format!("00DFAKE000000{}!AQ4AQ.fake.session.{}", s.serial.fetch_add(1, Ordering::SeqCst), "Q".repeat(60));
    let epoch = s.control.token_epoch.load(Ordering::SeqCst);
    let lasts = Duration::from_secs(s.session_secs.load(Ordering::SeqCst));
    s.issued.lock().unwrap_or_else(|p| p.into_inner()).insert(access.clone(), (epoch, Instant::now() + lasts));
    s.control.grants.fetch_add(1, Ordering::SeqCst);
    let base = s.base.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let issued_at = crate::clock::Clock::now_ms(&crate::clock::SystemClock).to_string();
    Json(json!({
        "access_token": access,
        "signature": "HfBAfakeSignature0000000000000000000000000=",
        "scope": "api refresh_token",
        "instance_url": base,
        "id": format!("{base}/id/00DFAKE000000001/005FAKE000000001"),
        "token_type": "Bearer",
        "issued_at": issued_at
    }))
    .into_response()
}

async fn versions(State(s): State<Arc<SalesforceState>>) -> Response {
    let _ = &s;
    Json(json!([
        { "label": "Spring '24", "url": "/services/data/v60.0", "version": "60.0" }
    ]))
    .into_response()
}

/// Checks the session and the rolling day; answers `Sforce-Limit-Info`.
fn admit(s: &SalesforceState, headers: &HeaderMap) -> Result<String, Response> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let valid = s.issued.lock().unwrap_or_else(|p| p.into_inner()).get(token).is_some_and(|(epoch, until)| {
        *epoch >= s.control.token_epoch.load(Ordering::SeqCst) && Instant::now() < *until
    });
    if !valid || s.control.refusing() {
        return Err(dialect(Fault::RefuseCredentials));
    }
    let max = s.daily_max.load(Ordering::SeqCst);
    if s.day.count() >= max {
        return Err(errors(StatusCode::FORBIDDEN, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."));
    }
    let used = s.day.record();
    Ok(format!("api-usage={used}/{max}"))
}

fn answer(limit_info: String, body: Value) -> Response {
    let mut r = Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&limit_info) {
        r.headers_mut().insert("Sforce-Limit-Info", v);
    }
    r
}

async fn limits(State(s): State<Arc<SalesforceState>>, headers: HeaderMap) -> Response {
    let info = match admit(&s, &headers) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let max = s.daily_max.load(Ordering::SeqCst);
    answer(
        info,
        json!({
            "DailyApiRequests": { "Max": max, "Remaining": max.saturating_sub(s.day.count()) },
            "DailyBulkApiBatches": { "Max": 15000, "Remaining": 15000 },
            "DataStorageMB": { "Max": 5, "Remaining": 5 }
        }),
    )
}

async fn query(
    State(s): State<Arc<SalesforceState>>,
    Path(_version): Path<String>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let info = match admit(&s, &headers) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let soql = q.get("q").cloned().unwrap_or_default();
    let upper = soql.to_ascii_uppercase();
    if !upper.starts_with("SELECT ") || !upper.contains(" FROM ACCOUNT") {
        return errors(StatusCode::BAD_REQUEST, "MALFORMED_QUERY", &format!("unexpected token: '{soql}'"));
    }
    let limit = upper.split(" LIMIT ").nth(1).and_then(|n| n.trim().parse::<u64>().ok());
    let total = limit.map_or(s.control.records(), |l| l.min(s.control.records()));
    answer(info, page(0, total))
}

async fn query_more(
    State(s): State<Arc<SalesforceState>>,
    Path((_version, locator)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let info = match admit(&s, &headers) {
        Ok(i) => i,
        Err(r) => return r,
    };
    // `01gFAKE-<offset>-<total>`
    let mut parts = locator.strip_prefix("01gFAKE-").unwrap_or("").split('-');
    match (parts.next().and_then(|o| o.parse().ok()), parts.next().and_then(|t| t.parse().ok())) {
        (Some(offset), Some(total)) => answer(info, page(offset, total)),
        _ => errors(StatusCode::BAD_REQUEST, "INVALID_QUERY_LOCATOR", "invalid query locator"),
    }
}

fn page(offset: u64, total: u64) -> Value {
    let last = (offset + BATCH).min(total);
    let records: Vec<Value> = (offset + 1..=last)
        .map(|n| {
            let (name, domain) = company(n);
            let id = format!("001FAKE{n:011}");
            json!({
                "attributes": { "type": "Account", "url": format!("/services/data/{VERSION}/sobjects/Account/{id}") },
                "Id": id, "Name": name, "Website": format!("https://{domain}")
            })
        })
        .collect();
    let mut body = json!({ "totalSize": total, "done": last >= total, "records": records });
    if last < total {
        body["nextRecordsUrl"] = json!(format!("/services/data/{VERSION}/query/01gFAKE-{last}-{total}"));
    }
    body
}
