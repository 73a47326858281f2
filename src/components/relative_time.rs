use leptos::prelude::*;

/// Unix ms of an RFC 3339 time, through the browser's own parser.
pub fn parse_ms(rfc3339: &str) -> Option<f64> {
    let ms = js_sys::Date::parse(rfc3339);
    (!ms.is_nan()).then_some(ms)
}

/// "just now", "3 min ago", "5 h ago", "2 d ago": how an admin reads "when" in an incident.
pub fn ago(then_ms: f64, now_ms: f64) -> String {
    let secs = ((now_ms - then_ms) / 1000.0).max(0.0) as u64;
    match secs {
        0..=44 => "just now".into(),
        45..=3_599 => format!("{} min ago", (secs + 30) / 60),
        3_600..=86_399 => format!("{} h ago", secs / 3_600),
        _ => format!("{} d ago", secs / 86_400),
    }
}

/// `2025-11-24T19:03:11Z` as `2025-11-24 19:03:11 UTC`.
pub fn exact_utc(rfc3339: &str) -> String {
    let text: String = rfc3339.chars().take(19).collect();
    format!("{} UTC", text.replacen('T', " ", 1))
}

/// A time shown relative to `now`, exact on hover (`title`) and for machines (`datetime`).
#[component]
pub fn RelativeTime(
    /// RFC 3339.
    #[prop(into)]
    at: String,
    /// Unix ms the text is relative to; a ticking signal keeps "3 min ago" true.
    #[prop(into)]
    now: Signal<f64>,
    #[prop(into, optional)] testid: Option<String>,
) -> impl IntoView {
    let then = parse_ms(&at);
    let exact = exact_utc(&at);
    let fallback = exact.clone();
    let text = move || then.map(|t| ago(t, now.get())).unwrap_or_else(|| fallback.clone());
    view! {
        <time datetime=at title=exact data-testid=testid>
            {text}
        </time>
    }
}
