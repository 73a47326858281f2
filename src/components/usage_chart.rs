//! Requests per bucket against the limit's pace, drawn as SVG: no chart library shipped.

use leptos::prelude::*;
use sluice_contract::usage::UsagePoint;

pub const WIDTH: f64 = 720.0;
pub const HEIGHT: f64 = 220.0;
const LEFT: f64 = 44.0;
const BOTTOM: f64 = 22.0;
const TOP: f64 = 8.0;

/// One bar: accepted requests stacked under refused ones.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub x: f64,
    pub width: f64,
    pub accepted_y: f64,
    pub accepted_h: f64,
    pub rejected_y: f64,
    pub rejected_h: f64,
}

/// The chart's geometry, computed apart from the drawing so it can be checked exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct Geometry {
    pub bars: Vec<Bar>,
    /// Top of the y axis (requests per bucket).
    pub y_max: u64,
    /// Where the limit's pace line sits, when the pace is drawable.
    pub pace_y: Option<f64>,
}

/// A round axis top at or above `n` (1, 2, 5 × 10^k).
pub fn nice_max(n: u64) -> u64 {
    let n = n.max(1);
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            if m * step >= n {
                return m * step;
            }
        }
        step *= 10;
    }
}

/// Bars for `series`, scaled so the tallest bar and the pace line (`pace` requests per bucket) fit.
pub fn geometry(series: &[UsagePoint], pace: Option<f64>) -> Geometry {
    let plot_w = WIDTH - LEFT;
    let plot_h = HEIGHT - BOTTOM - TOP;
    let tallest = series.iter().map(|p| p.requests).max().unwrap_or(0);
    let y_max = nice_max(tallest.max(pace.map(|p| p.ceil() as u64).unwrap_or(0)));
    let scale = plot_h / y_max as f64;
    let slot = plot_w / series.len().max(1) as f64;
    let width = (slot * 0.8).max(1.0);
    let base = TOP + plot_h;
    let bars = series
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let rejected = p.rejected.min(p.requests);
            let accepted_h = (p.requests - rejected) as f64 * scale;
            let rejected_h = rejected as f64 * scale;
            Bar {
                x: LEFT + i as f64 * slot + (slot - width) / 2.0,
                width,
                accepted_y: base - accepted_h,
                accepted_h,
                rejected_y: base - accepted_h - rejected_h,
                rejected_h,
            }
        })
        .collect();
    Geometry { bars, y_max, pace_y: pace.map(|p| base - p * scale) }
}

/// `HH:MM` (or `MM-DD` for long ranges) of an RFC 3339 time, in UTC.
fn tick_label(at: &str, long: bool) -> String {
    if long {
        at.get(5..10).unwrap_or(at).to_string()
    } else {
        at.get(11..16).unwrap_or(at).to_string()
    }
}

/// An SVG coordinate to one decimal, without pulling the float formatter into the wasm.
pub fn svg_num(v: f64) -> String {
    let tenths = (v * 10.0).round() as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    let t = tenths.unsigned_abs();
    if t.is_multiple_of(10) {
        format!("{sign}{}", t / 10)
    } else {
        format!("{sign}{}.{}", t / 10, t % 10)
    }
}

#[component]
pub fn UsageChart(
    series: Vec<UsagePoint>,
    /// Requests per bucket that would use the whole limit if kept up (limit × bucket / window).
    pace: Option<f64>,
    /// "per minute", "per 15 min", "per hour".
    #[prop(into)]
    per: String,
    /// Days rather than hours on the time axis.
    long_range: bool,
) -> impl IntoView {
    let g = geometry(&series, pace);
    let peak = series.iter().map(|p| p.requests).max().unwrap_or(0);
    let refused: u64 = series.iter().map(|p| p.rejected).sum();
    let summary = format!("Requests {per}: peak {peak}, {refused} refused with 429.");
    let label = summary.clone();
    let base = HEIGHT - BOTTOM;
    let every = (series.len() / 6).max(1);
    let ticks = series
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, p)| {
            let x = g.bars[i].x + g.bars[i].width / 2.0;
            view! { <text x={svg_num(x)} y={svg_num(HEIGHT - 6.0)} class="tick" text-anchor="middle">{tick_label(&p.at, long_range)}</text> }
        })
        .collect_view();
    let bars = series
        .iter()
        .zip(&g.bars)
        .map(|(p, b)| {
            let tip = format!(
                "{} UTC: {} requests, {} refused",
                p.at.replace('T', " ").trim_end_matches('Z'),
                p.requests,
                p.rejected
            );
            view! {
                <g class="bar">
                    <title>{tip}</title>
                    <rect class="accepted" x={svg_num(b.x)} y={svg_num(b.accepted_y)} width={svg_num(b.width)} height={svg_num(b.accepted_h)} />
                    <rect class="rejected" x={svg_num(b.x)} y={svg_num(b.rejected_y)} width={svg_num(b.width)} height={svg_num(b.rejected_h)} />
                </g>
            }
        })
        .collect_view();
    let pace_line = g.pace_y.map(|y| {
        view! {
            <line class="pace" x1={svg_num(LEFT)} x2={svg_num(WIDTH)} y1={svg_num(y)} y2={svg_num(y)} />
            <text class="pace-label" x={svg_num(LEFT + 4.0)} y={svg_num(y - 4.0)}>"limit pace"</text>
        }
    });
    view! {
        <figure class="usage-chart">
            <svg
                viewBox=format!("0 0 {} {}", svg_num(WIDTH), svg_num(HEIGHT))
                role="img"
                aria-label=label
                data-testid="usage-chart"
            >
                <title>{summary}</title>
                <line class="axis" x1={svg_num(LEFT)} x2={svg_num(WIDTH)} y1={svg_num(base)} y2={svg_num(base)} />
                <text class="tick" x={svg_num(LEFT - 6.0)} y={svg_num(TOP + 10.0)} text-anchor="end">{g.y_max}</text>
                <text class="tick" x={svg_num(LEFT - 6.0)} y={svg_num(base)} text-anchor="end">"0"</text>
                {bars}
                {pace_line}
                {ticks}
            </svg>
            <figcaption class="legend">
                <span class="key key-accepted"></span>"Requests " {per.clone()} " (UTC)"
                <span class="key key-rejected"></span>"Refused (429)"
                <span class="key key-pace"></span>"Limit pace: the rate that would use the whole window"
            </figcaption>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::svg_num;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn coordinates_print_to_one_decimal_without_trailing_zeros() {
        let printed: Vec<String> = [0.0, 44.0, 212.04, 3.35, -4.0, -0.06, 720.0].map(svg_num).into();
        assert_eq!(printed, ["0", "44", "212", "3.4", "-4", "-0.1", "720"]);
    }
}
