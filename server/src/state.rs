//! What every handler and worker shares.

use crate::auth::guard::LoginGuard;
use crate::clock::SharedClock;
use crate::config::ServeArgs;
use crate::issues::RetryRegistry;
use crate::store::Store;
use crate::usage::{alerts::UsageAlerts, limiter::RateLimiter, recorder::UsageRecorder};
use std::ops::Deref;
use std::sync::Arc;
use tokio::sync::broadcast;

/// Something changed that open consoles should learn of (carried by the SSE stream).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    IssuesChanged {
        tenant_id: String,
    },
    /// A distributor sync made progress or ended (the `distributors` event of the stream).
    DistributorRun {
        tenant_id: String,
        progress: sluice_contract::distributors::RunProgress,
    },
}

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Store,
    pub clock: SharedClock,
    pub config: ServeArgs,
    pub limiter: RateLimiter,
    pub usage: UsageRecorder,
    pub usage_alerts: UsageAlerts,
    pub login_guard: LoginGuard,
    pub retry: RetryRegistry,
    /// The master key that seals credentials (see `crate::credentials`).
    pub credentials: crate::credentials::Keyring,
    pub notices: broadcast::Sender<Notice>,
    /// Flips to `true` when the server starts shutting down, so long-lived streams end.
    pub shutting_down: tokio::sync::watch::Sender<bool>,
    pub idempotency_in_flight: std::sync::Mutex<std::collections::HashSet<(String, String)>>,
}

impl AppState {
    pub fn new(store: Store, clock: SharedClock, config: ServeArgs) -> Self {
        let (notices, _) = broadcast::channel(256);
        let credentials = crate::credentials::Keyring::new(config.data_dir.clone());
        AppState(Arc::new(Inner {
            store,
            clock,
            limiter: RateLimiter::new(config.rate_limit),
            config,
            usage: UsageRecorder::default(),
            usage_alerts: UsageAlerts::default(),
            login_guard: LoginGuard::default(),
            retry: RetryRegistry::default(),
            credentials,
            notices,
            shutting_down: tokio::sync::watch::Sender::new(false),
            idempotency_in_flight: Default::default(),
        }))
    }

    pub fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    pub fn notify(&self, notice: Notice) {
        // No receiver (no console open) is fine.
        let _ = self.notices.send(notice);
    }
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
