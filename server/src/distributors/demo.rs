//! `--demo`: two price feeds on loopback — a CSV file over HTTP and a `~`-separated file on an
//! FTP server — with a few thousand generated products, configured for the demo tenant through
//! the same code paths an admin's form uses. No row is inserted by hand: prices arrive by sync.
//!
//! The FTP feed is the stale one: its distributor "changed the password" (the stored one gets
//! `530`), it syncs weekly and counts as stale after an hour, so its Stale badge and issue show
//! one hour after the demo is first started, and Test connection shows the failure at once.

use super::fetch::allow_demo_target;
use super::sync::{self, Trigger};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use sluice_contract::distributors::{ColumnMapping, CsvOptions, DistributorInput, FeedKind};
use std::net::SocketAddr;
use std::sync::Arc;

pub const PRODUCTS: usize = 3_000;
pub const HTTP_NAME: &str = "Ingram Micro (demo, HTTP CSV)";
pub const FTP_NAME: &str = "TD Synnex (demo, FTP)";
const FTP_USER: &str = "demo";
/// What the demo FTP server accepts; the distributor is configured with an older one.
const FTP_PASSWORD: &str = "demo-feed-2026";
const FTP_OLD_PASSWORD: &str = "demo-feed-2025";

/// Deterministic products: SKU, MPN, description, price, stock.
fn product(n: usize) -> (String, String, String, String, u32) {
    const KINDS: [&str; 6] =
        ["USB-C cable 2 m", "Wireless mouse", "27\" monitor", "Laptop dock", "SSD 1 TB", "Keyboard DE"];
    let cents = 499 + (n * 7919) % 90_000;
    (
        format!("DEMO-{n:05}"),
        format!("MPN{:06}", n * 13),
        format!("{} #{n}", KINDS[n % KINDS.len()]),
        format!("{}.{:02}", cents / 100, cents % 100),
        (n % 37) as u32,
    )
}

fn http_file() -> String {
    let mut out = String::from("SKU,MPN,Description,Price,Currency,Stock\n");
    for n in 0..PRODUCTS {
        let (sku, mpn, desc, price, stock) = product(n);
        out.push_str(&format!("{sku},{mpn},\"{}\",{price},EUR,{stock}\n", desc.replace('"', "\"\"")));
    }
    out
}

fn ftp_file() -> String {
    // Another distributor's view of most of the same catalogue, a little cheaper.
    (0..PRODUCTS)
        .filter(|n| n % 4 != 0)
        .map(|n| {
            let (sku, mpn, desc, price, stock) = product(n);
            let cheaper = format!("{:.2}", price.parse::<f64>().unwrap_or(0.0) * 0.97);
            format!("{sku}~{mpn}~{desc}~{cheaper}~EUR~{stock}\n")
        })
        .collect()
}

/// Starts the feed servers and points the demo tenant's distributors at them.
pub async fn start(state: &AppState, tenant_id: &str) -> AppResult<()> {
    let dir = state.config.data_dir.join("demo-feeds");
    std::fs::create_dir_all(&dir).map_err(AppError::internal)?;
    std::fs::write(dir.join("prices.csv"), http_file()).map_err(AppError::internal)?;
    std::fs::write(dir.join("PRICE.TXT"), ftp_file()).map_err(AppError::internal)?;
    let http = serve_http(dir.join("prices.csv")).await?;
    let ftp = serve_ftp(dir.clone()).await?;
    allow_demo_target(http);
    allow_demo_target(ftp);

    let existing = super::list(state, tenant_id).await?;
    let find = |name: &str| existing.iter().find(|d| d.name == name).map(|d| d.id.clone());
    let http_input = DistributorInput {
        name: HTTP_NAME.into(),
        kind: FeedKind::Http,
        url: Some(format!("http://{http}/prices.csv")),
        mapping: mapping(["SKU", "MPN", "Description", "Price", "Currency", "Stock"]),
        priority: 1,
        cadence_minutes: 15,
        stale_after_hours: 26,
        ignore_older_than_days: Some(7),
        max_rejected_percent: 5,
        ..Default::default()
    };
    let ftp_input = DistributorInput {
        name: FTP_NAME.into(),
        kind: FeedKind::Ftp,
        host: Some(ftp.ip().to_string()),
        port: Some(ftp.port()),
        username: Some(FTP_USER.into()),
        password: Some(FTP_OLD_PASSWORD.into()),
        path: Some("/PRICE.TXT".into()),
        csv: CsvOptions { delimiter: "~".into(), header: false, ..Default::default() },
        mapping: mapping(["1", "2", "3", "4", "5", "6"]),
        priority: 2,
        cadence_minutes: 10_080,
        stale_after_hours: 1,
        max_rejected_percent: 5,
        ..Default::default()
    };
    let http_id = match find(HTTP_NAME) {
        Some(id) => super::update(state, tenant_id, &id, http_input).await?.id,
        None => super::create(state, tenant_id, http_input).await?.id,
    };
    match find(FTP_NAME) {
        // Only the address moves between starts; the admin's password stays theirs to fix.
        Some(id) => {
            let d = super::get(state, tenant_id, &id).await?;
            let keep = DistributorInput { password: None, ..ftp_input };
            super::update(state, tenant_id, &id, DistributorInput { mapping: d.mapping, ..keep }).await?;
        }
        None => {
            let id = super::create(state, tenant_id, ftp_input).await?.id;
            let _ = sync::start(state, tenant_id, &id, Trigger::Manual).await;
        }
    }
    let _ = sync::start(state, tenant_id, &http_id, Trigger::Manual).await;
    // A demo fake, not a secret: the admin types it in to fix the FTP feed.
    tracing::info!(%http, %ftp, "demo price feeds serving; the FTP distributor's new password is {FTP_PASSWORD}");
    Ok(())
}

fn mapping(cols: [&str; 6]) -> ColumnMapping {
    ColumnMapping {
        sku: cols[0].into(),
        mpn: Some(cols[1].into()),
        description: Some(cols[2].into()),
        cost_price: cols[3].into(),
        currency: Some(cols[4].into()),
        stock: Some(cols[5].into()),
    }
}

async fn serve_http(file: std::path::PathBuf) -> AppResult<SocketAddr> {
    let app = axum::Router::new().route_service("/prices.csv", tower_http::services::ServeFile::new(file));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(AppError::internal)?;
    let addr = listener.local_addr().map_err(AppError::internal)?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(addr)
}

#[derive(Debug)]
struct DemoLogin;

#[async_trait::async_trait]
impl unftp_core::auth::Authenticator for DemoLogin {
    async fn authenticate(
        &self,
        username: &str,
        creds: &unftp_core::auth::Credentials,
    ) -> Result<unftp_core::auth::Principal, unftp_core::auth::AuthenticationError> {
        if username == FTP_USER && creds.password.as_deref() == Some(FTP_PASSWORD) {
            Ok(unftp_core::auth::Principal { username: username.to_string() })
        } else {
            Err(unftp_core::auth::AuthenticationError::BadPassword)
        }
    }
}

async fn serve_ftp(root: std::path::PathBuf) -> AppResult<SocketAddr> {
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(AppError::internal)?.port();
    let server = libunftp::ServerBuilder::with_authenticator(
        Box::new(move || unftp_sbe_fs::Filesystem::new(root.clone()).expect("demo feed dir")),
        Arc::new(DemoLogin),
    )
    .greeting("Sluice demo price feed")
    .passive_host([127, 0, 0, 1])
    .passive_ports(50_000..=50_999)
    .build()
    .map_err(AppError::internal)?;
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    tokio::spawn(async move {
        if let Err(e) = server.listen(addr.to_string()).await {
            tracing::warn!(error = %e, "demo FTP feed stopped");
        }
    });
    Ok(addr)
}
