//! Admin > API usage: the tenant's calls against its limit, who makes them, and when to be told.

mod thresholds;

use crate::api::{self, query_string};
use crate::components::{EmptyState, UsageChart};
use crate::pages::load::{show, updating, Loader, Words};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use sluice_contract::usage::{ConsoleWindow, TopCaller, UsageLevel, UsageReport, UsageWindow, USAGE_RANGES};
use std::time::Duration;
use thresholds::Alerts;

/// The page refreshes itself this often: an incident page, but one that must not eat the quota.
const REFRESH: Duration = Duration::from_secs(30);

#[component]
pub fn UsagePage() -> impl IntoView {
    let query = use_query_map();
    let range = Memo::new(move |_| {
        query.with(|q| {
            q.get("range").filter(|r| USAGE_RANGES.iter().any(|(n, _, _)| n == r)).unwrap_or_else(|| "1h".into())
        })
    });
    let report = Loader::new(
        move || range.get(),
        |range: String, cancel| async move { api::usage::report(&range, cancel).await },
    );
    // No polling while the console's window is closed: the refresh would only wait at the gate.
    report.poll(REFRESH, api::may_poll);

    view! {
        <div class="page-head" data-testid="usage-page">
            <p class="breadcrumb">"Admin"</p>
            <h1>"API usage" {updating(report)}</h1>
            <p class="lede">"Calls to the Public API against this tenant's limit from every API key; the console has its own allowance, shown apart."</p>
        </div>
        <RangeSwitch range />
        {show(
            report,
            Words { loading: "Loading API usage…", failed: "API usage could not be loaded." },
            |_| false,
            || ().into_any(),
            |r| view! { {move || view! { <Report report=r.get() /> }} }.into_any(),
        )}
        <Alerts
            current=Signal::derive(move || report.data.with(|r| r.as_ref().map(|r| r.window.thresholds)))
            on_saved=Callback::new(move |_| report.refresh())
        />
    }
}

#[component]
fn RangeSwitch(range: Memo<String>) -> impl IntoView {
    let labels = [("1h", "Last hour"), ("24h", "Last 24 hours"), ("7d", "Last 7 days")];
    view! {
        <nav class="segmented" aria-label="Range">
            {labels
                .into_iter()
                .map(|(value, label)| {
                    let href = format!("/usage{}", query_string([("range", Some(value.to_string()))]));
                    view! {
                        <a
                            href=href
                            class="segment"
                            data-testid=format!("range-{value}")
                            aria-current=move || (range.get() == value).then_some("page")
                        >
                            {label}
                        </a>
                    }
                })
                .collect_view()}
        </nav>
    }
}

fn level_text(level: UsageLevel) -> (&'static str, &'static str) {
    match level {
        UsageLevel::Ok => ("level-ok", "Within thresholds"),
        UsageLevel::Warning => ("level-warning", "Above the warning threshold"),
        UsageLevel::Error => ("level-error", "Above the error threshold"),
    }
}

#[component]
fn WindowSummary(window: UsageWindow) -> impl IntoView {
    let minutes = window.window_secs / 60;
    let percent = (window.used * 100).checked_div(window.limit).unwrap_or(0).min(100);
    let (class, level) = level_text(window.level);
    let text = format!(
        "{} of {} requests used in the last {} min — {} left, {}",
        window.used,
        window.limit,
        minutes,
        window.remaining,
        if window.used == 0 {
            "nothing to wait for".to_string()
        } else {
            format!("the next frees in {} s", window.reset_secs)
        }
    );
    view! {
        <section class="section window" aria-labelledby="window-heading">
            <h2 id="window-heading">"Current window"</h2>
            <p data-testid="usage-window">{text}</p>
            <div class="window-bar" role="meter" aria-valuemin="0" aria-valuemax=window.limit aria-valuenow=window.used aria-label="Requests used in the current window">
                <span class=format!("window-fill {class}") style:width=format!("{percent}%")></span>
                <span class="mark" style:left=format!("{}%", window.thresholds.warning_percent) title="warning threshold"></span>
                <span class="mark" style:left=format!("{}%", window.thresholds.error_percent) title="error threshold"></span>
            </div>
            <p class=format!("level {class}")>
                {level} {format!(" (warning at {}%, error at {}%)", window.thresholds.warning_percent, window.thresholds.error_percent)}
            </p>
        </section>
    }
}

/// This console session's own window: API keys never spend it, so the admin is never locked out.
#[component]
fn ConsoleSummary(window: ConsoleWindow, total_in_range: u64) -> impl IntoView {
    let text = format!(
        "This console session: {} of {} requests used in the last {} s — its own allowance, apart from the Public API. {} console requests in this range.",
        window.used, window.limit, window.window_secs, total_in_range
    );
    view! {
        <section class="section" aria-labelledby="console-window-heading">
            <h2 id="console-window-heading">"Console"</h2>
            <p data-testid="usage-console-window">{text}</p>
        </section>
    }
}

#[component]
fn Report(report: UsageReport) -> impl IntoView {
    let per = match report.bucket_secs {
        60 => "per minute".to_string(),
        3600 => "per hour".to_string(),
        s => format!("per {} min", s / 60),
    };
    let pace = (report.window.window_secs > 0)
        .then(|| report.window.limit as f64 * report.bucket_secs as f64 / report.window.window_secs as f64);
    let range_label = match report.range.as_str() {
        "24h" => "the last 24 hours",
        "7d" => "the last 7 days",
        _ => "the last hour",
    };
    let long_range = report.range == "7d";
    view! {
        <WindowSummary window=report.window.clone() />
        {report.console_window.clone().map(|w| view! { <ConsoleSummary window=w total_in_range=report.total_console_requests /> })}
        <div class="usage-grid">
            <section class="section" aria-labelledby="chart-heading">
                <h2 id="chart-heading">"Requests " {per.clone()}</h2>
                <p class="totals">
                    <span data-testid="usage-total-requests">{report.total_requests}</span>
                    " requests in " {range_label} ", "
                    <span data-testid="usage-total-rejected">{report.total_rejected}</span>
                    " refused with 429."
                </p>
                {if report.total_requests == 0 {
                    view! {
                        <EmptyState title=format!("No API calls in {range_label}")>
                            <p>"Calls from the console and from API keys will show here, minute by minute."</p>
                        </EmptyState>
                    }
                    .into_any()
                } else {
                    view! { <UsageChart series=report.series.clone() pace per=per.clone() long_range /> }.into_any()
                }}
            </section>
            <Guidance />
        </div>
        <div class="usage-grid">
            <TopTable title="Top routes" testid="top-routes" row_testid="top-route" rows=report.top_routes empty="No calls in this range." />
            <TopTable title="Top API keys" testid="top-keys" row_testid="top-key" rows=report.top_keys empty="No API-key traffic in this range." />
        </div>
    }
}

#[component]
fn TopTable(
    #[prop(into)] title: String,
    testid: &'static str,
    row_testid: &'static str,
    rows: Vec<TopCaller>,
    empty: &'static str,
) -> impl IntoView {
    let body = if rows.is_empty() {
        view! { <p class="muted">{empty}</p> }.into_any()
    } else {
        view! {
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Caller"</th>
                        <th scope="col" class="num">"Requests"</th>
                        <th scope="col" class="num">"Refused"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|r| {
                            view! {
                                <tr data-testid=row_testid>
                                    <td><code>{r.label}</code></td>
                                    <td class="num">{r.requests}</td>
                                    <td class="num">{r.rejected}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <section class="section" data-testid=testid>
            <h2>{title}</h2>
            {body}
        </section>
    }
}

#[component]
fn Guidance() -> impl IntoView {
    view! {
        <aside class="guidance" data-testid="usage-guidance" aria-labelledby="guidance-heading">
            <h2 id="guidance-heading">"Using less of the limit"</h2>
            <ul>
                <li><strong>"Subscribe, don't poll: "</strong>"a webhook tells you when something changes; polling asks every minute whether it did."</li>
                <li><strong>"Batch: "</strong>"send up to 100 items in one batch request instead of one request each."</li>
                <li><strong>"Cache: "</strong>"keep what rarely changes (settings, product lists) and fetch it again only when told."</li>
                <li><strong>"Honour Retry-After: "</strong>"on a 429, wait the seconds it gives; retrying at once only lengthens the wait."</li>
            </ul>
        </aside>
    }
}
