//! Usage thresholds: while the window stays above the warning or error share of the limit, an
//! issue is open in Tools > Issues; it clears itself when usage drops.

use super::limiter::WindowState;
use super::Usage;
use crate::area::BoxFuture;
use crate::issues::{self, Key, Report, Resolution, Retried};
use crate::state::AppState;
use sluice_contract::issues::{EntityRef, Issue, Severity, UsageIssue};
use sluice_contract::usage::{UsageLevel, UsageThresholds};
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Default)]
pub struct UsageAlerts {
    levels: Mutex<HashMap<String, UsageLevel>>,
    thresholds: Mutex<HashMap<String, UsageThresholds>>,
}

impl UsageAlerts {
    pub fn forget_thresholds(&self, tenant_id: &str) {
        self.thresholds.lock().unwrap_or_else(|p| p.into_inner()).remove(tenant_id);
    }

    /// Records the level without touching Issues (a Retry that found the window back to normal).
    fn set_level(&self, tenant_id: &str, level: UsageLevel) {
        self.levels.lock().unwrap_or_else(|p| p.into_inner()).insert(tenant_id.to_string(), level);
    }

    /// Tenants whose last judged level was not `Ok`.
    fn alerting(&self) -> Vec<String> {
        let levels = self.levels.lock().unwrap_or_else(|p| p.into_inner());
        levels.iter().filter(|(_, l)| **l != UsageLevel::Ok).map(|(t, _)| t.clone()).collect()
    }
}

pub fn level_of(used: u64, limit: u64, t: UsageThresholds) -> UsageLevel {
    let percent = percent(used, limit);
    if percent >= t.error_percent as u64 {
        UsageLevel::Error
    } else if percent >= t.warning_percent as u64 {
        UsageLevel::Warning
    } else {
        UsageLevel::Ok
    }
}

fn percent(used: u64, limit: u64) -> u64 {
    (used * 100).checked_div(limit).unwrap_or(0)
}

async fn cached_thresholds(state: &AppState, tenant_id: &str) -> UsageThresholds {
    if let Some(t) = Usage::of(state).alerts.thresholds.lock().unwrap_or_else(|p| p.into_inner()).get(tenant_id) {
        return *t;
    }
    let t = super::thresholds(state, tenant_id).await.unwrap_or_default();
    Usage::of(state).alerts.thresholds.lock().unwrap_or_else(|p| p.into_inner()).insert(tenant_id.to_string(), t);
    t
}

/// Judges the window after a request; touches Issues only when the level changes.
pub async fn observe(state: &AppState, tenant_id: &str, window: WindowState) {
    let thresholds = cached_thresholds(state, tenant_id).await;
    let level = level_of(window.used, window.limit, thresholds);
    let previous = {
        let mut levels = Usage::of(state).alerts.levels.lock().unwrap_or_else(|p| p.into_inner());
        levels.insert(tenant_id.to_string(), level).unwrap_or(UsageLevel::Ok)
    };
    if level == previous {
        return;
    }
    let result = match level {
        UsageLevel::Ok => {
            let what = format!("usage fell to {}% of the limit", percent(window.used, window.limit));
            issues::clear(state, tenant_id, Key::new(UsageIssue::Threshold, tenant_id), Resolution::automatic(what))
                .await
        }
        UsageLevel::Warning | UsageLevel::Error => {
            let report = report(state, tenant_id, window, thresholds, level).await;
            issues::raise(state, tenant_id, report).await
        }
    };
    if let Err(e) = result {
        tracing::warn!(error = %e, "could not update the usage issue");
    }
}

async fn report(state: &AppState, tenant_id: &str, w: WindowState, t: UsageThresholds, level: UsageLevel) -> Report {
    let (severity, threshold) = match level {
        UsageLevel::Error => (Severity::Error, t.error_percent),
        _ => (Severity::Warning, t.warning_percent),
    };
    let window_secs = Usage::of(state).limiter.spec().window_secs;
    let top = top_caller(state, tenant_id, window_secs).await;
    Report {
        kind: UsageIssue::Threshold.into(),
        entity: EntityRef {
            kind: "tenant".into(),
            id: tenant_id.into(),
            name: "Public API".into(),
            link: "/usage".into(),
        },
        severity,
        title: format!("API usage at {threshold}% of limit"),
        message: format!(
            "{} of {} requests used in the rolling {}-second window ({}%).{}",
            w.used,
            w.limit,
            window_secs,
            percent(w.used, w.limit),
            top.map(|(label, n)| format!(" Top caller: {label} ({n} requests).")).unwrap_or_default()
        ),
    }
}

/// The caller with most requests over the last window, from the recorded usage.
async fn top_caller(state: &AppState, tenant_id: &str, window_secs: u64) -> Option<(String, u64)> {
    Usage::of(state).recorder.flush(&state.store).await.ok()?;
    let now_min = state.now_ms() / 60_000;
    let from = now_min.saturating_sub(window_secs.div_ceil(60));
    let tenant = tenant_id.to_string();
    let top = state.store.call(move |c| crate::store::usage::top(c, &tenant, true, from, now_min + 1, 1)).await.ok()?;
    top.into_iter().next().map(|(label, n, _)| (label, n))
}

/// Judges the window again now (thresholds changed, or time passed with no requests).
pub async fn reevaluate(state: &AppState, tenant_id: &str) {
    let window = Usage::of(state).limiter.peek(tenant_id, state.now_ms());
    observe(state, tenant_id, window).await;
}

/// Windows drain without requests; this clears alerts that no request would clear.
pub async fn sweep(state: &AppState) {
    for tenant in Usage::of(state).alerts.alerting() {
        reevaluate(state, &tenant).await;
    }
}

/// Retry from Tools > Issues: judge the window now.
pub fn retry(state: AppState, issue: Issue) -> BoxFuture<Retried> {
    Box::pin(async move {
        let tenant = issue.entity.id.clone();
        let thresholds = match super::thresholds(&state, &tenant).await {
            Ok(t) => t,
            Err(e) => return Retried::StillFailing { error: e.to_string() },
        };
        let usage = Usage::of(&state);
        let w = usage.limiter.peek(&tenant, state.now_ms());
        let pct = percent(w.used, w.limit);
        if level_of(w.used, w.limit, thresholds) == UsageLevel::Ok {
            // The alert state agrees with what the retry found; the hub resolves the issue.
            usage.alerts.set_level(&tenant, UsageLevel::Ok);
            Retried::Resolved {
                what: format!("usage is at {pct}% of the limit, below the {}% warning", thresholds.warning_percent),
            }
        } else {
            Retried::StillFailing {
                error: format!(
                    "Usage is still at {pct}% of the limit ({} of {} requests); it drops as requests leave the window (next in {} s).",
                    w.used, w.limit, w.reset_secs
                ),
            }
        }
    })
}
