//! What every handler and worker shares: the store, clock, config, the notice bus, the shared
//! credentials keyring and outbound-target policy, and each area's own state.
//!
//! Areas keep their state in their own module (`usage::Usage`, `webhooks::Webhooks`, ...) and
//! reach it with `state.part::<T>()` (usually through the area's own `T::of(state)`), so this
//! file knows no area and adding one never touches it.

use crate::clock::SharedClock;
use crate::config::ServeArgs;
use crate::credentials::keyring::Keyring;
use crate::net_guard::TargetPolicy;
use crate::notices::Notice;
use crate::store::Store;
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::ops::Deref;
use std::sync::Arc;
use tokio::sync::broadcast;

/// What all areas share.
pub struct Shared {
    pub store: Store,
    pub clock: SharedClock,
    pub config: ServeArgs,
    /// The master key that seals credentials (see `crate::credentials`).
    pub credentials: Keyring,
    /// Where outbound calls may go (the SSRF guard), shared by every area that calls out.
    pub targets: Arc<TargetPolicy>,
    pub notices: broadcast::Sender<Notice>,
    /// Flips to `true` when the server starts shutting down, so long-lived work ends.
    pub shutting_down: tokio::sync::watch::Sender<bool>,
}

impl Shared {
    pub fn new(store: Store, clock: SharedClock, config: ServeArgs) -> Shared {
        let (notices, _) = broadcast::channel(1024);
        Shared {
            store,
            clock,
            credentials: Keyring::new(config.data_dir.clone()),
            targets: TargetPolicy::new(config.allow_private_targets),
            config,
            notices,
            shutting_down: tokio::sync::watch::Sender::new(false),
        }
    }

    pub fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    pub fn notify(&self, notice: Notice) {
        // No receiver (no console open) is fine.
        let _ = self.notices.send(notice);
    }

    /// Whether any console is listening (so a notice that costs a query can be skipped).
    pub fn has_listeners(&self) -> bool {
        self.notices.receiver_count() > 0
    }
}

/// Each area's own state, one value per type, filled once at start-up (see `crate::area`).
#[derive(Default)]
pub struct Parts(HashMap<TypeId, Box<dyn Any + Send + Sync>>);

impl Parts {
    pub fn insert<T: Any + Send + Sync>(&mut self, part: T) {
        self.0.insert(TypeId::of::<T>(), Box::new(part));
    }

    pub fn get<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.0.get(&TypeId::of::<T>()).and_then(|p| p.downcast_ref())
    }
}

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    shared: Shared,
    parts: Parts,
}

impl AppState {
    pub fn new(shared: Shared, parts: Parts) -> AppState {
        AppState(Arc::new(Inner { shared, parts }))
    }

    /// An area's own state. Every area in `crate::AREAS` provides its part at start-up, so a
    /// missing one is a wiring mistake that the first test run finds.
    pub fn part<T: Any + Send + Sync>(&self) -> &T {
        self.0.parts.get::<T>().unwrap_or_else(|| panic!("no {} was set up", std::any::type_name::<T>()))
    }
}

impl Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0.shared
    }
}
