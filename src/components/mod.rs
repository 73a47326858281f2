//! Presentational pieces: they render what they are given and report clicks; no fetching.

mod api_key_table;
mod confirm_dialog;
mod dialog;
mod empty_state;
mod error_panel;
mod field;
mod header;
mod rate_limit;
mod relative_time;
mod sidebar;
mod sparkline;
mod usage_chart;
mod windowed_list;

pub use api_key_table::ApiKeyTable;
pub use confirm_dialog::ConfirmDialog;
pub use dialog::Dialog;
pub use empty_state::EmptyState;
pub use error_panel::ErrorPanel;
pub use field::TextField;
pub use header::AppHeader;
pub use rate_limit::{RateLimitBanner, RateMeter};
pub use relative_time::{ago, exact_utc, parse_ms, RelativeTime};
pub use sidebar::Sidebar;
pub use sparkline::Sparkline;
pub use usage_chart::{geometry, nice_max, svg_num, UsageChart};
pub use windowed_list::WindowedList;

/// `2025-11-24T19:03:11Z` as `2025-11-24 19:03` (UTC), without a date library.
pub fn short_time(rfc3339: &str) -> String {
    let text: String = rfc3339.chars().take(16).collect();
    text.replacen('T', " ", 1)
}
