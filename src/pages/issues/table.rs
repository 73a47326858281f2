//! The list itself: one row per issue, what broke and the button that fixes it.

use super::detail::issue_detail_panel;
use crate::components::RelativeTime;
use leptos::prelude::*;
use sluice_contract::issues::{Area, Issue, IssueAction, IssueStatus, Severity};

/// Something per row, by issue id, in the order it was added. A list searched in place rather
/// than a HashMap or BTreeSet: a page holds a few hundred rows at most, and those collections'
/// code (hashing, rebalancing, sorting) weighed several KiB on this page's chunk.
#[derive(Clone, Debug, PartialEq)]
pub struct PerRow<V>(Vec<(String, V)>);

impl<V> Default for PerRow<V> {
    fn default() -> Self {
        PerRow(Vec::new())
    }
}

impl<V> PerRow<V> {
    pub fn get(&self, id: &str) -> Option<&V> {
        self.0.iter().find(|(k, _)| k == id).map(|(_, v)| v)
    }

    pub fn contains(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    /// Sets the row's value, in place if it had one.
    pub fn insert(&mut self, id: String, value: V) {
        match self.0.iter_mut().find(|(k, _)| *k == id) {
            Some((_, v)) => *v = value,
            None => self.0.push((id, value)),
        }
    }

    /// Whether the row had a value.
    pub fn remove(&mut self, id: &str) -> bool {
        let before = self.0.len();
        self.0.retain(|(k, _)| k != id);
        self.0.len() != before
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        self.0.retain(|(k, _)| keep(k));
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn ids(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }
}

/// What the page knows about rows beyond the issue itself.
#[derive(Clone, Copy)]
pub struct RowState {
    /// The selected rows, in the order they were selected.
    pub selected: RwSignal<PerRow<()>>,
    /// Issue id → the action running on it ("Retrying…").
    pub busy: RwSignal<PerRow<&'static str>>,
    /// Issue id → the last action's outcome, shown on the row.
    pub outcomes: RwSignal<PerRow<Outcome>>,
    pub expanded: RwSignal<Option<String>>,
    /// What the last bulk action did, in one line.
    pub bulk_outcome: RwSignal<Option<Outcome>>,
    pub now: Signal<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub ok: bool,
    pub text: String,
}

/// Where the entity's own page is, in words.
fn open_label(area: Area) -> &'static str {
    match area {
        Area::Integrations => "Open integration",
        Area::Webhooks => "Open endpoint",
        Area::Distributors => "Open distributor",
        Area::ApiUsage => "Open API usage",
    }
}

fn status_label(status: IssueStatus) -> &'static str {
    match status {
        IssueStatus::Open => "Open",
        IssueStatus::Acknowledged => "Acknowledged",
        IssueStatus::Resolved => "Resolved",
        IssueStatus::Dismissed => "Dismissed",
    }
}

/// Re-render a row when anything the admin sees on it changed.
fn row_key(i: &Issue) -> String {
    let retry = i.last_retry.as_ref().map(|r| r.at.as_str()).unwrap_or("");
    format!("{}|{}|{}|{}|{}|{}", i.id, i.status.as_str(), i.occurrences, i.last_seen_at, i.severity.as_str(), retry)
}

#[component]
pub fn IssueTable(
    #[prop(into)] issues: Signal<Vec<Issue>>,
    state: RowState,
    /// An action on one row: Retry, Acknowledge, or Dismiss (which the page confirms first).
    on_action: Callback<(Issue, IssueAction)>,
) -> impl IntoView {
    let active_ids = move || {
        issues.with(|list| list.iter().filter(|i| i.status.is_active()).map(|i| i.id.clone()).collect::<Vec<_>>())
    };
    let all_selected = move || {
        let ids = active_ids();
        !ids.is_empty() && state.selected.with(|s| ids.iter().all(|id| s.contains(id)))
    };
    let toggle_all = move |_| {
        let ids = active_ids();
        if all_selected() {
            state.selected.update(|s| s.retain(|id| !ids.iter().any(|i| i == id)));
        } else {
            state.selected.update(|s| ids.into_iter().for_each(|id| s.insert(id, ())));
        }
    };
    let keys = Memo::new(move |_| issues.with(|list| list.iter().map(row_key).collect::<Vec<_>>()));
    view! {
        <table class="table issues-table" data-testid="issue-table">
            <thead>
                <tr>
                    <th scope="col" class="select">
                        <input
                            type="checkbox"
                            aria-label="Select all active issues shown"
                            data-testid="select-all"
                            prop:checked=all_selected
                            on:change=toggle_all
                        />
                    </th>
                    <th scope="col">"Severity"</th>
                    <th scope="col">"Issue"</th>
                    <th scope="col">"Last seen"</th>
                    <th scope="col" class="num">"Count"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            {move || {
                // Drawn again when a row's visible content changes; tachys patches the rows
                // in place (text, attributes, which buttons show), so focus and the expanded
                // row survive a live refresh. No keyed `<For>`: its diffing code (a hash map,
                // an index set, the move planner) weighed about 4 KiB brotli on this page.
                // Read, not only tracked: a memo nobody reads never runs, so never sees a change.
                keys.with(|_| ());
                issues
                    .get_untracked()
                    .into_iter()
                    .map(|issue| view! { <IssueRow issue state on_action /> })
                    .collect_view()
            }}
        </table>
    }
}

#[component]
fn IssueRow(issue: Issue, state: RowState, on_action: Callback<(Issue, IssueAction)>) -> impl IntoView {
    let id = issue.id.clone();
    let active = issue.status.is_active();
    let (badge, severity) = match issue.severity {
        Severity::Error => ("badge badge-error", "Error"),
        Severity::Warning => ("badge badge-warn", "Warning"),
    };
    let expanded = {
        let id = id.clone();
        Memo::new(move |_| state.expanded.with(|e| e.as_deref() == Some(id.as_str())))
    };
    let toggle = {
        let id = id.clone();
        move |_| state.expanded.update(|e| *e = if e.as_deref() == Some(id.as_str()) { None } else { Some(id.clone()) })
    };
    let selected = {
        let id = id.clone();
        Memo::new(move |_| state.selected.with(|s| s.contains(&id)))
    };
    let toggle_selected = {
        let id = id.clone();
        move |_| {
            state.selected.update(|s| {
                if !s.remove(&id) {
                    s.insert(id.clone(), ());
                }
            })
        }
    };
    let busy = {
        let id = id.clone();
        Memo::new(move |_| state.busy.with(|b| b.get(&id).copied()))
    };
    let outcome = {
        let id = id.clone();
        Memo::new(move |_| state.outcomes.with(|o| o.get(&id).cloned()))
    };
    let act = {
        let issue = issue.clone();
        move |action: IssueAction| on_action.run((issue.clone(), action))
    };
    let act_retry = act.clone();
    let act_ack = act.clone();
    let act_dismiss = act;
    let detail_issue = issue.clone();
    let title_label = format!("Show history of “{}”", issue.title);
    let select_label = format!("Select “{}”", issue.title);
    view! {
        <tbody class="issue" class:issue-expanded=expanded>
            <tr data-testid="issue-row" data-issue-id=id.clone()>
                <td class="select">
                    {active
                        .then(|| {
                            view! {
                                <input
                                    type="checkbox"
                                    aria-label=select_label
                                    data-testid="issue-select"
                                    prop:checked=move || selected.get()
                                    on:change=toggle_selected
                                />
                            }
                        })}
                </td>
                <td><span class=badge>{severity}</span></td>
                <td class="issue-main">
                    <button
                        type="button"
                        class="link-button issue-title"
                        data-testid="issue-title"
                        aria-expanded=move || if expanded.get() { "true" } else { "false" }
                        title=title_label
                        on:click=toggle
                    >
                        {issue.title.clone()}
                    </button>
                    <div class="issue-entity">
                        <span class="muted">{issue.area.label()} " · " {issue.entity.name.clone()}</span>
                        " "
                        <a href=issue.entity.link.clone() data-testid="issue-entity-link">{open_label(issue.area)}</a>
                    </div>
                    <pre class="issue-message" data-testid="issue-message">{issue.message.clone()}</pre>
                    {move || {
                        outcome
                            .get()
                            .map(|o| {
                                view! {
                                    <p
                                        class="issue-outcome"
                                        class:outcome-ok=o.ok
                                        class:outcome-failed=!o.ok
                                        role="status"
                                        data-testid="issue-retry-outcome"
                                    >
                                        {o.text}
                                    </p>
                                }
                            })
                    }}
                </td>
                <td class="nowrap">
                    <RelativeTime at=issue.last_seen_at.clone() now=state.now testid="issue-last-seen" />
                </td>
                <td class="num" data-testid="issue-occurrences" title="occurrences">{issue.occurrences}</td>
                <td data-testid="issue-status">{status_label(issue.status)}</td>
                <td class="actions">
                    {(active && issue.can_retry)
                        .then(|| {
                            let running = move || busy.get() == Some("Retrying…");
                            view! {
                                <button
                                    type="button"
                                    class="button button-primary"
                                    data-testid="issue-retry"
                                    disabled=move || busy.get().is_some()
                                    aria-busy=move || if running() { "true" } else { "false" }
                                    on:click=move |_| act_retry(IssueAction::Retry)
                                >
                                    {move || if running() { "Retrying…" } else { "Retry" }}
                                </button>
                            }
                        })}
                    {(issue.status == IssueStatus::Open)
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    class="button"
                                    data-testid="issue-acknowledge"
                                    disabled=move || busy.get().is_some()
                                    on:click=move |_| act_ack(IssueAction::Acknowledge)
                                >
                                    "Acknowledge"
                                </button>
                            }
                        })}
                    {active
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    class="button button-quiet"
                                    data-testid="issue-dismiss"
                                    disabled=move || busy.get().is_some()
                                    on:click=move |_| act_dismiss(IssueAction::Dismiss)
                                >
                                    "Dismiss"
                                </button>
                            }
                        })}
                </td>
            </tr>
            {move || {
                expanded
                    .get()
                    .then(|| {
                        view! {
                            <tr class="detail-row">
                                <td colspan="7">
                                    {issue_detail_panel(detail_issue.clone(), state.now)}
                                </td>
                            </tr>
                        }
                    })
            }}
        </tbody>
    }
}

/// What a row says while an action on it runs.
pub fn busy_label(action: IssueAction) -> &'static str {
    match action {
        IssueAction::Retry => "Retrying…",
        IssueAction::Acknowledge => "Acknowledging…",
        IssueAction::Dismiss => "Dismissing…",
    }
}

/// The outcome line a finished action leaves on its row.
pub fn outcome_of(action: IssueAction, issue: &Issue) -> Outcome {
    match (action, &issue.last_retry) {
        (IssueAction::Retry, Some(r)) if r.ok => Outcome { ok: true, text: format!("Retry succeeded: {}", r.message) },
        (IssueAction::Retry, Some(r)) => Outcome { ok: false, text: format!("Retry failed: {}", r.message) },
        (IssueAction::Retry, None) => Outcome { ok: true, text: "Retried.".into() },
        (IssueAction::Acknowledge, _) => Outcome { ok: true, text: "Acknowledged.".into() },
        (IssueAction::Dismiss, _) => Outcome { ok: true, text: "Dismissed: hidden unless it happens again.".into() },
    }
}
