//! Local feed servers for the distributor tests: an HTTP file server whose files the test
//! changes, and a real FTP server (libunftp) on 127.0.0.1 with a password the test can rotate.

use super::{Api, TestServer};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Serves `files` by path; anything else is 404.
pub struct HttpFeed {
    pub base: String,
    files: Arc<Mutex<HashMap<String, Vec<u8>>>>,
}

impl HttpFeed {
    pub async fn start() -> HttpFeed {
        let files: Arc<Mutex<HashMap<String, Vec<u8>>>> = Default::default();
        let served = files.clone();
        let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
            let served = served.clone();
            async move {
                match served.lock().unwrap().get(uri.path()) {
                    Some(body) => (axum::http::StatusCode::OK, body.clone()),
                    None => (axum::http::StatusCode::NOT_FOUND, b"not found".to_vec()),
                }
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        HttpFeed { base, files }
    }

    pub fn put(&self, path: &str, body: impl Into<Vec<u8>>) {
        self.files.lock().unwrap().insert(path.to_string(), body.into());
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

#[derive(Debug)]
struct Password(Arc<Mutex<String>>);

#[async_trait::async_trait]
impl unftp_core::auth::Authenticator for Password {
    async fn authenticate(
        &self,
        username: &str,
        creds: &unftp_core::auth::Credentials,
    ) -> Result<unftp_core::auth::Principal, unftp_core::auth::AuthenticationError> {
        if username != FTP_USER {
            return Err(unftp_core::auth::AuthenticationError::BadUser);
        }
        if creds.password.as_deref() != Some(self.0.lock().unwrap().as_str()) {
            return Err(unftp_core::auth::AuthenticationError::BadPassword);
        }
        Ok(unftp_core::auth::Principal { username: username.to_string() })
    }
}

pub const FTP_USER: &str = "acme";

/// libunftp over a temp dir; files are written straight into that dir.
pub struct FtpFeed {
    pub port: u16,
    pub root: tempfile::TempDir,
    password: Arc<Mutex<String>>,
}

impl FtpFeed {
    pub async fn start(password: &str) -> FtpFeed {
        let root = tempfile::tempdir().unwrap();
        let password = Arc::new(Mutex::new(password.to_string()));
        let dir = root.path().to_path_buf();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let server = libunftp::ServerBuilder::with_authenticator(
            Box::new(move || unftp_sbe_fs::Filesystem::new(dir.clone()).unwrap()),
            Arc::new(Password(password.clone())),
        )
        .passive_host([127, 0, 0, 1])
        .passive_ports(40_000..=49_000)
        .build()
        .unwrap();
        tokio::spawn(async move {
            let _ = server.listen(format!("127.0.0.1:{port}")).await;
        });
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        FtpFeed { port, root, password }
    }

    pub fn put(&self, name: &str, body: impl AsRef<[u8]>) {
        std::fs::write(self.root.path().join(name.trim_start_matches('/')), body).unwrap();
    }

    /// The distributor changed the password.
    pub fn set_password(&self, password: &str) {
        *self.password.lock().unwrap() = password.to_string();
    }
}

/// An HTTP CSV connection with `SKU,MPN,Description,Price,Currency,Stock` columns.
pub fn http_csv(name: &str, url: &str, priority: u32) -> Value {
    json!({
        "name": name, "kind": "http", "url": url, "format": "csv",
        "csv": {"delimiter": ",", "header": true, "decimalComma": false, "encoding": "utf-8"},
        "mapping": {"sku": "SKU", "mpn": "MPN", "description": "Description", "costPrice": "Price",
                    "currency": "Currency", "stock": "Stock"},
        "priority": priority, "cadenceMinutes": 1440, "staleAfterHours": 26, "maxRejectedPercent": 10
    })
}

pub const HEADER: &str = "SKU,MPN,Description,Price,Currency,Stock\n";

/// Creates a distributor (201) and answers its id.
pub async fn create(api: &Api, body: Value) -> String {
    let res = api.post("/api/v1/distributors", body).await;
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, 201, "create: {body}");
    body["id"].as_str().unwrap().to_string()
}

/// Force re-fetch, then wait (bounded) for the run to end; answers the finished run.
pub async fn sync(api: &Api, id: &str) -> Value {
    let res = api.post(&format!("/api/v1/distributors/{id}/sync"), json!({})).await;
    let status = res.status();
    let run: Value = res.json().await.unwrap();
    assert_eq!(status, 202, "sync: {run}");
    assert_eq!(run["status"], "running");
    let path = format!("/api/v1/distributors/{id}/runs/{}", run["id"].as_str().unwrap());
    for _ in 0..200 {
        let run = api.get_json(&path).await;
        if run["status"] != "running" {
            return run;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("run {path} did not finish in time");
}

/// Active Distributors issues of this distributor: kind → issue.
pub async fn issues_of(api: &Api, id: &str) -> HashMap<String, Value> {
    let page = api.get_json("/api/v1/issues?area=distributors&status=active").await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["entity"]["id"] == id)
        .map(|i| (i["kind"].as_str().unwrap().to_string(), i.clone()))
        .collect()
}

/// A server that lets feeds live on loopback, with a tenant and its key client.
pub async fn server() -> (TestServer, Api) {
    let server = TestServer::start_with(super::Options { allow_private_targets: true, ..Default::default() }).await;
    let tenant = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&tenant.api_key);
    (server, api)
}
