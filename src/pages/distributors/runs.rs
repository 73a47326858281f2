//! Force re-fetch with live progress, the finished run's summary, and the run history.

use crate::api;
use crate::components::{short_time, ErrorPanel};
use leptos::prelude::*;
use leptos::task::spawn_local;
use sluice_contract::distributors::{RunProgress, RunStatus, SyncRun};

/// "12,345 rows read, 3 changed — 45%" while a run goes.
pub fn progress_text(p: &RunProgress) -> String {
    let percent = p.percent.map(|n| format!(" — {n}%")).unwrap_or_default();
    format!("{} KiB fetched, {} rows read{percent}", p.bytes / 1024, p.rows_read)
}

/// One line that says how a run went.
pub fn summary_text(r: &SyncRun) -> String {
    match r.status {
        RunStatus::Running => "Running…".into(),
        RunStatus::Succeeded => format!(
            "Succeeded: {} rows read, {} added, {} changed, {} unchanged, {} removed, {} rejected.",
            r.rows_read, r.rows_added, r.rows_changed, r.rows_unchanged, r.rows_removed, r.rows_rejected
        ),
        RunStatus::Failed => format!("Failed: {}", r.error.clone().unwrap_or_default()),
    }
}

/// The Force re-fetch button, its progress bar, then the run's summary.
#[component]
pub fn ForceRefetch(
    distributor_id: String,
    /// The latest `distributors` event of the stream, from the page.
    progress: RwSignal<Option<RunProgress>>,
    /// Called once the run has ended, so the page reloads what it shows.
    on_done: Callback<SyncRun>,
) -> impl IntoView {
    let running = RwSignal::new(None::<String>);
    let finished = RwSignal::new(None::<SyncRun>);
    let failure = RwSignal::new(None::<String>);
    let id = StoredValue::new(distributor_id);
    let fetch_run = move |run_id: String| {
        spawn_local(async move {
            if let Ok(run) = api::distributors::run(&id.get_value(), &run_id).await {
                if run.status != RunStatus::Running && running.get_untracked().as_deref() == Some(run_id.as_str()) {
                    running.try_set(None);
                    finished.try_set(Some(run.clone()));
                    on_done.run(run);
                }
            }
        });
    };
    // The stream says when the run ended; a slow poll covers a stream that is not there.
    Effect::new(move |_| {
        if let (Some(p), Some(run_id)) = (progress.get(), running.get_untracked()) {
            if p.run_id == run_id && p.status != RunStatus::Running {
                fetch_run(run_id);
            }
        }
    });
    let poll = set_interval_with_handle(
        move || {
            if let Some(run_id) = running.get_untracked() {
                fetch_run(run_id);
            }
        },
        std::time::Duration::from_millis(1500),
    )
    .ok();
    on_cleanup(move || {
        if let Some(p) = poll {
            p.clear();
        }
    });
    let start = move |_| {
        if running.get_untracked().is_some() {
            return;
        }
        finished.set(None);
        failure.set(None);
        spawn_local(async move {
            match api::distributors::sync(&id.get_value(), &api::idempotency_key()).await {
                Ok(run) => drop(running.try_set(Some(run.id))),
                Err(e) => drop(failure.try_set(Some(e.user_message()))),
            }
        });
    };
    let live = move || {
        let run_id = running.get()?;
        let text = match progress.get().filter(|p| p.run_id == run_id) {
            Some(p) => progress_text(&p),
            None => "Starting…".into(),
        };
        let percent = progress.get().filter(|p| p.run_id == run_id).and_then(|p| p.percent);
        Some(view! {
            <div class="run-progress" role="status" data-testid="run-progress">
                <progress max="100" value=percent.map(|p| p.to_string()) aria-label="Re-fetch progress"></progress>
                <span>{text}</span>
            </div>
        })
    };
    view! {
        <button class="button" data-testid="force-refetch" on:click=start disabled=move || running.get().is_some()>
            {move || if running.get().is_some() { "Re-fetching…" } else { "Force re-fetch" }}
        </button>
        {live}
        {move || finished.get().map(|r| {
            let class = if r.status == RunStatus::Succeeded { "run-summary ok" } else { "run-summary failed" };
            view! { <p class=class role="status" data-testid="run-summary">{summary_text(&r)}</p> }
        })}
        {move || failure.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
    }
}

/// The last runs, newest first, with their rejected rows.
#[component]
pub fn RunHistory(
    distributor_id: String,
    /// Bumped to reload.
    reload: RwSignal<u32>,
) -> impl IntoView {
    let runs = RwSignal::new(None::<Result<Vec<SyncRun>, api::ApiError>>);
    let id = StoredValue::new(distributor_id);
    Effect::new(move |_| {
        reload.track();
        spawn_local(async move {
            let result = api::distributors::runs(&id.get_value()).await.map(|p| p.items);
            if !matches!(result, Err(api::ApiError::Cancelled)) {
                runs.try_set(Some(result));
            }
        });
    });
    view! {
        <section class="section" aria-labelledby="runs-heading">
            <h3 id="runs-heading">"Run history"</h3>
            {move || match runs.get() {
                None => view! { <p class="loading">"Loading runs…"</p> }.into_any(),
                Some(Err(e)) => view! { <ErrorPanel title="Runs could not be loaded." message=e.user_message() on_retry=Callback::new(move |_| reload.update(|n| *n += 1)) /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"No runs yet."</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <table class="table" data-testid="run-history">
                        <thead><tr><th scope="col">"Started"</th><th scope="col">"Trigger"</th><th scope="col">"Duration"</th><th scope="col">"Outcome"</th></tr></thead>
                        <tbody>
                            {list.into_iter().map(|r| {
                                let rejected = r.rejected_rows.iter().map(|x| format!("line {}: {}", x.line, x.reason)).collect::<Vec<_>>().join("; ");
                                view! {
                                    <tr data-testid="run-row">
                                        <td>{short_time(&r.started_at)}</td>
                                        <td>{r.trigger.clone()}</td>
                                        <td>{r.duration_ms.map(|d| format!("{:.1} s", d as f64 / 1000.0)).unwrap_or_default()}</td>
                                        <td>{summary_text(&r)}{(!rejected.is_empty()).then(|| view! { <br /><span class="muted small">{format!("Rejected: {rejected}")}</span> })}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
        </section>
    }
}
