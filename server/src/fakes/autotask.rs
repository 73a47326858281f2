//! Fake Autotask REST API: zone discovery, the `ApiIntegrationCode`/`UserName`/`Secret`
//! headers, `ThresholdInformation` counting a real rolling 60-minute window of this fake's own
//! calls (the call itself included), and `Companies`/`Products` queries paged by ≤500 with an
//! absolute `nextPageUrl`. Errors are `{"errors": ["..."]}`.

use super::{company, retry_after, serve, Control, Fake, Fault, RollingWindow};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Json;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const USERNAME: &str = "api-user@acme.test";
pub const SECRET: &str = "autotask-secret-2026";
pub const INTEGRATION_CODE: &str = "SLUICETRACKINGIDENTIFIER27";
pub const LIMIT: u64 = 10_000;
pub const PAGE_MAX: u64 = 500;

pub struct AutotaskState {
    pub control: Arc<Control>,
    /// (user name, secret, integration code) the fake accepts.
    creds: Mutex<(String, String, String)>,
    window: RollingWindow,
    pub limit: AtomicU64,
    /// Companies held (products: the control's record count); the same count unless set.
    companies: Mutex<Option<u64>>,
    base: Mutex<String>,
}

impl AutotaskState {
    /// A new secret (the admin rotated it in Autotask): the old one is refused from now on.
    pub fn set_secret(&self, secret: &str) {
        self.creds.lock().unwrap_or_else(|p| p.into_inner()).1 = secret.to_string();
    }

    pub fn set_companies(&self, n: u64) {
        *self.companies.lock().unwrap_or_else(|p| p.into_inner()) = Some(n);
    }

    pub fn set_limit(&self, limit: u64) {
        self.limit.store(limit, Ordering::SeqCst);
    }

    /// Calls in the current rolling hour.
    pub fn used(&self) -> u64 {
        self.window.count()
    }

    /// `n` calls made just now by other tools on the same Autotask database: the threshold is
    /// shared by every integration of the database, and theirs leave the window like any other.
    pub fn others_call(&self, n: u64) {
        self.window.record_n(n);
    }

    /// How long "the hour" lasts: an e2e journey shortens it to watch usage fall.
    pub fn set_window(&self, span: Duration) {
        self.window.set_span(span);
    }
}

pub struct AutotaskFake {
    pub fake: Fake,
    pub state: Arc<AutotaskState>,
}

impl std::ops::Deref for AutotaskFake {
    type Target = Fake;
    fn deref(&self) -> &Fake {
        &self.fake
    }
}

/// Starts the fake with `records` companies and as many products.
pub async fn start(records: u64) -> std::io::Result<AutotaskFake> {
    let control = Control::new(records);
    let state = Arc::new(AutotaskState {
        control: control.clone(),
        creds: Mutex::new((USERNAME.into(), SECRET.into(), INTEGRATION_CODE.into())),
        window: RollingWindow::new(Duration::from_secs(3_600)),
        limit: AtomicU64::new(LIMIT),
        companies: Mutex::new(None),
        base: Mutex::new(String::new()),
    });
    let app = axum::Router::new()
        .route("/atservicesrest/V1.0/zoneInformation", get(zone))
        .route("/ATServicesRest/V1.0/zoneInformation", get(zone))
        .route("/ATServicesRest/V1.0/ThresholdInformation", get(threshold))
        .route("/ATServicesRest/V1.0/{entity}/query", get(query_get).post(query_post))
        .with_state(state.clone());
    let steered = state.clone();
    let extra: super::remote::Extra = Arc::new(move |s| match (s.action.as_str(), &s.value) {
        ("rotate", Some(secret)) => {
            steered.set_secret(secret);
            true
        }
        ("limit", Some(n)) => n.parse().map(|n| steered.set_limit(n)).is_ok(),
        ("others", Some(n)) => n.parse().map(|n| steered.others_call(n)).is_ok(),
        ("window", Some(secs)) => secs.parse().map(|s| steered.set_window(Duration::from_secs(s))).is_ok(),
        _ => false,
    });
    let fake = serve(app, control, dialect, extra).await?;
    *state.base.lock().unwrap_or_else(|p| p.into_inner()) = format!("{}/ATServicesRest/", fake.base_url());
    Ok(AutotaskFake { fake, state })
}

fn errors(status: StatusCode, text: &str) -> Response {
    (status, Json(json!({ "errors": [text] }))).into_response()
}

fn dialect(fault: Fault) -> Response {
    match fault {
        Fault::RefuseCredentials => errors(StatusCode::UNAUTHORIZED, "User authentication failed."),
        Fault::Forbidden => errors(StatusCode::FORBIDDEN, "Insufficient permissions to query Companies."),
        Fault::RateLimited { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            retry_after(retry_after_secs),
            Json(json!({ "errors": ["Request Threshold Exceeded. Usage is blocked until the number of requests in the last 60 minutes drops below the threshold."] })),
        )
            .into_response(),
        Fault::Unavailable { retry_after_secs } => (
            StatusCode::SERVICE_UNAVAILABLE,
            retry_after(retry_after_secs),
            Json(json!({ "errors": ["The service is temporarily unavailable."] })),
        )
            .into_response(),
        _ => errors(StatusCode::INTERNAL_SERVER_ERROR, "An unexpected error has occurred. Please contact Autotask support."),
    }
}

async fn zone(State(s): State<Arc<AutotaskState>>, Query(q): Query<HashMap<String, String>>) -> Response {
    let user = q.get("user").map(String::as_str).unwrap_or("");
    if !user.eq_ignore_ascii_case(&s.creds.lock().unwrap_or_else(|p| p.into_inner()).0) {
        return errors(StatusCode::NOT_FOUND, &format!("Zone information could not be determined for user '{user}'."));
    }
    let base = s.base.lock().unwrap_or_else(|p| p.into_inner()).clone();
    Json(json!({
        "zoneName": "America East 2 (fake)",
        "url": base,
        "webUrl": "https://ww2.autotask.net/",
        "ci": 12345
    }))
    .into_response()
}

/// Authenticates and counts the call against the rolling hour; `Err` is the answer to send.
fn admit(s: &AutotaskState, headers: &HeaderMap) -> Result<(), Response> {
    let h = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
    let ok = {
        let c = s.creds.lock().unwrap_or_else(|p| p.into_inner());
        h("UserName") == c.0 && h("Secret") == c.1 && h("ApiIntegrationCode") == c.2 && !s.control.refusing()
    };
    if !ok {
        return Err(dialect(Fault::RefuseCredentials));
    }
    if s.window.count() >= s.limit.load(Ordering::SeqCst) {
        return Err(dialect(Fault::RateLimited { retry_after_secs: s.window.secs_until_room() }));
    }
    s.window.record();
    Ok(())
}

async fn threshold(State(s): State<Arc<AutotaskState>>, headers: HeaderMap) -> Response {
    if let Err(r) = admit(&s, &headers) {
        return r;
    }
    Json(json!({
        "externalRequestThreshold": s.limit.load(Ordering::SeqCst),
        "requestThresholdTimeframe": 60,
        "currentTimeframeRequestCount": s.window.count()
    }))
    .into_response()
}

async fn query_get(
    State(s): State<Arc<AutotaskState>>,
    Path(entity): Path<String>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let search = match q.get("search").map(|s| serde_json::from_str::<Value>(s)) {
        Some(Ok(v)) => v,
        Some(Err(e)) => {
            return errors(StatusCode::BAD_REQUEST, &format!("The search parameter is not valid JSON: {e}"))
        }
        None => json!({}),
    };
    query(&s, &entity, &headers, search)
}

async fn query_post(
    State(s): State<Arc<AutotaskState>>,
    Path(entity): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    match serde_json::from_slice::<Value>(&body) {
        Ok(v) => query(&s, &entity, &headers, v),
        Err(e) => errors(StatusCode::BAD_REQUEST, &format!("The request body is not valid JSON: {e}")),
    }
}

fn query(s: &AutotaskState, entity: &str, headers: &HeaderMap, search: Value) -> Response {
    if let Err(r) = admit(s, headers) {
        return r;
    }
    if entity != "Companies" && entity != "Products" {
        return errors(StatusCode::NOT_FOUND, &format!("Entity '{entity}' was not found."));
    }
    // `{"op":"gt","field":"id","value":N}` is the one filter the fake understands (and needs).
    let after = search["filter"]
        .as_array()
        .and_then(|f| {
            f.iter().find(|c| c["op"] == "gt" && c["field"].as_str().is_some_and(|f| f.eq_ignore_ascii_case("id")))
        })
        .and_then(|c| c["value"].as_u64())
        .unwrap_or(0);
    let max = search["MaxRecords"].as_u64().unwrap_or(PAGE_MAX).clamp(1, PAGE_MAX);
    let total = match *s.companies.lock().unwrap_or_else(|p| p.into_inner()) {
        Some(n) if entity == "Companies" => n,
        _ => s.control.records(),
    };
    let last = (after + max).min(total);
    let items: Vec<Value> = (after + 1..=last)
        .map(|id| {
            let (name, domain) = company(id);
            if entity == "Companies" {
                json!({ "id": id, "companyName": name, "webAddress": format!("https://{domain}"), "isActive": true })
            } else {
                json!({ "id": id, "name": format!("Product {id}"), "sku": format!("SKU-{id:06}"), "unitPrice": (id % 900) as f64 + 0.99 })
            }
        })
        .collect();
    let next = (last < total).then(|| {
        let next_search = json!({ "filter": [{ "op": "gt", "field": "id", "value": last }], "MaxRecords": max });
        let encoded: String = url::form_urlencoded::byte_serialize(next_search.to_string().as_bytes()).collect();
        format!("{}V1.0/{entity}/query?search={encoded}", s.base.lock().unwrap_or_else(|p| p.into_inner()))
    });
    Json(json!({
        "items": items,
        "pageDetails": { "count": items.len(), "requestCount": max, "prevPageUrl": null, "nextPageUrl": next }
    }))
    .into_response()
}
