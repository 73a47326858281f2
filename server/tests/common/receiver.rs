//! A real webhook receiver on 127.0.0.1: it records every request and answers from a script,
//! the way a tenant's endpoint would (errors, slowness, 410).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: Vec<u8>,
    pub headers: HeaderMap,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// What the receiver answers to its n-th request (0-based).
pub type Script = dyn Fn(usize) -> Answer + Send + Sync;

#[derive(Clone)]
pub struct Answer {
    pub status: u16,
    pub delay: Duration,
    pub retry_after: Option<&'static str>,
}

impl Answer {
    pub fn status(status: u16) -> Answer {
        Answer { status, delay: Duration::ZERO, retry_after: None }
    }
}

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    pub seen: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<Arc<Script>>>,
}

impl Receiver {
    pub async fn start(script: impl Fn(usize) -> Answer + Send + Sync + 'static) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let receiver =
            Receiver { url, seen: Arc::default(), script: Arc::new(Mutex::new(Arc::new(script) as Arc<Script>)) };
        let app = Router::new().route("/hook", post(handle)).with_state(receiver.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        receiver
    }

    /// Changes how it answers from now on ("the receiver is fixed").
    pub fn answer_with(&self, script: impl Fn(usize) -> Answer + Send + Sync + 'static) {
        *self.script.lock().unwrap() = Arc::new(script);
    }

    pub fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    pub fn all(&self) -> Vec<Received> {
        self.seen.lock().unwrap().clone()
    }

    /// Waits (up to 10 s) until it has seen at least `n` requests.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while self.count() < n {
            assert!(tokio::time::Instant::now() < deadline, "receiver saw {} of {n} requests", self.count());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.all()
    }
}

async fn handle(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let n = {
        let mut seen = r.seen.lock().unwrap();
        seen.push(Received {
            id: header("webhook-id"),
            timestamp: header("webhook-timestamp"),
            signature: header("webhook-signature"),
            body: body.to_vec(),
            headers: headers.clone(),
        });
        seen.len() - 1
    };
    let script = r.script.lock().unwrap().clone();
    let answer = script(n);
    if !answer.delay.is_zero() {
        tokio::time::sleep(answer.delay).await;
    }
    let mut response = (StatusCode::from_u16(answer.status).unwrap(), format!("answer {n}")).into_response();
    if let Some(ra) = answer.retry_after {
        response.headers_mut().insert("retry-after", ra.parse().unwrap());
    }
    response
}

/// Standard Webhooks verification written from the spec, independently of the server's code:
/// HMAC-SHA256 over `id.timestamp.body` keyed by the base64-decoded secret, any `v1,` entry.
pub fn verify(secret: &str, r: &Received) -> bool {
    use base64::Engine;
    use hmac::Mac;
    let key = base64::engine::general_purpose::STANDARD.decode(secret.trim_start_matches("whsec_")).unwrap();
    let mut signed = format!("{}.{}.", r.id, r.timestamp).into_bytes();
    signed.extend_from_slice(&r.body);
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(&signed);
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    r.signature.split(' ').filter_map(|s| s.strip_prefix("v1,")).any(|sig| sig == expected)
}
