//! The console's typed HTTP client. Plain Rust: no Leptos in here.
//!
//! Pages call one small function per endpoint (`api::api_keys::list()`); every one of them goes
//! through [`send`], which owns headers, cookies, JSON, errors and — via the [`gate`] — retries.

pub mod api_keys;
pub mod distributors;
mod error;
pub mod gate;
pub mod integrations;
pub mod issues;
mod platform;
pub mod session;
pub mod transport;
pub mod usage;
pub mod webhooks;

pub use error::ApiError;
pub use gate::GateStatus;
pub use platform::{idempotency_key, now_ms, set_path_source, sync_page, CancelToken};

use serde::de::DeserializeOwned;
use serde::Serialize;
use sluice_contract::headers::IDEMPOTENCY_KEY;
use sluice_contract::{ErrorBody, ErrorDetail, API_BASE};
use std::cell::RefCell;
use std::rc::Rc;
use transport::Request;

/// One call to the API, built by the endpoint functions.
#[derive(Clone)]
pub struct ApiRequest {
    method: &'static str,
    /// Path below `/api/v1`, with its query string.
    path: String,
    body: Option<String>,
    idempotency_key: Option<String>,
    /// The user's action in words, for messages ("Create API key").
    action: String,
    cancel: Option<CancelToken>,
}

impl ApiRequest {
    fn new(method: &'static str, path: impl Into<String>, action: &str) -> Self {
        ApiRequest {
            method,
            path: path.into(),
            body: None,
            idempotency_key: None,
            action: action.to_string(),
            cancel: None,
        }
    }

    pub fn get(path: impl Into<String>, action: &str) -> Self {
        Self::new("GET", path, action)
    }

    pub fn delete(path: impl Into<String>, action: &str) -> Self {
        Self::new("DELETE", path, action)
    }

    pub fn post<B: Serialize>(path: impl Into<String>, body: &B, action: &str) -> Self {
        let mut request = Self::new("POST", path, action);
        request.body = encode(body);
        request
    }

    pub fn put<B: Serialize>(path: impl Into<String>, body: &B, action: &str) -> Self {
        let mut request = Self::new("PUT", path, action);
        request.body = encode(body);
        request
    }

    pub fn patch<B: Serialize>(path: impl Into<String>, body: &B, action: &str) -> Self {
        let mut request = Self::new("PATCH", path, action);
        request.body = encode(body);
        request
    }

    /// Makes a state change safe to retry: the server does it once per key.
    pub fn idempotent(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// Lets the caller abort this request (its wait and its fetch).
    pub fn cancel_with(mut self, token: CancelToken) -> Self {
        self.cancel = Some(token);
        self
    }
}

/// Whether a background refresh should run now: not while the tab is hidden, nor while the
/// window is closed (the refresh would only wait at the gate, or add to the storm).
pub fn may_poll() -> bool {
    #[cfg(target_arch = "wasm32")]
    let visible = web_sys::window().and_then(|w| w.document()).is_none_or(|d| !d.hidden());
    #[cfg(not(target_arch = "wasm32"))]
    let visible = true;
    visible && gate::closed_until().is_none()
}

thread_local! {
    static ON_UNAUTHENTICATED: RefCell<Option<Rc<dyn Fn()>>> = const { RefCell::new(None) };
}

/// What to do when the server says the session is gone (the app sends the user to log in).
pub fn on_unauthenticated(handler: impl Fn() + 'static) {
    ON_UNAUTHENTICATED.with(|h| *h.borrow_mut() = Some(Rc::new(handler)));
}

/// The one choke point: every request of the console goes through here.
pub async fn send<T: DeserializeOwned>(request: ApiRequest) -> Result<T, ApiError> {
    decode(&exchange(request).await?)
}

/// [`send`] up to the answer's JSON text. Boxed, and not generic, so that its code exists once
/// in the wasm rather than once for every type of answer (about 3 KB each).
fn exchange(request: ApiRequest) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<String, ApiError>>>> {
    Box::pin(exchange_unboxed(request))
}

async fn exchange_unboxed(request: ApiRequest) -> Result<String, ApiError> {
    let mut headers = vec![("Accept".to_string(), "application/json".to_string())];
    if request.body.is_some() {
        headers.push(("Content-Type".into(), "application/json".into()));
    }
    if let Some(key) = &request.idempotency_key {
        headers.push((IDEMPOTENCY_KEY.into(), key.clone()));
    }
    let wire = Request {
        method: request.method.to_string(),
        path: format!("{API_BASE}{}", request.path),
        headers,
        body: request.body,
    };
    // Without a token of its own, a request lives as long as the page that sent it.
    let cancel = request.cancel.unwrap_or_else(platform::page_token);
    let response = gate::run(wire, cancel, &request.action).await?;
    if (200..300).contains(&response.status) {
        let body = response.body.trim();
        return Ok(if body.is_empty() { "null".to_string() } else { body.to_string() });
    }
    let error = decode::<ErrorBody>(&response.body).map(|b| b.error).unwrap_or_else(|_| ErrorDetail {
        code: format!("http_{}", response.status),
        message: String::new(),
        fields: Default::default(),
    });
    // A 429 that reaches here is not the API limit (the gate waits that out): a sign-in
    // lockout, say, whose message already says how long.
    if response.status == 429 {
        return Err(ApiError::RateLimited { message: error.message });
    }
    let error = ApiError::Http { status: response.status, error };
    if error.is_unauthenticated() {
        if let Some(handler) = ON_UNAUTHENTICATED.with(|h| h.borrow().clone()) {
            handler();
        }
    }
    Err(error)
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay as they are).
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// `?a=1&b=x` from the pairs whose value is present; empty when none are.
pub fn query_string<'a>(pairs: impl IntoIterator<Item = (&'a str, Option<String>)>) -> String {
    let parts: Vec<String> =
        pairs.into_iter().filter_map(|(k, v)| v.map(|v| format!("{k}={}", encode_query_value(&v)))).collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// JSON text to a typed value: the browser's own parser, then serde over the JS value.
/// Smaller in the wasm than a JSON parser of our own (serde_json's deserializer).
pub fn decode<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    let value = js_sys::JSON::parse(text).map_err(|_| ApiError::Decode("not JSON".into()))?;
    serde_wasm_bindgen::from_value(value).map_err(|e| ApiError::Decode(e.to_string()))
}

/// A typed value to JSON text, by the same route in reverse.
pub fn encode<T: serde::Serialize + ?Sized>(value: &T) -> Option<String> {
    let value = value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).ok()?;
    js_sys::JSON::stringify(&value).ok().map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn query_strings_skip_absent_values_and_encode_the_rest() {
        assert_eq!(query_string([("a", None)]), "");
        assert_eq!(query_string([("q", Some("a b&c".into())), ("limit", Some("5".into()))]), "?q=a%20b%26c&limit=5");
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn json_round_trips_and_bad_json_is_a_decode_error() {
        use sluice_contract::error::{ErrorBody, ErrorDetail};
        let body = ErrorBody {
            error: ErrorDetail {
                code: "invalid".into(),
                message: "Fix the field.".into(),
                fields: [("warningPercent".to_string(), "Too high.".to_string())].into(),
            },
        };
        let text = encode(&body).unwrap();
        assert!(text.contains(r#""fields":{"warningPercent":"Too high."}"#), "{text}");
        assert_eq!(decode::<ErrorBody>(&text).unwrap(), body);
        assert!(matches!(decode::<ErrorBody>("<html>"), Err(ApiError::Decode(_))));
        assert!(matches!(decode::<ErrorBody>(r#"{"error": 5}"#), Err(ApiError::Decode(_))));
    }
}
