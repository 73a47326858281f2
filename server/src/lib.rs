//! sluice-server: the backend of the Sluice admin console.
//!
//! A request's path through the code: `app::router` → `gate::api_gate` (who, rate limit,
//! idempotency) → an area's `routes.rs` → the area's module → `store::<area>` (SQL).

pub mod api_keys;
pub mod app;
pub mod auth;
pub mod bucket;
pub mod clock;
pub mod config;
pub mod credentials;
pub mod distributors;
pub mod error;
pub mod fakes;
pub mod gate;
pub mod housekeeping;
pub mod idempotency;
pub mod ids;
pub mod integrations;
pub mod issues;
pub mod net_guard;
pub mod openapi;
pub mod pagination;
pub mod peer;
pub mod preauth;
pub mod security;
pub mod state;
pub mod store;
pub mod stream;
pub mod tenants;
pub mod usage;
pub mod web;
pub mod webhooks;

use crate::clock::SharedClock;
use crate::config::ServeArgs;
use crate::state::AppState;
use crate::store::Store;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;

/// Opens the store and builds the state (migrations run here).
pub fn build_state(config: ServeArgs, clock: SharedClock) -> Result<AppState, String> {
    let store = Store::open(&config.data_dir)?;
    let state = AppState::new(store, clock, config);
    usage::alerts::register_retry(&state);
    distributors::init(&state)?;
    integrations::init(&state)?;
    state.credentials.check()?;
    webhooks::register_retry(&state);
    Ok(state)
}

/// Serves on `listener` until `shutdown` resolves, then flushes what is buffered.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let workers = spawn_workers(state.clone());
    let delivery = webhooks::deliver::spawn(state.clone());
    let app = app::router(state.clone());
    let stopping = state.clone();
    let shutdown = async move {
        shutdown.await;
        // Open event streams would otherwise hold graceful shutdown forever.
        stopping.shutting_down.send_replace(true);
    };
    let result = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await;
    workers.abort();
    // The worker stops claiming at shutdown; attempts in flight are recorded or their leases
    // run out and they go again after the restart.
    let _ = tokio::time::timeout(Duration::from_secs(5), delivery).await;
    if let Err(e) = usage::housekeeping(&state).await {
        tracing::warn!(error = %e, "could not flush usage at shutdown");
    }
    result
}

/// Periodic work: usage flush, pruning, alerts that clear as windows drain.
fn spawn_workers(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            usage::alerts::sweep(&state).await;
            distributors::worker::tick(&state).await;
            integrations::syncs::tick(&state).await;
            if let Err(e) = usage::housekeeping(&state).await {
                tracing::warn!(error = %e, "usage housekeeping failed");
            }
            if let Err(e) = housekeeping::prune(&state).await {
                tracing::warn!(error = %e, "pruning failed");
            }
        }
    })
}
