//! The integration's syncs: cadence, measured cost, last run, paused — with Pause/Resume and
//! Run now, and a schedule editor that shows what the new cadence would cost against the
//! provider's limit as the admin types (the same `project` the server applies when saving).

use super::steps::duration;
use super::{iso, IntegrationLoader};
use crate::api::{self, ApiError};
use crate::components::{ConfirmDialog, RelativeTime};
use crate::pages::submit::{form_error, Submit};
use leptos::prelude::*;
use sluice_contract::integrations::{
    project, thousands, IntegrationDetail, Projection, ProjectionLevel, Provider, RunOutcome, SyncInfo, SyncLoad,
    SyncPatch, SyncRun, MAX_CADENCE_MINUTES, MIN_CADENCE_MINUTES,
};

/// "every 15 min", "every 2 h", "every day".
pub fn cadence_text(minutes: u32) -> String {
    match minutes {
        1440 => "every day".into(),
        m if m >= 60 && m % 60 == 0 => format!("every {} h", m / 60),
        m => format!("every {m} min"),
    }
}

/// What the schedule `minutes` for `sync` would cost: against the provider's reported limit,
/// else the limit Sluice assumes for it (as the server does when saving).
pub fn projection_for(d: &IntegrationDetail, sync: &str, minutes: u32) -> Projection {
    let provider = d.summary.provider;
    let (limit, window) = d.summary.usage.as_ref().map(|u| (u.limit, u.window)).unwrap_or(provider.default_limit());
    let syncs: Vec<SyncLoad> = d
        .syncs
        .iter()
        .map(|s| SyncLoad {
            sync: s.sync.clone(),
            name: s.name.clone(),
            calls_per_run: s.calls_per_run,
            cadence_minutes: s.cadence_minutes,
            paused: s.paused,
        })
        .collect();
    project(provider, limit, window, &syncs, (sync, minutes))
}

fn replace_sync(loader: IntegrationLoader, updated: SyncInfo) {
    loader.update(|d| {
        if let Some(s) = d.syncs.iter_mut().find(|s| s.sync == updated.sync) {
            *s = updated;
        }
    });
}

#[component]
pub fn SyncTable(detail: Signal<IntegrationDetail>, loader: IntegrationLoader, now: Signal<f64>) -> impl IntoView {
    // Which sync's schedule is being edited: kept here, so a live refresh that redraws the
    // rows leaves the editor (and what the admin typed) alone.
    let editing = RwSignal::new(None::<String>);
    // One row per sync, drawn when the set of syncs changes (not while the page is open); each
    // row redraws itself when its own sync does. No keyed `<For>`: its diffing code weighed
    // about 3 KiB on this page's chunk, for a table of three or four rows.
    let ids = Memo::new(move |_| detail.with(|d| d.syncs.iter().map(|s| s.sync.clone()).collect::<Vec<_>>()));
    view! {
        <section class="section" id="syncs" tabindex="-1" aria-labelledby="syncs-heading" data-testid="syncs">
            <h2 id="syncs-heading">"Syncs"</h2>
            {move || detail.with(|d| d.syncs.is_empty()).then(|| view! {
                <p class="muted">"This integration has no syncs."</p>
            })}
            <table class="table syncs-table" data-testid="sync-table">
                <caption class="visually-hidden">"Syncs"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Sync"</th>
                        <th scope="col">"Schedule"</th>
                        <th scope="col" class="num">"Calls per run"</th>
                        <th scope="col">"Last run"</th>
                        <th scope="col">"State"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {move || ids.get().into_iter().map(|id| sync_row(id, detail, loader, editing, now)).collect_view()}
                </tbody>
            </table>
            {move || editing.get().map(|sync| cadence_editor(sync, detail, loader, Callback::new(move |_| editing.set(None))))}
        </section>
    }
}

/// Pauses or resumes the sync named by `sync`. Every Pause on the page is made here, so the
/// page's chunk carries its code once.
pub fn pause_action(provider: Provider, sync: StoredValue<String>) -> Submit<bool, SyncInfo> {
    Submit::new(move |paused: bool, key| async move {
        let patch = SyncPatch { paused: Some(paused), ..Default::default() };
        api::integrations::update_sync(provider, &sync.get_value(), &patch, &key).await
    })
}

/// One sync's row: its actions live as long as the row (a redraw keeps a pending Pause
/// pending), its cells follow the sync as loaded.
fn sync_row(
    sync: String,
    detail: Signal<IntegrationDetail>,
    loader: IntegrationLoader,
    editing: RwSignal<Option<String>>,
    now: Signal<f64>,
) -> impl IntoView {
    let provider = detail.with_untracked(|d| d.summary.provider);
    let id = StoredValue::new(sync);
    let pause = pause_action(provider, id);
    Effect::new(move |_| {
        if let Some(updated) = pause.done().get() {
            replace_sync(loader, updated);
        }
    });
    let run =
        Submit::new(move |(), key| async move { api::integrations::run_sync(provider, &id.get_value(), &key).await });
    Effect::new(move |_| {
        if run.done().get().is_some() {
            loader.refresh();
        }
    });
    let info = Memo::new(move |_| detail.with(|d| id.with_value(|id| d.syncs.iter().find(|s| &s.sync == id).cloned())));
    move || info.get().map(|s| view! { <SyncRow s provider editing now pause run /> })
}

#[component]
fn SyncRow(
    s: SyncInfo,
    provider: Provider,
    editing: RwSignal<Option<String>>,
    now: Signal<f64>,
    pause: Submit<bool, SyncInfo>,
    run: Submit<(), SyncRun>,
) -> impl IntoView {
    let id = s.sync.clone();
    let paused = s.paused;
    let state = match (s.paused, s.paused_until) {
        (_, Some(until)) => view! {
            <span class="badge badge-warn">"Paused"</span>
            <div class="small">{format!("{} answered 429: resumes at {} UTC", provider.name(), super::iso(until).get(11..16).unwrap_or(""))}</div>
        }.into_any(),
        (true, None) => view! { <span class="badge badge-warn">"Paused"</span> }.into_any(),
        (false, None) => view! { <span class="badge badge-ok">"Active"</span> }.into_any(),
    };
    let name = s.name.clone();
    view! {
        <tr data-testid="sync-row" data-sync=s.sync.clone()>
            <th scope="row">{s.name.clone()}</th>
            <td data-testid="sync-cadence">{cadence_text(s.cadence_minutes)}</td>
            <td class="num">{s.calls_per_run}</td>
            <td class="small">{s.last_run.clone().map(|r| view! { <RunSummary r now /> })}</td>
            <td data-testid="sync-state">{state}</td>
            <td class="actions">
                <button
                    type="button"
                    class="button"
                    data-testid="edit-cadence"
                    aria-label=format!("Edit schedule: {name}")
                    on:click=move |_| editing.set(Some(id.clone()))
                >
                    "Edit schedule"
                </button>
                <button
                    type="button"
                    class="button"
                    data-testid="toggle-sync"
                    aria-label=format!("{}: {}", if paused { "Resume" } else { "Pause" }, s.name)
                    disabled=move || pause.pending().get()
                    on:click=move |_| pause.dispatch(!paused)
                >
                    {if paused { "Resume" } else { "Pause" }}
                </button>
                <button
                    type="button"
                    class="button"
                    data-testid="run-sync"
                    aria-label=format!("Run now: {}", s.name)
                    aria-busy=move || run.pending().get().to_string()
                    disabled=move || run.pending().get()
                    on:click=move |_| run.dispatch(())
                >
                    "Run now"
                </button>
                {form_error(pause.error())}
                {form_error(run.error())}
            </td>
        </tr>
    }
}

/// "Succeeded 3 min ago: 1,200 records, 13 calls, 2.4 s" (or the failure's words).
#[component]
pub fn RunSummary(r: SyncRun, now: Signal<f64>) -> impl IntoView {
    let (word, class) = match r.outcome {
        RunOutcome::Running => ("Running", "badge badge-muted"),
        RunOutcome::Succeeded => ("Succeeded", "badge badge-ok"),
        RunOutcome::Failed => ("Failed", "badge badge-error"),
    };
    // A run in progress shows what it has done so far, as its last progress report said.
    let (facts, testid) = if r.outcome == RunOutcome::Running {
        (
            format!("{} records read, {} calls so far, {} elapsed", r.records_read, r.calls, duration(r.duration_ms)),
            "run-progress",
        )
    } else {
        (format!("{} records, {} calls, {}", r.records_read, r.calls, duration(r.duration_ms)), "run-facts")
    };
    view! {
        <span class=class>{word}</span>" "
        <RelativeTime at=iso(r.started_at) now />
        <div data-testid=testid>{facts}</div>
        {r.error.map(|e| view! { <div class="danger-text">{e}</div> })}
    }
}

/// The projection's class, and its level's name (for tests).
fn level_class(level: ProjectionLevel) -> (&'static str, &'static str) {
    match level {
        ProjectionLevel::Ok => ("projection level level-ok", "ok"),
        ProjectionLevel::Warn => ("projection level level-warning", "warn"),
        ProjectionLevel::Over => ("projection level level-error", "over"),
    }
}

crate::pages::part::lazy_part! {
    fn cadence_editor(sync: String, detail: Signal<IntegrationDetail>, loader: IntegrationLoader, on_close: Callback<()>) in integration_cadence {
        view! { <CadenceEditor sync detail loader on_close /> }
    }
}

/// The schedule editor: the projection follows every keystroke; above 100% of the provider's
/// limit saving asks first (and the server refuses with 409 `over_provider_limit` otherwise).
#[component]
fn CadenceEditor(
    sync: String,
    detail: Signal<IntegrationDetail>,
    loader: IntegrationLoader,
    on_close: Callback<()>,
) -> impl IntoView {
    let sync = StoredValue::new(sync);
    let current = detail.with_untracked(|d| d.syncs.iter().find(|s| s.sync == sync.get_value()).cloned());
    let Some(current) = current else { return ().into_any() };
    let provider = detail.with_untracked(|d| d.summary.provider);
    let draft = RwSignal::new(current.cadence_minutes.to_string());
    let minutes = Memo::new(move |_| {
        draft.with(|d| d.trim().parse::<u32>().ok().filter(|m| (MIN_CADENCE_MINUTES..=MAX_CADENCE_MINUTES).contains(m)))
    });
    let projection =
        Memo::new(move |_| minutes.get().map(|m| detail.with(|d| projection_for(d, &sync.get_value(), m))));
    let save = Submit::new(move |confirm: bool, key| async move {
        let patch =
            SyncPatch { cadence_minutes: minutes.get_untracked(), confirm_over_limit: confirm, ..Default::default() };
        api::integrations::update_sync(provider, &sync.get_value(), &patch, &key).await
    });
    let confirming = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(updated) = save.done().get() {
            replace_sync(loader, updated);
            loader.refresh();
            on_close.run(());
        }
    });
    // The server's own projection disagreed (another sync changed meanwhile): ask, as above.
    Effect::new(move |_| {
        if save.failure().with(|f| f.as_ref().and_then(ApiError::code) == Some("over_provider_limit")) {
            confirming.set(true);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if minutes.get_untracked().is_none() {
            return;
        }
        if projection.with_untracked(|p| p.as_ref().is_some_and(|p| p.level == ProjectionLevel::Over)) {
            confirming.set(true);
        } else {
            save.dispatch(false);
        }
    };
    let invalid = move || minutes.get().is_none();
    let over_message = move || {
        save.failure()
            .with(|f| f.as_ref().filter(|e| e.code() == Some("over_provider_limit")).map(|e| e.user_message()))
            .or_else(|| projection.with(|p| p.as_ref().map(|p| p.sentence.clone())))
            .unwrap_or_default()
    };
    let name = current.name.clone();
    view! {
        <form class="cadence-editor" data-testid="cadence-editor" on:submit=submit novalidate=true>
            <h3>{format!("Schedule of {name}")}</h3>
            <div class="field" class:field-invalid=invalid>
                <label for="cadence-minutes">"Run every (minutes)"</label>
                <input
                    id="cadence-minutes"
                    type="number"
                    min="1"
                    inputmode="numeric"
                    data-testid="cadence-input"
                    aria-invalid=move || invalid().to_string()
                    aria-describedby="projection"
                    prop:value=move || draft.get()
                    on:input=move |ev| draft.set(event_target_value(&ev))
                />
                {move || invalid().then(|| view! { <p class="field-error" data-testid="field-error">{format!("Enter a whole number of minutes from {MIN_CADENCE_MINUTES} to {MAX_CADENCE_MINUTES} (7 days).")}</p> })}
            </div>
            <div id="projection" aria-live="polite">
                {move || match projection.get() {
                    None => ().into_any(),
                    Some(p) => view! {
                        <p class=level_class(p.level).0 data-testid="projection" data-level=level_class(p.level).1>{p.sentence.clone()}</p>
                        <p class="muted small" data-testid="projection-calls">
                            {format!("About {} calls per hour, {} per day for this sync ({} calls per run).", thousands(p.calls_per_hour.round() as u64), thousands(p.calls_per_day.round() as u64), current.calls_per_run)}
                        </p>
                        {match p.level {
                            ProjectionLevel::Ok => ().into_any(),
                            ProjectionLevel::Warn => view! {
                                <p class="warning-text" data-testid="projection-warning">"Above 70% of the provider's limit: an issue is raised at 70% and 80%, and little room is left for anything else using this account."</p>
                            }.into_any(),
                            ProjectionLevel::Over => view! {
                                <p class="danger-text" data-testid="projection-warning">{format!("Above {}'s limit: it will refuse calls before its count starts over, and every sync of this integration will stall. Saving asks for confirmation.", provider.name())}</p>
                            }.into_any(),
                        }}
                    }.into_any(),
                }}
            </div>
            <div class="actions">
                <button type="submit" class="button button-primary" data-testid="save-cadence" disabled=move || save.pending().get() || minutes.get().is_none()>
                    {move || if save.pending().get() { "Saving…" } else { "Save schedule" }}
                </button>
                <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
            </div>
            {move || (!confirming.get()).then(|| form_error(save.error()))}
            {move || confirming.get().then(|| view! {
                <ConfirmDialog
                    title=format!("Save a schedule over {}'s limit?", provider.name())
                    testid="over-limit-dialog"
                    confirm_label="Save over the limit"
                    pending_label="Saving…"
                    confirm_testid="confirm-over-limit"
                    pending=save.pending()
                    on_confirm=Callback::new(move |_| save.dispatch(true))
                    on_close=Callback::new(move |_| confirming.set(false))
                >
                    <p data-testid="over-limit-sentence">{over_message}</p>
                    <p>"The provider will refuse calls before its count starts over, and this integration's syncs will pause until it does."</p>
                </ConfirmDialog>
            })}
        </form>
    }
    .into_any()
}
