use leptos::prelude::*;

/// Hourly bars over the last 24 h: the height is the attempts of that hour (scaled to the
/// busiest), the failed part drawn in the error colour at the bottom.
#[component]
pub fn Sparkline(
    /// Successful attempts per hour, oldest first.
    successes: Vec<u32>,
    /// Failed attempts per hour, oldest first (same length).
    failures: Vec<u32>,
) -> impl IntoView {
    const W: u32 = 4;
    const H: u32 = 24;
    let hours = successes.len().max(failures.len());
    let at = |v: &[u32], i: usize| v.get(i).copied().unwrap_or(0);
    let max = (0..hours).map(|i| at(&successes, i) + at(&failures, i)).max().unwrap_or(0).max(1);
    let (ok, failed): (u32, u32) = (successes.iter().sum(), failures.iter().sum());
    let label = format!("Last 24 hours: {ok} attempts succeeded, {failed} failed");
    let title = label.clone();
    // Integer geometry: no float formatting in the wasm (see usage_chart.rs).
    let bars = (0..hours)
        .map(|i| {
            let (s, f) = (at(&successes, i), at(&failures, i));
            let total_h = ((s + f) * H).div_ceil(max);
            let fail_h = (f * H).div_ceil(max).min(total_h);
            let x = i as u32 * (W + 1);
            view! {
                <rect class="spark-ok" x=x y=H - total_h width=W height=total_h - fail_h></rect>
                <rect class="spark-failed" x=x y=H - fail_h width=W height=fail_h></rect>
            }
        })
        .collect_view();
    view! {
        <svg
            class="sparkline"
            role="img"
            aria-label=label
            data-testid="endpoint-sparkline"
            viewBox=format!("0 0 {} {H}", hours as u32 * (W + 1))
            width=hours as u32 * (W + 1)
            height=H
        >
            <title>{title}</title>
            {bars}
        </svg>
    }
}
