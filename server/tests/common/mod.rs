//! A real server on 127.0.0.1 with a real SQLite file in a temp dir, and clients for it.
#![allow(dead_code)]

pub mod binary;
pub mod feeds;
pub mod issues;
pub mod providers;
pub mod receiver;

use reqwest::{Client, Method, Response};
use serde_json::Value;
use sluice_server::clock::ManualClock;
use sluice_server::config::{RateLimitSpec, ServeArgs};
use sluice_server::state::AppState;
use sluice_server::tenants::{self, CreatedTenant, NewTenant};
use std::sync::Arc;

pub const PASSWORD: &str = "correct horse battery";
/// 2026-11-24T00:00:00Z, a fixed start for the manual clock.
pub const T0: u64 = 1_795_478_400_000;

pub struct TestServer {
    pub base: String,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    pub dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
}

#[derive(Default)]
pub struct Options {
    pub rate_limit: RateLimitSpec,
    /// Each console session's window; the shipped default when `None`.
    pub console_rate_limit: Option<RateLimitSpec>,
    /// A built console to serve; none by default.
    pub dist_dir: Option<std::path::PathBuf>,
    /// `--allow-private-targets`: webhooks may go to the test's receivers on 127.0.0.1.
    pub allow_private_targets: bool,
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(Options::default()).await
    }

    /// A server whose rate limit is `count` requests per `window_secs`.
    pub async fn with_limit(count: u64, window_secs: u64) -> TestServer {
        Self::start_with(Options { rate_limit: RateLimitSpec { count, window_secs }, ..Default::default() }).await
    }

    /// A server whose webhooks and feeds may reach 127.0.0.1 (the tests' receivers).
    pub async fn with_private_targets() -> TestServer {
        Self::start_with(Options { allow_private_targets: true, ..Default::default() }).await
    }

    pub async fn start_with(options: Options) -> TestServer {
        Self::start_configured(options, |_| {}).await
    }

    /// A server with flags beyond [`Options`] (`--trusted-proxy`, `--public-url`, ...).
    pub async fn start_configured(options: Options, configure: impl FnOnce(&mut ServeArgs)) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut args = ServeArgs::for_data_dir(dir.path().to_path_buf());
        args.rate_limit = options.rate_limit;
        args.console_rate_limit = options.console_rate_limit.unwrap_or(args.console_rate_limit);
        args.allow_private_targets = options.allow_private_targets;
        args.dist_dir = options.dist_dir.unwrap_or_else(|| dir.path().join("no-dist"));
        configure(&mut args);
        let clock = ManualClock::new(T0);
        let state = sluice_server::build_state(args, clock.clone()).expect("state");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let serve_state = state.clone();
        let handle = tokio::spawn(async move {
            sluice_server::serve(listener, serve_state, async {
                let _ = rx.await;
            })
            .await
            .expect("serve");
        });
        TestServer { base, state, clock, dir, shutdown: Some(tx), handle: Some(handle) }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A tenant with an admin (`email`, [`PASSWORD`]) and an API key.
    pub async fn tenant(&self, name: &str, email: &str) -> CreatedTenant {
        let store = self.state.store.clone();
        let now = self.clock_ms();
        let new = NewTenant { name: name.into(), admin_email: email.into(), admin_password: PASSWORD.into() };
        tokio::task::spawn_blocking(move || tenants::create(&store, &new, now)).await.unwrap().expect("tenant")
    }

    pub fn clock_ms(&self) -> u64 {
        use sluice_server::clock::Clock;
        self.clock.now_ms()
    }

    /// A client that speaks with an API key.
    pub fn key_client(&self, key: &str) -> Api {
        Api { base: self.base.clone(), client: Client::new(), bearer: Some(key.to_string()) }
    }

    /// A client with a cookie jar, signed in as `email`.
    pub async fn session_client(&self, email: &str) -> Api {
        let api = Api {
            base: self.base.clone(),
            client: Client::builder().cookie_store(true).build().unwrap(),
            bearer: None,
        };
        let res = api.post("/api/v1/session", serde_json::json!({"email": email, "password": PASSWORD})).await;
        assert_eq!(res.status(), 200, "sign-in failed");
        api
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            let _ = h.await;
        }
    }
}

#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub client: Client,
    pub bearer: Option<String>,
}

impl Api {
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let mut req = self.client.request(method, format!("{}{}", self.base, path));
        if let Some(key) = &self.bearer {
            req = req.bearer_auth(key);
        }
        req
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path).send().await.expect("request")
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.request(Method::POST, path).json(&body).send().await.expect("request")
    }

    pub async fn put(&self, path: &str, body: Value) -> Response {
        self.request(Method::PUT, path).json(&body).send().await.expect("request")
    }

    pub async fn patch(&self, path: &str, body: Value) -> Response {
        self.request(Method::PATCH, path).json(&body).send().await.expect("request")
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.request(Method::DELETE, path).send().await.expect("request")
    }

    /// GET that must answer 200, as JSON.
    pub async fn get_json(&self, path: &str) -> Value {
        let res = self.get(path).await;
        let status = res.status();
        let body: Value = res.json().await.expect("json");
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }
}

/// Asserts the JSON error body of DESIGN.md with `status` and `code`; returns it.
pub async fn expect_error(res: Response, status: u16, code: &str) -> Value {
    assert_eq!(res.status().as_u16(), status, "status of {}", res.url());
    let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(ct.starts_with("application/json"), "error content type was {ct:?}");
    let body: Value = res.json().await.expect("json error body");
    assert_eq!(body["error"]["code"], code, "body: {body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "message in {body}");
    body
}
