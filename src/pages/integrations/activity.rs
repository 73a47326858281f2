//! What happened lately: the integration's recent sync runs (live while one runs), and its open
//! issues with the action that fixes each (and the way to Tools > Issues filtered to it).

use super::syncs::{pause_action, RunSummary};
use crate::components::RelativeTime;
use crate::pages::submit::form_error;
use crate::routes::Page;
use leptos::prelude::*;
use sluice_contract::integrations::IntegrationDetail;
use sluice_contract::issues::{IntegrationIssue, IssueBrief};

/// The integration's latest runs, newest first (they come with it; a run in progress moves on
/// as the stream reports it).
#[component]
pub fn RecentRuns(detail: Signal<IntegrationDetail>, now: Signal<f64>) -> impl IntoView {
    let name_of = move |d: &IntegrationDetail, sync: &str| {
        d.syncs.iter().find(|s| s.sync == sync).map_or_else(|| sync.to_string(), |s| s.name.clone())
    };
    // Ten rows that hold no state: redrawn whole when a run moves on (a keyed `<For>` would
    // weigh more on this page's chunk than it saves).
    let rows =
        move || detail.with(|d| d.recent_runs.iter().map(|r| (r.clone(), name_of(d, &r.sync))).collect::<Vec<_>>());
    view! {
        <section class="section" aria-labelledby="runs-heading" data-testid="recent-runs">
            <h2 id="runs-heading">"Recent runs"</h2>
            {move || {
                let rows = rows();
                if rows.is_empty() {
                    return view! { <p class="muted">"No sync has run yet."</p> }.into_any();
                }
                view! {
                    <ul class="runs">
                        {rows.into_iter().map(|(r, name)| {
                            let outcome = r.outcome.as_str();
                            view! {
                                <li data-testid="run-row" data-outcome=outcome>
                                    <strong>{name}</strong>": "
                                    <RunSummary r now />
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// This integration's open issues (they come with the integration): what is wrong, since when
/// and how often, and the action that fixes it here. A small list of its own, so this page's
/// chunk does not carry the Issues page's components; Tools › Issues (filtered to it) has
/// Retry, Dismiss and the history.
#[component]
pub fn OpenIssues(
    d: Signal<IntegrationDetail>,
    now: Signal<f64>,
    /// The fix of a usage issue on this page: [`pause_top_caller`] or [`review_syncs`].
    usage_fix: UsageFix,
) -> impl IntoView {
    let provider = d.with_untracked(|d| d.summary.provider);
    let link = super::issues_link(provider.name());
    // All of them (the list shows the newest 20).
    let count = move || d.with(|d| u64::from(d.summary.open_issues).max(d.issues.len() as u64));
    view! {
        <section class="section" aria-labelledby="issues-heading" data-testid="integration-issues">
            <h2 id="issues-heading">"Open issues"</h2>
            <p data-testid="open-issue-count">
                {move || match count() {
                    0 => format!("Nothing is wrong with {} right now.", provider.name()),
                    1 => format!("{} has 1 open issue.", provider.name()),
                    n => format!("{} has {n} open issues.", provider.name()),
                }}
                " "
                <a href=link data-testid="issues-link">"See them in Tools › Issues"</a>
            </p>
            {move || Some(d.with(|d| d.issues.clone())).filter(|i| !i.is_empty()).map(|items| view! {
                <ul class="issue-list">
                    {items.into_iter().map(|i| issue_item(i, d, now, usage_fix)).collect_view()}
                </ul>
            })}
        </section>
    }
}

/// One issue: title, the provider's message, since when and how often, and its fix. Plain
/// functions rather than components here: no props builders to weigh on the page's chunk.
fn issue_item(i: IssueBrief, d: Signal<IntegrationDetail>, now: Signal<f64>, usage_fix: UsageFix) -> impl IntoView {
    let since = if i.occurrences == 1 { "once, ".to_string() } else { format!("{} times since ", i.occurrences) };
    let (kind, title, message, first) = (i.kind.clone(), i.title.clone(), i.message.clone(), i.first_seen_at.clone());
    view! {
        <li class="issue-item" data-testid="integration-issue" data-kind=kind>
            <strong data-testid="integration-issue-title">{title}</strong>
            <p class="issue-message" data-testid="integration-issue-message">{message}</p>
            <p class="small muted">{since}<RelativeTime at=first now /></p>
            {issue_fix(&i.kind, d, usage_fix)}
        </li>
    }
}

/// The action that fixes an issue of this kind, on this page where it can.
fn issue_fix(kind: &str, d: Signal<IntegrationDetail>, usage_fix: UsageFix) -> AnyView {
    let provider = d.with_untracked(|d| d.summary.provider);
    match IntegrationIssue::parse(kind) {
        Some(IntegrationIssue::AuthFailed | IntegrationIssue::CredentialExpired | IntegrationIssue::CredentialExpiring) => {
            let open = opener();
            view! {
                <button type="button" class="button" data-testid="issue-fix" on:click=move |_| focus_in("#credentials input", || open.with_value(|open| open(Page::IntegrationCredentials(provider))))>
                    "Replace the credentials"
                </button>
            }
            .into_any()
        }
        Some(IntegrationIssue::UsageThreshold) => usage_fix(d),
        _ => view! {
            <a href=super::issues_link(provider.name()) class="button" data-testid="issue-fix">"Retry in Tools › Issues"</a>
        }
        .into_any(),
    }
}

/// How a usage issue is fixed on a page. A function passed in rather than chosen here, so that
/// only the syncs page's chunk carries the code that pauses a sync.
pub type UsageFix = fn(Signal<IntegrationDetail>) -> AnyView;

/// On the syncs page: "Pause <top caller>", in place.
pub fn pause_top_caller(d: Signal<IntegrationDetail>) -> AnyView {
    let provider = d.with_untracked(|d| d.summary.provider);
    // The top caller, by the name the usage section shows.
    let top = move || {
        d.with(|d| {
            let name = d.top_caller.clone()?;
            d.syncs.iter().find(|s| s.name == name && !s.paused).map(|s| (s.sync.clone(), s.name.clone()))
        })
    };
    // The sync table's own Pause, aimed at the top caller when clicked.
    let target = StoredValue::new(String::new());
    let pause = pause_action(provider, target);
    view! {
        {move || match top() {
            Some((sync, name)) => view! {
                <button type="button" class="button" data-testid="issue-fix" disabled=move || pause.pending().get()
                    on:click=move |_| {
                        target.set_value(sync.clone());
                        pause.dispatch(true);
                    }>
                    {format!("Pause {name}")}
                </button>
            }.into_any(),
            None => review_syncs(d),
        }}
        {form_error(pause.error())}
    }
    .into_any()
}

/// On the other pages: to the syncs, where the top caller can be paused.
pub fn review_syncs(d: Signal<IntegrationDetail>) -> AnyView {
    let provider = d.with_untracked(|d| d.summary.provider);
    let open = opener();
    view! {
        <button type="button" class="button" data-testid="issue-fix" on:click=move |_| focus_in("#syncs", || open.with_value(|open| open(Page::IntegrationSyncs(provider))))>
            "Review the syncs"
        </button>
    }
    .into_any()
}

/// Opens another of the app's pages.
fn opener() -> StoredValue<impl Fn(Page), LocalStorage> {
    let navigate = leptos_router::hooks::use_navigate();
    StoredValue::new_local(move |page: Page| navigate(&page.path(), Default::default()))
}

/// Scrolls to the first element matching `selector` and focuses it; on another of the
/// integration's pages, `open`s the one where it is.
fn focus_in(selector: &str, open: impl FnOnce()) {
    use wasm_bindgen::JsCast;
    let found = document().query_selector(selector).ok().flatten();
    match found.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        Some(el) => {
            el.scroll_into_view();
            let _ = el.focus();
        }
        None => open(),
    }
}
