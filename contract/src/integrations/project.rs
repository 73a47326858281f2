//! What a sync schedule will cost against the provider's limit. Pure: the console shows it live
//! as the admin types a cadence, and the server applies the same function when saving it.

use super::{thousands, Provider, UsageWindow};
use serde::{Deserialize, Serialize};

/// One sync as the projection sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SyncLoad {
    pub sync: String,
    pub name: String,
    pub calls_per_run: u32,
    pub cadence_minutes: u32,
    pub paused: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProjectionLevel {
    /// 70% of the limit or less.
    Ok,
    /// Above 70%.
    Warn,
    /// Above 100%: saving asks for confirmation.
    Over,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Projection {
    /// The changed sync's calls per hour on the new cadence.
    pub calls_per_hour: f64,
    pub calls_per_day: f64,
    /// The changed sync's share of the limit over the provider's window (1.0 = all of it).
    pub this_share: f64,
    /// Every active sync's share, the changed one on its new cadence.
    pub all_share: f64,
    /// Judged on `allShare`.
    pub level: ProjectionLevel,
    /// "This schedule uses 62% of HubSpot's 250,000 daily calls; with the company sync, 91%."
    pub sentence: String,
}

fn calls_per_window(calls_per_run: u32, cadence_minutes: u32, window: UsageWindow) -> f64 {
    if cadence_minutes == 0 {
        return f64::INFINITY;
    }
    calls_per_run as f64 * window.minutes() as f64 / cadence_minutes as f64
}

fn percent(share: f64) -> String {
    if share.is_finite() {
        format!("{}%", (share * 100.0).round() as u64)
    } else {
        "more than 100%".into()
    }
}

/// Projects `changed` (sync id, new cadence in minutes) against `limit` calls per `window`.
/// Paused syncs other than the changed one cost nothing; the changed one counts as it would run.
pub fn project(
    provider: Provider,
    limit: u64,
    window: UsageWindow,
    syncs: &[SyncLoad],
    changed: (&str, u32),
) -> Projection {
    let (changed_id, cadence) = changed;
    let this = syncs.iter().find(|s| s.sync == changed_id);
    let per_run = this.map_or(0, |s| s.calls_per_run);
    let limit_f = limit.max(1) as f64;
    let this_calls = calls_per_window(per_run, cadence, window);
    let others: Vec<&SyncLoad> = syncs.iter().filter(|s| s.sync != changed_id && !s.paused).collect();
    let other_calls: f64 = others.iter().map(|s| calls_per_window(s.calls_per_run, s.cadence_minutes, window)).sum();
    let this_share = this_calls / limit_f;
    let all_share = (this_calls + other_calls) / limit_f;
    let level = if all_share > 1.0 {
        ProjectionLevel::Over
    } else if all_share > 0.7 {
        ProjectionLevel::Warn
    } else {
        ProjectionLevel::Ok
    };
    let limit_text = match window {
        UsageWindow::Rolling60m => format!("{} calls per hour", thousands(limit)),
        UsageWindow::DailyAccountMidnight | UsageWindow::Rolling24h => format!("{} daily calls", thousands(limit)),
    };
    let mut sentence = format!("This schedule uses {} of {}'s {limit_text}", percent(this_share), provider.name());
    if !others.is_empty() {
        let names: Vec<String> = others.iter().map(|s| format!("the {}", s.name.to_lowercase())).collect();
        sentence.push_str(&format!("; with {}, {}", names.join(" and "), percent(all_share)));
    }
    sentence.push('.');
    if level == ProjectionLevel::Over {
        sentence.push_str(&format!(" That is over {}'s limit: confirm to save it anyway.", provider.name()));
    }
    Projection {
        calls_per_hour: calls_per_window(per_run, cadence, UsageWindow::Rolling60m),
        calls_per_day: calls_per_window(per_run, cadence, UsageWindow::Rolling24h),
        this_share,
        all_share,
        level,
        sentence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(sync: &str, name: &str, calls_per_run: u32, cadence_minutes: u32, paused: bool) -> SyncLoad {
        SyncLoad { sync: sync.into(), name: name.into(), calls_per_run, cadence_minutes, paused }
    }

    #[test]
    fn the_issue_s_example_reads_as_written() {
        // 62% of 250,000 a day is 155,000 calls: 1,550 calls every 14.4 minutes; the company sync
        // takes 29% more (72,500 a day: 755 calls every 15 minutes, rounded).
        let syncs =
            [load("contacts", "Contact sync", 1_550, 60, false), load("companies", "Company sync", 755, 15, false)];
        let p = project(Provider::Hubspot, 250_000, UsageWindow::DailyAccountMidnight, &syncs, ("contacts", 14));
        assert_eq!(p.sentence, "This schedule uses 64% of HubSpot's 250,000 daily calls; with the company sync, 93%.");
        assert_eq!(p.level, ProjectionLevel::Warn);
        assert!((p.calls_per_hour - 1_550.0 * 60.0 / 14.0).abs() < 1e-6);
    }

    #[test]
    fn a_rolling_hour_counts_calls_per_hour_and_over_100_percent_is_over() {
        let syncs = [
            load("products", "Product catalogue sync", 500, 60, false),
            load("companies", "Company sync", 20, 5, false),
        ];
        let ok = project(Provider::Autotask, 10_000, UsageWindow::Rolling60m, &syncs, ("products", 60));
        assert!((ok.all_share - (500.0 + 240.0) / 10_000.0).abs() < 1e-9);
        assert_eq!(ok.level, ProjectionLevel::Ok);
        let over = project(Provider::Autotask, 10_000, UsageWindow::Rolling60m, &syncs, ("products", 2));
        assert_eq!(over.level, ProjectionLevel::Over);
        assert!(over.sentence.contains("over Autotask's limit"), "{}", over.sentence);
        assert!(over.sentence.starts_with("This schedule uses 150% of Autotask's 10,000 calls per hour"));
    }

    #[test]
    fn paused_syncs_cost_nothing_unless_they_are_the_one_changed() {
        let syncs = [load("a", "A sync", 100, 1, true), load("b", "B sync", 100, 60, true)];
        let p = project(Provider::Salesforce, 15_000, UsageWindow::Rolling24h, &syncs, ("b", 60));
        assert!((p.all_share - 2_400.0 / 15_000.0).abs() < 1e-9, "{p:?}");
        assert_eq!(p.sentence, "This schedule uses 16% of Salesforce's 15,000 daily calls.");
    }
}
