//! Acting on one issue: Retry, Acknowledge, and Dismiss after asking.

use super::bulk::bulk;
use super::table::{busy_label, outcome_of, Outcome, RowState};
use super::IssueList;
use crate::api::{self, ApiError};
use crate::components::ConfirmDialog;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sluice_contract::issues::{Issue, IssueAction};
use wasm_bindgen::JsCast;

/// Runs `action` on one issue; the row shows progress, then the outcome.
pub(super) fn run(list: IssueList, rows: RowState, issue: Issue, action: IssueAction) {
    let id = issue.id.clone();
    if rows.busy.with_untracked(|b| b.contains(&id)) {
        return;
    }
    rows.busy.update(|b| {
        b.insert(id.clone(), busy_label(action));
    });
    rows.outcomes.update(|o| {
        o.remove(&id);
    });
    // One key per click: if the request is retried at the rate-limit gate, it is done once.
    let key = api::idempotency_key();
    spawn_local(async move {
        let result = api::issues::act(&id, action, &key).await;
        rows.busy.try_update(|b| b.remove(&id));
        let outcome = match result {
            Ok(updated) => {
                let outcome = outcome_of(action, &updated);
                list.replace(updated);
                outcome
            }
            Err(ApiError::Cancelled) => return,
            Err(e) => {
                // 409: someone (or the system) resolved it meanwhile; show the row as it is now.
                if e.status() == Some(409) {
                    if let Ok(detail) = api::issues::detail(&id).await {
                        list.replace(detail.issue);
                    }
                }
                Outcome { ok: false, text: e.user_message() }
            }
        };
        rows.outcomes.try_update(|o| o.insert(id.clone(), outcome));
        keep_focus_on(&id, action);
    });
}

/// A finished action re-draws its row, so the button that had focus is gone: keyboard users
/// continue from the same button on the new row (Retry again), else from the row's title.
fn keep_focus_on(id: &str, action: IssueAction) {
    let row = format!("[data-issue-id='{id}']");
    let button = format!("{row} [data-testid='issue-{}']", action_name(action));
    let title = format!("{row} [data-testid='issue-title']");
    request_animation_frame(move || {
        let body: Option<web_sys::Element> = document().body().map(Into::into);
        let lost = document().active_element().is_none_or(|e| Some(&e) == body.as_ref());
        let target = [button, title].into_iter().find_map(|s| document().query_selector(&s).ok().flatten());
        if let (true, Some(target)) = (lost, target) {
            let _ = target.unchecked_into::<web_sys::HtmlElement>().focus();
        }
    });
}

fn action_name(action: IssueAction) -> &'static str {
    match action {
        IssueAction::Retry => "retry",
        IssueAction::Acknowledge => "acknowledge",
        IssueAction::Dismiss => "dismiss",
    }
}

/// What the Dismiss dialog is about.
#[derive(Clone, Debug)]
pub enum DismissTarget {
    One(Box<Issue>),
    Many(Vec<String>),
}

pub(super) fn dismiss(list: IssueList, rows: RowState, target: DismissTarget) {
    match target {
        DismissTarget::One(issue) => run(list, rows, *issue, IssueAction::Dismiss),
        DismissTarget::Many(ids) => bulk(list, rows, IssueAction::Dismiss, ids),
    }
}

crate::pages::part::lazy_part! {
    pub fn dismiss_dialog(target: DismissTarget, on_close: Callback<()>, on_confirm: Callback<DismissTarget>) in issue_dismiss {
        view! { <DismissDialog target on_close on_confirm /> }
    }
}

/// Dismissing hides an issue until it happens again: said before it is done.
#[component]
fn DismissDialog(target: DismissTarget, on_close: Callback<()>, on_confirm: Callback<DismissTarget>) -> impl IntoView {
    let title = match &target {
        DismissTarget::One(issue) => format!("Dismiss “{}”?", issue.title),
        DismissTarget::Many(ids) => format!("Dismiss {} issues?", ids.len()),
    };
    let target = StoredValue::new(target);
    view! {
        <ConfirmDialog
            title
            testid="dismiss-dialog"
            confirm_label="Dismiss"
            confirm_testid="confirm-dismiss"
            on_close
            on_confirm=Callback::new(move |_| on_confirm.run(target.get_value()))
        >
            <p>
                "A dismissed issue leaves the active list and stays out of it unless the problem happens again after now. Nothing is fixed by dismissing it."
            </p>
        </ConfirmDialog>
    }
}
