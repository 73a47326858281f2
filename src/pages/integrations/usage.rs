//! The provider's usage against its limit (70% and 80% marked), when its count starts over,
//! and Sluice's own calls per hour over the last 7 days as a small SVG chart.

use crate::components::{nice_max, svg_num};
use leptos::prelude::*;
use sluice_contract::integrations::{
    thousands as group, Provider, UsageMeter, UsageSource, UsageWindow, USAGE_ALERT_PERCENT, USAGE_WARN_PERCENT,
};

/// Where the meter turns amber, then red: the thresholds issues are raised at.
const WARN_PERCENT: u64 = USAGE_WARN_PERCENT;
const HIGH_PERCENT: u64 = USAGE_ALERT_PERCENT;

/// Whole percent of the limit used (rounded down, so 79.9% is not yet "80%").
pub fn percent(usage: &UsageMeter) -> u64 {
    usage.percent()
}

/// `level-ok`, `level-warning` (≥ 70%) or `level-error` (≥ 80%).
pub fn usage_level(usage: &UsageMeter) -> &'static str {
    match percent(usage) {
        p if p >= HIGH_PERCENT => "level-error",
        p if p >= WARN_PERCENT => "level-warning",
        _ => "level-ok",
    }
}

/// "7,420 of 10,000 calls in the last 60 minutes (74%)".
pub fn meter_text(usage: &UsageMeter) -> String {
    let span = match usage.window {
        UsageWindow::Rolling60m => "in the last 60 minutes",
        UsageWindow::DailyAccountMidnight => "today",
        UsageWindow::Rolling24h => "in the last 24 hours",
    };
    format!("{} of {} calls {span} ({}%)", group(usage.used), group(usage.limit), percent(usage))
}

/// When the provider's count starts over, in its own terms.
pub fn reset_text(provider: Provider, usage: &UsageMeter, now_ms: f64) -> String {
    let name = provider.name();
    match usage.window {
        UsageWindow::Rolling60m => {
            format!(
                "{name} counts requests over a rolling 60 minutes: each call stops counting an hour after it was made."
            )
        }
        UsageWindow::Rolling24h => {
            format!("{name} counts requests over a rolling 24 hours: each call stops counting a day after it was made.")
        }
        UsageWindow::DailyAccountMidnight => {
            let when = usage.resets_at.map(|at| {
                let mins = ((at as f64 - now_ms) / 60_000.0).max(0.0) as u64;
                format!(" — in {} h {} min", mins / 60, mins % 60)
            });
            format!(
                "{name}'s daily count starts over at midnight in the account's time zone{}.",
                when.unwrap_or_default()
            )
        }
    }
}

/// The meter: a bar with the 70% and 80% marks, and the count in words (colour is not the
/// only signal).
#[component]
pub fn UsageBar(
    usage: UsageMeter,
    /// In a table row: the bar and the percentage only.
    #[prop(optional)]
    compact: bool,
) -> impl IntoView {
    let level = usage_level(&usage);
    let pct = percent(&usage).min(100);
    let text = meter_text(&usage);
    let source = match usage.source {
        UsageSource::Provider => "Reported by the provider",
        UsageSource::Sluice => "Counted by Sluice (the provider reports no figure)",
    };
    view! {
        <div class="usage-meter" data-testid="usage-meter">
            <div
                class="window-bar"
                role="meter"
                aria-valuemin="0"
                aria-valuemax=usage.limit
                aria-valuenow=usage.used
                aria-label="Calls used of the provider's limit"
                aria-valuetext=text.clone()
            >
                <span class=format!("window-fill {level}") style:width=format!("{pct}%")></span>
                <span class="mark" style:left=format!("{WARN_PERCENT}%") title="70%: warning"></span>
                <span class="mark" style:left=format!("{HIGH_PERCENT}%") title="80%: high"></span>
            </div>
            {if compact {
                view! { <span class="small" data-testid="usage-text">{format!("{}%", percent(&usage))}</span> }.into_any()
            } else {
                view! {
                    <p data-testid="usage-text">{text}</p>
                    <p class="muted small">{format!("Marks at 70% and 80% — issues are raised there. {source}.")}</p>
                }
                .into_any()
            }}
        </div>
    }
}

const W: f64 = 720.0;
const H: f64 = 140.0;
const LEFT: f64 = 44.0;
const BOTTOM: f64 = 20.0;
const TOP: f64 = 8.0;

/// Sluice's calls per hour, oldest first, with the pace that would use the provider's whole
/// limit (`pace` calls per hour) as a dashed line.
#[component]
pub fn HourlyCalls(hours: Vec<u32>, pace: Option<f64>, now_ms: f64) -> impl IntoView {
    let peak = hours.iter().copied().max().unwrap_or(0);
    let total: u64 = hours.iter().map(|&h| u64::from(h)).sum();
    let y_max = nice_max(u64::from(peak).max(pace.map(|p| p.ceil() as u64).unwrap_or(0)));
    let plot_h = H - BOTTOM - TOP;
    let scale = plot_h / y_max as f64;
    let slot = (W - LEFT) / hours.len().max(1) as f64;
    let base = TOP + plot_h;
    let bars = hours
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let h = f64::from(n) * scale;
            let x = LEFT + i as f64 * slot;
            view! { <rect class="accepted" x=svg_num(x) y=svg_num(base - h) width=svg_num((slot * 0.85).max(0.5)) height=svg_num(h) /> }
        })
        .collect_view();
    // A tick at the start of each day, counted back from now.
    let days = hours.len() / 24;
    let ticks = (0..days)
        .map(|d| {
            let x = LEFT + (d * 24) as f64 * slot;
            let at = now_ms - ((days - d) * 24 * 3_600_000) as f64;
            let label: String = String::from(js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at)).to_iso_string())
                .chars()
                .skip(5)
                .take(5)
                .collect();
            view! { <text class="tick" x=svg_num(x) y=svg_num(H - 5.0)>{label}</text> }
        })
        .collect_view();
    let pace_line = pace.map(|p| {
        let y = base - p * scale;
        view! {
            <line class="pace" x1=svg_num(LEFT) x2=svg_num(W) y1=svg_num(y) y2=svg_num(y) />
            <text class="pace-label" x=svg_num(LEFT + 4.0) y=svg_num(y - 4.0)>"limit pace"</text>
        }
    });
    let summary = format!(
        "Calls per hour over the last 7 days: {} in all, peak {} in one hour.",
        group(total),
        group(peak.into())
    );
    let label = summary.clone();
    view! {
        <figure class="usage-chart">
            <svg viewBox=format!("0 0 {} {}", svg_num(W), svg_num(H)) role="img" aria-label=label data-testid="hourly-calls">
                <title>{summary}</title>
                <line class="axis" x1=svg_num(LEFT) x2=svg_num(W) y1=svg_num(base) y2=svg_num(base) />
                <text class="tick" x=svg_num(LEFT - 6.0) y=svg_num(TOP + 10.0) text-anchor="end">{y_max}</text>
                <text class="tick" x=svg_num(LEFT - 6.0) y=svg_num(base) text-anchor="end">"0"</text>
                {bars}
                {pace_line}
                {ticks}
            </svg>
            <figcaption class="legend">
                <span class="key key-accepted"></span>"Calls Sluice made per hour (UTC days)"
                {pace.map(|_| view! { <span class="key key-pace"></span>"The pace that would use the provider's whole limit" })}
            </figcaption>
        </figure>
    }
}

/// Calls per hour that would use the whole limit if kept up.
pub fn hourly_pace(usage: &UsageMeter) -> f64 {
    usage.limit as f64 * 60.0 / usage.window.minutes() as f64
}
