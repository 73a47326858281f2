//! "Retry all failed since…": how many first (a dry run), then the retry with its progress.

use super::filters::{input_to_since, since_to_input};
use crate::api;
use crate::components::Dialog;
use crate::pages::load::Loader;
use crate::pages::submit::{form_error, Submit};
use leptos::prelude::*;
use sluice_contract::webhooks::{RetryBatch, RetryFailed};
use std::time::Duration;

/// 24 hours before now, as RFC 3339 to the minute.
fn a_day_ago() -> String {
    let date = js_sys::Date::new(&(api::now_ms() - 86_400_000.0).into());
    let iso = String::from(date.to_iso_string());
    input_to_since(&iso).unwrap_or(iso)
}

crate::pages::part::lazy_part! {
    pub fn retry_failed_dialog(endpoint_id: Option<String>, on_close: Callback<()>, on_started: Callback<()>) in retry_failed_dialog {
        view! { <RetryFailedDialog endpoint_id on_close on_started /> }
    }
}

#[component]
pub fn RetryFailedDialog(
    /// Only this endpoint's deliveries (the log's endpoint filter), when given.
    endpoint_id: Option<String>,
    on_close: Callback<()>,
    /// Called when the retry has started, so the log refreshes.
    on_started: Callback<()>,
) -> impl IntoView {
    let since = RwSignal::new(a_day_ago());
    let endpoint_id = StoredValue::new(endpoint_id);
    let request = move |dry_run: bool| RetryFailed {
        since: since.get_untracked(),
        endpoint_id: endpoint_id.get_value(),
        dry_run,
    };
    let preview = Submit::new(|r: RetryFailed, key| async move { api::webhooks::retry_failed(&r, &key).await });
    let start = Submit::new(|r: RetryFailed, key| async move { api::webhooks::retry_failed(&r, &key).await });
    // The count follows the chosen time.
    Effect::new(move |_| {
        since.track();
        preview.dispatch(request(true));
    });
    Effect::new(move |_| {
        if start.done().with(Option::is_some) {
            on_started.run(());
        }
    });
    let count = move || preview.done().get().map(|b| b.total);
    let scope = if endpoint_id.with_value(Option::is_some) { "of this endpoint " } else { "" };
    view! {
        <Dialog title="Retry failed deliveries" on_close testid="retry-failed-dialog">
            {move || match start.done().get().and_then(|b| b.id) {
                Some(id) => view! { <Progress id /> }.into_any(),
                None => view! {
                    <label class="field">
                        <span>"Failed since (UTC)"</span>
                        <input
                            type="datetime-local"
                            data-testid="retry-since"
                            prop:value=move || since_to_input(&since.get())
                            on:change=move |ev| {
                                if let Some(s) = input_to_since(&event_target_value(&ev)) {
                                    since.set(s);
                                }
                            }
                        />
                    </label>
                    <p role="status" data-testid="retry-preview">
                        {move || match (preview.pending().get(), count()) {
                            (true, _) | (false, None) => "Counting failed deliveries…".to_string(),
                            (false, Some(0)) => format!("No delivery {scope}failed since then: nothing to retry."),
                            (false, Some(1)) => format!("1 failed delivery {scope}will be sent again, with its original webhook-id."),
                            (false, Some(n)) => format!("{n} failed deliveries {scope}will be sent again, each with its original webhook-id."),
                        }}
                    </p>
                    {form_error(preview.error())}
                    {form_error(start.error())}
                    <div class="dialog-actions">
                        <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                        <button
                            type="button"
                            class="button button-primary"
                            data-testid="confirm-retry-failed"
                            disabled=move || start.pending().get() || count().unwrap_or(0) == 0
                            on:click=move |_| start.dispatch(request(false))
                        >
                            {move || match count() {
                                Some(n) if n > 0 => format!("Retry {n}"),
                                _ => "Retry".to_string(),
                            }}
                        </button>
                    </div>
                }
                .into_any(),
            }}
        </Dialog>
    }
}

/// How far the retry has got, asked every second until nothing is pending.
#[component]
fn Progress(id: String) -> impl IntoView {
    let batch = Loader::new(
        move || id.clone(),
        |id: String, cancel| async move { api::webhooks::retry_progress(&id, cancel).await },
    );
    let done = move || batch.data.with(|b| b.as_ref().is_some_and(|b| b.pending == 0));
    batch.poll(Duration::from_secs(1), move || !done());
    let text = move || {
        batch.data.with(|b| match b {
            None => "Starting…".to_string(),
            Some(RetryBatch { total, succeeded, failed, pending, .. }) if *pending == 0 => {
                format!("Done: {succeeded} of {total} delivered, {failed} failed again.")
            }
            Some(RetryBatch { total, succeeded, failed, pending, .. }) => {
                format!(
                    "{} of {total} sent: {succeeded} delivered, {failed} failed, {pending} to go.",
                    succeeded + failed
                )
            }
        })
    };
    let (value, max) = (
        move || batch.data.with(|b| b.as_ref().map(|b| b.succeeded + b.failed).unwrap_or(0)),
        move || batch.data.with(|b| b.as_ref().map(|b| b.total).unwrap_or(0)),
    );
    view! {
        <progress data-testid="retry-progress-bar" aria-label="Bulk retry progress" max=max value=value></progress>
        <p role="status" data-testid="retry-progress">{text}</p>
        {move || batch.error.get().map(|e| view! { <p class="form-error" role="alert">{e.user_message()}</p> })}
        <p class="muted small">{move || if done() { "" } else { "You can close this: the retry goes on without the page." }}</p>
    }
}
