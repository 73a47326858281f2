//! What a sync schedule will cost against the provider's limit, before it is saved: the console
//! shows it as the admin types and the server applies the same function when saving.

use super::{Provider, UsageWindow};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectionLevel {
    Ok,
    /// Above 70% of the limit.
    Warn,
    /// Above 100%: saving needs confirmation.
    Over,
}

/// One sync as scheduled: `(sync id, calls per run, cadence minutes, paused)`.
pub type ScheduledSync<'a> = (&'a str, u32, u32, bool);

#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    pub calls_per_hour: u64,
    pub calls_per_day: u64,
    /// The changed sync's share of the limit, per the provider's window (1.0 = all of it).
    pub this_share: f64,
    /// Every unpaused sync's share, the changed one at its new cadence.
    pub all_share: f64,
    pub level: ProjectionLevel,
    pub sentence: String,
}

/// Calls a sync makes per window, rounded up.
fn per_window(calls_per_run: u32, cadence_minutes: u32, window: UsageWindow) -> u64 {
    let cadence = u64::from(cadence_minutes.max(1));
    (u64::from(calls_per_run) * window.minutes()).div_ceil(cadence)
}

pub fn project(
    provider: Provider,
    limit: u64,
    window: UsageWindow,
    syncs: &[ScheduledSync],
    changed: (&str, u32),
) -> Projection {
    let (changed_id, cadence) = changed;
    let calls_per_run = syncs.iter().find(|s| s.0 == changed_id).map(|s| s.1).unwrap_or(0);
    let this = per_window(calls_per_run, cadence, window);
    let others: u64 = syncs
        .iter()
        .filter(|s| s.0 != changed_id && !s.3)
        .map(|s| per_window(s.1, s.2, window))
        .sum();
    let limit_f = limit.max(1) as f64;
    let this_share = this as f64 / limit_f;
    let all_share = (this + others) as f64 / limit_f;
    let level = if all_share > 1.0 {
        ProjectionLevel::Over
    } else if all_share > 0.7 {
        ProjectionLevel::Warn
    } else {
        ProjectionLevel::Ok
    };
    let per = match window {
        UsageWindow::Rolling60m => "hourly",
        _ => "daily",
    };
    let pct = |share: f64| (share * 100.0).round() as u64;
    let mut sentence =
        format!("This schedule uses {}% of {}'s {} {per} calls", pct(this_share), provider.label(), group(limit));
    if others > 0 {
        sentence.push_str(&format!("; with the other syncs, {}%", pct(all_share)));
    }
    sentence.push('.');
    let cadence = u64::from(cadence.max(1));
    Projection {
        calls_per_hour: (u64::from(calls_per_run) * 60).div_ceil(cadence),
        calls_per_day: (u64::from(calls_per_run) * 1440).div_ceil(cadence),
        this_share,
        all_share,
        level,
        sentence,
    }
}

/// `250000` as `250,000`.
pub fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
