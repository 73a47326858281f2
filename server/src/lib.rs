//! sluice-server: the backend of the Sluice admin console.
//!
//! A request's path through the code: `app::router` → `request_layer::handle` (who, rate limit,
//! idempotency) → an area's `routes.rs` → the area's module → `store::<area>` (SQL).

pub mod api_keys;
pub mod app;
pub mod area;
pub mod auth;
pub mod bucket;
pub mod clock;
pub mod config;
pub mod credentials;
pub mod distributors;
pub mod error;
pub mod fakes;
pub mod health;
pub mod housekeeping;
pub mod idempotency;
pub mod ids;
pub mod integrations;
pub mod issues;
pub mod net_guard;
pub mod notices;
pub mod openapi;
pub mod pagination;
pub mod peer;
pub mod preauth;
pub mod request_layer;
pub mod security;
pub mod state;
pub mod store;
pub mod stream;
pub mod tenants;
pub mod usage;
pub mod web;
pub mod webhooks;

use crate::area::{AreaDef, Setup};
use crate::clock::SharedClock;
use crate::config::ServeArgs;
use crate::state::{AppState, Shared};
use crate::store::Store;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;

/// Every admin area, once. Adding an area is its module folder and one line here (and its
/// migration appended in `store/migrations.rs`). Issues comes first: the others register their
/// Retry with it while they set up.
pub const AREAS: &[AreaDef] =
    &[issues::AREA, auth::AREA, api_keys::AREA, usage::AREA, webhooks::AREA, distributors::AREA, integrations::AREA];

/// Opens the store (migrations run here) and sets up every area.
pub fn build_state(config: ServeArgs, clock: SharedClock) -> Result<AppState, String> {
    let store = Store::open(&config.data_dir)?;
    let mut setup = Setup::new(Shared::new(store, clock, config));
    request_layer::setup(&mut setup);
    for area in AREAS {
        (area.setup)(&mut setup).map_err(|e| format!("setting up {}: {e}", area.name))?;
    }
    setup.shared.credentials.check()?;
    Ok(setup.finish())
}

/// Serves on `listener` until `shutdown` resolves; then lets the areas' background work finish
/// what it holds (a few seconds at most).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut work: Vec<_> = AREAS.iter().filter_map(|a| a.start).map(|start| start(&state)).collect();
    work.push(housekeeping::start(&state));
    let app = app::router(state.clone(), AREAS);
    let stopping = state.clone();
    let shutdown = async move {
        shutdown.await;
        // Open event streams and the areas' workers end when this flips.
        stopping.shutting_down.send_replace(true);
    };
    let result = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await;
    state.shutting_down.send_replace(true);
    // A webhook attempt in flight is recorded, or its lease runs out and it goes again after
    // the restart; usage counts are flushed.
    let aborts: Vec<_> = work.iter().map(|w| w.abort_handle()).collect();
    if tokio::time::timeout(Duration::from_secs(5), futures::future::join_all(work)).await.is_err() {
        aborts.iter().for_each(|a| a.abort());
    }
    result
}

/// `--demo`: each area starts its local fakes for the demo tenant.
pub async fn start_demos(state: &AppState, tenant_id: &str) -> Result<(), String> {
    for area in AREAS {
        if let Some(demo) = area.demo {
            demo(state.clone(), tenant_id.to_string())
                .await
                .map_err(|e| format!("starting the demo {}: {e}", area.name))?;
        }
    }
    Ok(())
}
