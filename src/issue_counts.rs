//! The tenant's issue counts as Leptos state, kept live by the server's stream: one provider
//! (the signed-in frame), one accessor (the sidebar badge, the Issues page's tabs and refresh).

use crate::api;
use leptos::prelude::*;
use sluice_contract::issues::IssueCounts;

#[derive(Clone, Copy)]
pub struct IssueCountsLive {
    /// `None` until the first answer.
    pub counts: ReadSignal<Option<IssueCounts>>,
    /// Bumped on every pushed change, so pages showing issues know to look again.
    pub changes: ReadSignal<u64>,
}

/// Loads the counts, follows the stream while the current owner lives, and provides them.
pub fn provide_issue_counts() -> IssueCountsLive {
    let (counts, set_counts) = signal(None::<IssueCounts>);
    let (changes, set_changes) = signal(0u64);
    leptos::task::spawn_local(async move {
        // The frame needs these whatever page comes next: not tied to the page's lifetime.
        if let Ok(first) = api::issues::counts_for_frame().await {
            // The stream may have answered first; its numbers are at least as new.
            if counts.try_with_untracked(Option::is_none).unwrap_or(false) {
                set_counts.try_set(Some(first));
            }
        }
    });
    let stream = api::issues::watch_counts(move |pushed| {
        set_counts.try_set(Some(pushed));
        set_changes.try_update(|n| *n += 1);
    });
    let stream = StoredValue::new_local(stream);
    on_cleanup(move || drop(stream.try_update_value(Option::take)));
    let live = IssueCountsLive { counts, changes };
    provide_context(live);
    live
}

pub fn use_issue_counts() -> IssueCountsLive {
    expect_context::<IssueCountsLive>()
}
