use leptos::prelude::*;

/// Unix ms of an RFC 3339 time, through the browser's own parser.
pub fn parse_ms(rfc3339: &str) -> Option<f64> {
    let ms = js_sys::Date::parse(rfc3339);
    (!ms.is_nan()).then_some(ms)
}

/// "just now", "3 min ago", "5 h ago", "2 d ago": how an admin reads "when" in an incident.
/// Rounded to the nearest unit, so 59 min 40 s reads "1 h ago", never "60 min ago".
pub fn ago(then_ms: f64, now_ms: f64) -> String {
    // A clock a little ahead of ours still reads "just now".
    let secs = ((now_ms - then_ms) / 1000.0).max(0.0) as u64;
    let mins = (secs + 30) / 60;
    let hours = (secs + 1_800) / 3_600;
    if secs < 45 {
        "just now".into()
    } else if mins < 60 {
        format!("{mins} min ago")
    } else if hours < 24 {
        format!("{hours} h ago")
    } else {
        format!("{} d ago", (secs + 43_200) / 86_400)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: f64) -> String {
        ago(0.0, secs * 1000.0)
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn relative_times_round_to_the_nearest_unit() {
        assert_eq!(at(-30.0), "just now");
        assert_eq!(at(44.0), "just now");
        assert_eq!(at(45.0), "1 min ago");
        assert_eq!(at(180.0), "3 min ago");
        assert_eq!(at(59.0 * 60.0 + 29.0), "59 min ago");
        assert_eq!(at(59.0 * 60.0 + 40.0), "1 h ago");
        assert_eq!(at(5.0 * 3600.0), "5 h ago");
        assert_eq!(at(23.0 * 3600.0 + 40.0 * 60.0), "1 d ago");
        assert_eq!(at(2.0 * 86_400.0 + 60.0), "2 d ago");
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn exact_times_are_utc_to_the_second() {
        assert_eq!(exact_utc("2025-11-24T19:03:11Z"), "2025-11-24 19:03:11 UTC");
        assert_eq!(exact_utc("2025-11-24T19:03:11.250Z"), "2025-11-24 19:03:11 UTC");
    }
}
