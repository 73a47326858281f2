//! Admin > API usage: the tenant's rolling window, its history, who uses it, and the
//! thresholds that raise issues.

pub mod admission;
pub mod alerts;
pub mod limiter;
pub mod recorder;
pub mod routes;

use crate::area::{self, AreaDef};
use crate::auth::{Actor, Principal};
use crate::clock::rfc3339;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::{tenants, usage as store};
use alerts::UsageAlerts;
use limiter::RateLimiter;
use recorder::UsageRecorder;
use sluice_contract::usage::{
    parse_range, ConsoleWindow, TopCaller, UsagePoint, UsageReport, UsageThresholds, UsageWindow,
};
use std::time::Duration;

const THRESHOLDS_SETTING: &str = "usage_thresholds";
pub use crate::auth::CONSOLE_CALLER;
/// Usage history is kept this long.
pub const KEEP_DAYS: u64 = 30;
/// How often counts are flushed and alerts that no request would clear are judged again.
const TICK: Duration = Duration::from_secs(5);

pub const AREA: AreaDef = AreaDef {
    name: "usage",
    setup: |setup| {
        let usage = Usage::new(&setup.shared.config);
        setup.provide(usage);
        crate::issues::register_retry(setup, sluice_contract::issues::Area::ApiUsage, alerts::retry);
        Ok(())
    },
    routes: routes::routes,
    start: Some(start),
    demo: None,
};

/// The area's own state: the two kinds of windows, the request counts, and the alert levels.
pub struct Usage {
    /// The tenant's Public API window, spent by API keys.
    pub limiter: RateLimiter,
    /// Each console session's own window (see [`admission`]).
    pub console_limiter: RateLimiter,
    pub recorder: UsageRecorder,
    pub alerts: UsageAlerts,
}

impl Usage {
    pub fn new(config: &crate::config::ServeArgs) -> Usage {
        Usage {
            limiter: RateLimiter::new(config.rate_limit),
            console_limiter: RateLimiter::new(config.console_rate_limit),
            recorder: UsageRecorder::default(),
            alerts: UsageAlerts::default(),
        }
    }

    pub fn of(state: &AppState) -> &Usage {
        state.part::<Usage>()
    }
}

fn start(state: &AppState) -> tokio::task::JoinHandle<()> {
    let state = state.clone();
    tokio::spawn(async move {
        let ticks = area::every(&state, TICK, |state| {
            Box::pin(async move {
                alerts::sweep(&state).await;
                if let Err(e) = housekeeping(&state).await {
                    tracing::warn!(error = %e, "usage housekeeping failed");
                }
            })
        });
        let _ = ticks.await;
        // At shutdown: what was counted since the last tick is kept.
        if let Err(e) = housekeeping(&state).await {
            tracing::warn!(error = %e, "could not flush usage at shutdown");
        }
    })
}

pub async fn thresholds(state: &AppState, tenant_id: &str) -> AppResult<UsageThresholds> {
    let tenant = tenant_id.to_string();
    let stored = state.store.call(move |c| tenants::get_setting(c, &tenant, THRESHOLDS_SETTING)).await?;
    Ok(stored.and_then(|json| serde_json::from_str(&json).ok()).unwrap_or_default())
}

pub async fn set_thresholds(
    state: &AppState,
    tenant_id: &str,
    thresholds: UsageThresholds,
) -> AppResult<UsageThresholds> {
    thresholds.validate()?;
    let (tenant, json) = (tenant_id.to_string(), serde_json::to_string(&thresholds).map_err(AppError::internal)?);
    state.store.call(move |c| tenants::put_setting(c, &tenant, THRESHOLDS_SETTING, &json)).await?;
    Usage::of(state).alerts.forget_thresholds(tenant_id);
    // Re-judge the window against the new thresholds now, not at the next request.
    alerts::reevaluate(state, tenant_id).await;
    Ok(thresholds)
}

pub async fn window(state: &AppState, tenant_id: &str) -> AppResult<UsageWindow> {
    let usage = Usage::of(state);
    let w = usage.limiter.peek(tenant_id, state.now_ms());
    let thresholds = thresholds(state, tenant_id).await?;
    Ok(UsageWindow {
        limit: w.limit,
        window_secs: usage.limiter.spec().window_secs,
        used: w.used,
        remaining: w.remaining,
        reset_secs: w.reset_secs,
        level: alerts::level_of(w.used, w.limit, thresholds),
        thresholds,
    })
}

/// The report for `principal`: the Public API window, and the caller's own console window.
pub async fn report(state: &AppState, principal: &Principal, range: &str) -> AppResult<UsageReport> {
    let tenant_id = principal.tenant_id.as_str();
    let (range_secs, bucket_secs) = parse_range(range).ok_or_else(|| AppError::field("range", "Use 1h, 24h or 7d."))?;
    Usage::of(state).recorder.flush(&state.store).await?;
    let now_min = state.now_ms() / 60_000;
    let bucket_min = bucket_secs / 60;
    // Whole buckets, ending with the one that holds the current minute.
    let to = (now_min / bucket_min + 1) * bucket_min;
    let from = to - range_secs / 60;
    let tenant = tenant_id.to_string();
    let (rows, routes, keys) = state
        .store
        .call(move |c| {
            Ok((
                store::series(c, &tenant, from, to, bucket_min, CONSOLE_CALLER)?,
                store::top(c, &tenant, false, from, to, 8)?,
                store::top(c, &tenant, true, from, to, 8)?,
            ))
        })
        .await?;
    // Every bucket appears, empty ones as zero, so the chart's time axis is true.
    let mut series = Vec::new();
    let mut rows = rows.into_iter().peekable();
    let mut bucket = from;
    while bucket < to {
        let b = match rows.peek() {
            Some(b) if b.minute == bucket => rows.next().expect("peeked"),
            _ => store::Bucket { minute: bucket, requests: 0, rejected: 0, apart: 0 },
        };
        series.push(UsagePoint {
            at: rfc3339(bucket * 60_000),
            requests: b.requests,
            rejected: b.rejected,
            console_requests: b.apart,
        });
        bucket += bucket_min;
    }
    let to_callers = |rows: Vec<(String, u64, u64)>| {
        rows.into_iter().map(|(label, requests, rejected)| TopCaller { label, requests, rejected }).collect::<Vec<_>>()
    };
    let console_window = match &principal.actor {
        Actor::User { session, .. } => {
            let w = admission::console_window(state, session, state.now_ms());
            let window_secs = Usage::of(state).console_limiter.spec().window_secs;
            Some(ConsoleWindow {
                limit: w.limit,
                window_secs,
                used: w.used,
                remaining: w.remaining,
                reset_secs: w.reset_secs,
            })
        }
        Actor::ApiKey { .. } => None,
    };
    Ok(UsageReport {
        window: window(state, tenant_id).await?,
        console_window,
        range: range.to_string(),
        bucket_secs,
        total_requests: series.iter().map(|p| p.requests).sum(),
        total_rejected: series.iter().map(|p| p.rejected).sum(),
        total_console_requests: series.iter().map(|p| p.console_requests).sum(),
        series,
        top_routes: to_callers(routes),
        top_keys: to_callers(keys),
    })
}

/// Flushes counts and, once an hour, drops history past [`KEEP_DAYS`]; run periodically.
pub async fn housekeeping(state: &AppState) -> AppResult<()> {
    Usage::of(state).recorder.flush(&state.store).await?;
    let now = state.now_ms();
    if !Usage::of(state).recorder.prune_due(now) {
        return Ok(());
    }
    let cutoff = (now / 60_000).saturating_sub(KEEP_DAYS * 24 * 60);
    state.store.call(move |c| store::prune(c, cutoff).map(|_| ())).await
}
