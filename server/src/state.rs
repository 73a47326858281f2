//! What every handler and worker shares.

use crate::auth::guard::LoginGuard;
use crate::clock::SharedClock;
use crate::config::ServeArgs;
use crate::issues::RetryRegistry;
use crate::net_guard::TargetPolicy;
use crate::store::Store;
use crate::usage::{alerts::UsageAlerts, limiter::RateLimiter, recorder::UsageRecorder};
use crate::webhooks::Webhooks;
use std::ops::Deref;
use std::sync::Arc;
use tokio::sync::broadcast;

/// Something changed that open consoles should learn of (carried by the SSE stream).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    IssuesChanged {
        tenant_id: String,
    },
    /// Deliveries were created or attempted (ids, so pages refetch just what they show).
    Webhooks {
        tenant_id: String,
        delivery_ids: Vec<String>,
        endpoint_ids: Vec<String>,
    },
    /// A distributor sync made progress or ended (the `distributors` event of the stream).
    DistributorRun {
        tenant_id: String,
        progress: sluice_contract::distributors::RunProgress,
    },
    /// An integration's status, usage, credential or runs changed (the `integrations` event).
    Integrations {
        tenant_id: String,
        provider: sluice_contract::integrations::Provider,
    },
}

impl Notice {
    pub fn tenant_id(&self) -> &str {
        match self {
            Notice::IssuesChanged { tenant_id }
            | Notice::Webhooks { tenant_id, .. }
            | Notice::DistributorRun { tenant_id, .. }
            | Notice::Integrations { tenant_id, .. } => tenant_id,
        }
    }
}

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Store,
    pub clock: SharedClock,
    pub config: ServeArgs,
    /// The tenant's Public API window, spent by API keys.
    pub limiter: RateLimiter,
    /// Each console session's own window (see `usage::admission`).
    pub console_limiter: RateLimiter,
    pub usage: UsageRecorder,
    pub usage_alerts: UsageAlerts,
    pub login_guard: LoginGuard,
    /// The per-address limit on requests without valid credentials.
    pub preauth: crate::preauth::PreAuthLimiter,
    pub retry: RetryRegistry,
    /// The master key that seals credentials (see `crate::credentials`).
    pub credentials: crate::credentials::Keyring,
    pub notices: broadcast::Sender<Notice>,
    /// Flips to `true` when the server starts shutting down, so long-lived streams end.
    pub shutting_down: tokio::sync::watch::Sender<bool>,
    /// (tenant, caller, key) of idempotent requests now running.
    pub idempotency_in_flight: std::sync::Mutex<std::collections::HashSet<(String, String, String)>>,
    /// Where outbound calls may go (the SSRF guard), shared by every area that calls out.
    pub targets: Arc<TargetPolicy>,
    pub webhooks: Webhooks,
    pub integrations: crate::integrations::Integrations,
}

impl AppState {
    pub fn new(store: Store, clock: SharedClock, config: ServeArgs) -> Self {
        let (notices, _) = broadcast::channel(1024);
        let targets = TargetPolicy::new(config.allow_private_targets);
        let credentials = crate::credentials::Keyring::new(config.data_dir.clone());
        AppState(Arc::new(Inner {
            store,
            clock,
            limiter: RateLimiter::new(config.rate_limit),
            console_limiter: RateLimiter::new(config.console_rate_limit),
            config,
            usage: UsageRecorder::default(),
            usage_alerts: UsageAlerts::default(),
            login_guard: LoginGuard::default(),
            preauth: Default::default(),
            retry: RetryRegistry::default(),
            credentials,
            notices,
            shutting_down: tokio::sync::watch::Sender::new(false),
            idempotency_in_flight: Default::default(),
            webhooks: Webhooks::new(&targets),
            integrations: crate::integrations::Integrations::new(&targets),
            targets,
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
