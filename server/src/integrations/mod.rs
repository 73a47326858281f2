//! Admin > Integrations: Autotask, HubSpot, Salesforce and Apollo.io.
//!
//! `routes` reads input and calls in here. `credentials` saves (test first) and tests;
//! `connectors` speak each provider's wire format through the one outbound `client`; `syncs`
//! runs and schedules the syncs; `health` is what this area reports to Tools > Issues (auth,
//! expiry, usage, failed syncs) and its Retry handler; `view` builds what the API answers.

pub mod actions;
pub mod client;
pub mod connectors;
pub mod credentials;
pub mod demo;
pub mod health;
pub mod retry;
pub mod routes;
pub mod syncs;
pub mod view;

use crate::area::{self, AreaDef, Setup};
use crate::error::{AppError, AppResult};
use crate::notices::Notice;
use crate::state::AppState;
use connectors::Session;
use sluice_contract::integrations::Provider;
use sluice_contract::issues::Area;
use sluice_contract::stream::Topic;
use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

/// The area's own state: the outbound client, sessions in use, runs in flight.
pub struct Integrations {
    pub outbound: client::Outbound,
    /// Credentials in use, with the tokens their provider handed out.
    sessions: Mutex<HashMap<(String, Provider), Session>>,
    /// (tenant, provider, sync) → the run's stop flag.
    running: Mutex<HashMap<(String, Provider, String), Arc<AtomicBool>>>,
    /// When the worker last read each integration's usage (by `state.clock`).
    usage_read_at: Mutex<HashMap<(String, Provider), u64>>,
}

impl Integrations {
    pub fn of(state: &AppState) -> &Integrations {
        state.part::<Integrations>()
    }

    pub fn new(targets: &crate::net_guard::TargetPolicy) -> Integrations {
        Integrations {
            outbound: client::Outbound::new(targets),
            sessions: Mutex::new(HashMap::new()),
            running: Mutex::new(HashMap::new()),
            usage_read_at: Mutex::new(HashMap::new()),
        }
    }

    fn sessions(&self) -> std::sync::MutexGuard<'_, HashMap<(String, Provider), Session>> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the worker should read this integration's usage now (and notes that it does).
    /// The first sight only starts the clock: saving or testing has just read it.
    fn usage_due(&self, tenant: &str, provider: Provider, now: u64) -> bool {
        let mut at = self.usage_read_at.lock().unwrap_or_else(|p| p.into_inner());
        let last = at.entry((tenant.to_string(), provider)).or_insert(now);
        if now.saturating_sub(*last) < syncs::USAGE_EVERY_MS {
            return false;
        }
        *last = now;
        true
    }

    /// Usage was just read (by a test, a run or the worker).
    pub fn usage_read(&self, tenant: &str, provider: Provider, now: u64) {
        self.usage_read_at.lock().unwrap_or_else(|p| p.into_inner()).insert((tenant.to_string(), provider), now);
    }

    fn running(&self) -> std::sync::MutexGuard<'_, HashMap<(String, Provider, String), Arc<AtomicBool>>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub const AREA: AreaDef = AreaDef {
    name: "integrations",
    setup,
    routes: routes::routes,
    start: Some(|state| area::every(state, syncs::TICK, |state| Box::pin(async move { syncs::tick(&state).await }))),
    demo: Some(|state, tenant_id| {
        Box::pin(async move { demo::start(&state, &tenant_id).await.map_err(|e| e.to_string()) })
    }),
};

/// At start-up: the area's state, the Retry handler, and runs a crash interrupted marked failed.
fn setup(setup: &mut Setup) -> Result<(), String> {
    let integrations = Integrations::new(&setup.shared.targets);
    setup.provide(integrations);
    crate::issues::register_retry(setup, Area::Integrations, retry::retry);
    let n = setup
        .shared
        .store
        .call_blocking(|c| crate::store::integrations::runs::interrupt_all(c))
        .map_err(|e| e.to_string())?;
    if n > 0 {
        tracing::warn!(runs = n, "marked interrupted integration runs as failed");
    }
    Ok(())
}

/// `{provider}` from a URL: 404 for anything else.
pub fn provider(s: &str) -> AppResult<Provider> {
    Provider::parse(s).ok_or(AppError::NotFound("integration"))
}

/// Tells open consoles that this integration changed.
pub fn notify(state: &AppState, tenant_id: &str, provider: Provider) {
    let data = serde_json::json!({ "provider": provider });
    state.notify(Notice::new(Topic::Integrations, tenant_id, &data));
}

/// Tells open consoles how far a run in progress has got: ids and counts only, the console
/// fetches what it shows.
pub fn notify_run(state: &AppState, tenant_id: &str, provider: Provider, run: &sluice_contract::integrations::SyncRun) {
    let data = serde_json::json!({
        "provider": provider, "run": run.id, "sync": run.sync,
        "recordsRead": run.records_read, "calls": run.calls, "durationMs": run.duration_ms,
    });
    state.notify(Notice::new(Topic::Integrations, tenant_id, &data));
}
