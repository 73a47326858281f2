//! The face every admin area offers, and what it is given to set itself up.
//!
//! An area is a module folder that exports one `pub const AREA: AreaDef`; `crate::AREAS` lists
//! them once. At start-up each area's `setup` puts its own state into the shared state (and
//! registers its Retry with the Issues hub); `app::router` merges each area's `routes`; `serve`
//! runs each area's `start` and waits for it at shutdown; `--demo` runs each area's `demo`.

use crate::state::{AppState, Parts, Shared};
use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use tokio::task::JoinHandle;
use utoipa_axum::router::OpenApiRouter;

pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Starts an area's demo fakes for the demo tenant (its id).
pub type DemoFn = fn(AppState, String) -> BoxFuture<Result<(), String>>;

pub struct AreaDef {
    /// The area's name, as its folder is named on both sides.
    pub name: &'static str,
    /// Builds the area's own state into [`Setup`]; runs once, in list order, before serving.
    pub setup: fn(&mut Setup) -> Result<(), String>,
    /// Its routes under `/api/v1`, with their OpenAPI annotations.
    pub routes: fn() -> OpenApiRouter<AppState>,
    /// Its background work, if any. It should end soon after `shutting_down` flips (see
    /// [`every`]); `serve` waits a few seconds for it, then stops it.
    pub start: Option<fn(&AppState) -> JoinHandle<()>>,
    /// `--demo`: starts the area's local fakes for the demo tenant (the tenant id).
    pub demo: Option<DemoFn>,
}

/// What an area's `setup` works with: the shared state, and the parts set up so far.
pub struct Setup {
    pub shared: Shared,
    parts: Parts,
}

impl Setup {
    pub fn new(shared: Shared) -> Setup {
        Setup { shared, parts: Parts::default() }
    }

    /// Keeps `part` as the area's own state (one value per type).
    pub fn provide<T: Any + Send + Sync>(&mut self, part: T) {
        self.parts.insert(part);
    }

    /// A part an earlier area provided (the Issues hub's registry, say).
    pub fn part<T: Any + Send + Sync>(&self) -> &T {
        self.parts.get::<T>().unwrap_or_else(|| {
            panic!("{} is not set up yet: list its area earlier in AREAS", std::any::type_name::<T>())
        })
    }

    pub fn finish(self) -> AppState {
        AppState::new(self.shared, self.parts)
    }
}

/// Runs `work` every `period` until the server shuts down (a pass that is running finishes).
pub fn every(state: &AppState, period: Duration, work: fn(AppState) -> BoxFuture<()>) -> JoinHandle<()> {
    let state = state.clone();
    tokio::spawn(async move {
        let mut stopping = state.shutting_down.subscribe();
        let mut tick = tokio::time::interval(period);
        while !*stopping.borrow() {
            tokio::select! {
                _ = tick.tick() => work(state.clone()).await,
                changed = stopping.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
            }
        }
    })
}
