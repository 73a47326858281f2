//! The endpoint list: status, 24-hour health, and what an admin does to one endpoint.

use super::secret::SecretShown;
use super::when;
use crate::api;
use crate::components::{ConfirmDialog, Sparkline};
use crate::pages::load::Loader;
use crate::pages::submit::{form_error, Submit};
use crate::routes::Page;
use leptos::prelude::*;
use sluice_contract::webhooks::{Endpoint, EndpointChange, EndpointStatus, EndpointWithSecret, TestResult};
use sluice_contract::Page as ListPage;

type Endpoints = Loader<(), ListPage<Endpoint>>;

/// Redraw a row when anything shown on it changed.
fn row_key(e: &Endpoint) -> String {
    let h = &e.health;
    format!(
        "{}|{}|{}|{}|{:?}|{:?}",
        e.id,
        e.status.as_str(),
        h.attempts_24h,
        h.successes_24h,
        h.last_success_at,
        h.last_failure_at
    )
}

#[component]
pub fn EndpointTable(
    #[prop(into)] endpoints: Signal<Vec<Endpoint>>,
    /// The list's loader, to put an action's answer in place of its row.
    loader: Endpoints,
    /// Called after a change that alters the page's counts (pause, enable, delete).
    on_changed: Callback<()>,
) -> impl IntoView {
    // Test outcomes live here, not in the rows: a row is drawn again whenever its health
    // changes (the test delivery itself changes it), and the outcome must outlive that.
    let outcomes = RwSignal::new(Outcomes::new());
    view! {
        <table class="table endpoints-table" data-testid="endpoint-table">
            <thead>
                <tr>
                    <th scope="col">"Endpoint"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col" class="num">"Success (24 h)"</th>
                    <th scope="col">"Last 24 h"</th>
                    <th scope="col">"Last success / failure"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <For each=move || endpoints.get() key=row_key let:endpoint>
                <EndpointRow endpoint loader on_changed outcomes />
            </For>
        </table>
    }
}

fn status_badge(status: EndpointStatus) -> &'static str {
    match status {
        EndpointStatus::Active => "badge badge-ok",
        EndpointStatus::Paused => "badge badge-muted",
        EndpointStatus::Disabled => "badge badge-error",
    }
}

/// "98.5%" of the last 24 hours' attempts, or "—" without attempts.
pub(super) fn success_rate(attempts: u64, successes: u64) -> String {
    if attempts == 0 {
        return "—".into();
    }
    let tenths = (successes * 1000 + attempts / 2) / attempts;
    format!("{}.{}%", tenths / 10, tenths % 10)
}

#[derive(Clone, Copy, PartialEq)]
enum Asking {
    Rotate,
    Delete,
}

/// The last "Send test event" outcome per endpoint id.
type Outcomes = std::collections::HashMap<String, TestResult>;

#[component]
fn EndpointRow(
    endpoint: Endpoint,
    loader: Endpoints,
    on_changed: Callback<()>,
    /// Test outcomes per endpoint, kept by the table across redraws of this row.
    outcomes: RwSignal<Outcomes>,
) -> impl IntoView {
    let id = StoredValue::new(endpoint.id.clone());
    let replace = move |updated: Endpoint| {
        loader.update(|page| {
            if let Some(row) = page.items.iter_mut().find(|e| e.id == updated.id) {
                *row = updated;
            }
        })
    };
    let endpoint_id = endpoint.id.clone();
    let test = Submit::new(move |(), key| {
        let endpoint_id = endpoint_id.clone();
        async move {
            let result = api::webhooks::send_test(&endpoint_id, &key).await;
            if let Ok(r) = &result {
                outcomes.try_update(|m| m.insert(endpoint_id, r.clone()));
            }
            result
        }
    });
    let toggle = Submit::new(move |enabled: bool, key| async move {
        let change = EndpointChange { enabled: Some(enabled), ..Default::default() };
        api::webhooks::change_endpoint(&id.get_value(), &change, &key).await
    });
    Effect::new(move |_| {
        if let Some(updated) = toggle.done().get() {
            replace(updated);
            on_changed.run(());
        }
    });
    let asking = RwSignal::new(None::<Asking>);
    let active = endpoint.status == EndpointStatus::Active;
    let h = endpoint.health.clone();
    let types =
        if endpoint.event_types.is_empty() { "All event types".to_string() } else { endpoint.event_types.join(", ") };
    let name = if endpoint.description.is_empty() { endpoint.url.clone() } else { endpoint.description.clone() };
    let log_link =
        Page::WebhookDeliveries.with_query(&format!("?endpointId={}", api::encode_query_value(&endpoint.id)));
    let name_for_dialog = StoredValue::new(name.clone());
    view! {
        <tbody>
            <tr data-testid="endpoint-row" data-endpoint-id=endpoint.id.clone()>
                <td class="endpoint-main">
                    <code class="endpoint-url" data-testid="endpoint-url">{endpoint.url.clone()}</code>
                    <div class="muted small">{endpoint.description.clone()}</div>
                    <div class="muted small">{types}</div>
                </td>
                <td>
                    <span class=status_badge(endpoint.status) data-testid="endpoint-status">{endpoint.status.label()}</span>
                    {endpoint.disabled_reason.clone().map(|r| view! { <div class="small danger-text">{r}</div> })}
                </td>
                <td class="num" data-testid="endpoint-success-rate">{success_rate(h.attempts_24h, h.successes_24h)}</td>
                <td><Sparkline successes=h.hourly_successes.clone() failures=h.hourly_failures.clone() /></td>
                <td class="small">
                    <div data-testid="endpoint-last-success">"✓ " {when(&h.last_success_at)}</div>
                    <div data-testid="endpoint-last-failure">"✗ " {when(&h.last_failure_at)}</div>
                    {h.last_error.clone().map(|e| view! { <div class="danger-text">{e}</div> })}
                </td>
                <td class="actions">
                    <button
                        type="button"
                        class="button"
                        data-testid="send-test"
                        disabled=move || test.pending().get()
                        on:click=move |_| test.dispatch(())
                    >
                        {move || if test.pending().get() { "Sending…" } else { "Send test event" }}
                    </button>
                    <button
                        type="button"
                        class="button"
                        data-testid="toggle-endpoint"
                        disabled=move || toggle.pending().get()
                        on:click=move |_| toggle.dispatch(!active)
                    >
                        {if active { "Pause" } else { "Enable" }}
                    </button>
                    <button type="button" class="button" data-testid="rotate-secret" on:click=move |_| asking.set(Some(Asking::Rotate))>
                        "Rotate secret"
                    </button>
                    <button type="button" class="button button-quiet" data-testid="delete-endpoint" on:click=move |_| asking.set(Some(Asking::Delete))>
                        "Delete"
                    </button>
                    <a href=log_link class="small">"Delivery log"</a>
                </td>
            </tr>
            <tr class="endpoint-outcome-row">
                <td colspan="6">
                    {move || {
                        outcomes
                            .with(|m| m.get(&id.get_value()).cloned())
                            .map(test_outcome)
                    }}
                    {form_error(test.error())}
                    {form_error(toggle.error())}
                </td>
            </tr>
            {move || match asking.get() {
                Some(Asking::Rotate) => {
                    rotate_dialog(id.get_value(), name_for_dialog.get_value(), Callback::new(move |_| asking.set(None)))
                }
                Some(Asking::Delete) => {
                    let on_deleted = Callback::new(move |_| {
                        asking.set(None);
                        let gone = id.get_value();
                        loader.update(|page| page.items.retain(|e| e.id != gone));
                        on_changed.run(());
                    });
                    delete_dialog(id.get_value(), name_for_dialog.get_value(), Callback::new(move |_| asking.set(None)), on_deleted)
                }
                None => ().into_any(),
            }}
        </tbody>
    }
}

crate::pages::part::lazy_part! {
    fn test_outcome(result: TestResult) in endpoint_dialogs {
        view! { <TestOutcome result /> }
    }
}

/// The test event's attempt, in the row: status and time, or the error in words.
#[component]
fn TestOutcome(result: TestResult) -> impl IntoView {
    let a = result.attempt;
    let status = a.status_code.map(|c| format!("HTTP {c}")).unwrap_or_else(|| "No response".into());
    let text = if a.ok {
        format!("Test event delivered: {status} in {} ms.", a.duration_ms)
    } else {
        let why = a.error.unwrap_or_else(|| status.clone());
        format!("Test event failed: {why} (after {} ms).", a.duration_ms)
    };
    view! {
        <p class="issue-outcome" class:outcome-ok=a.ok class:outcome-failed=!a.ok role="status" data-testid="test-outcome">
            {text} " "
            <a href=Page::WebhookDelivery(result.delivery_id).path()>"See the delivery"</a>
        </p>
    }
}

crate::pages::part::lazy_part! {
    fn rotate_dialog(id: String, name: String, on_close: Callback<()>) in endpoint_dialogs {
        view! { <RotateDialog id name on_close /> }
    }
}

crate::pages::part::lazy_part! {
    fn delete_dialog(id: String, name: String, on_close: Callback<()>, on_deleted: Callback<()>) in endpoint_dialogs {
        view! { <DeleteDialog id name on_close on_deleted /> }
    }
}

#[component]
fn RotateDialog(id: String, name: String, on_close: Callback<()>) -> impl IntoView {
    let rotate = Submit::new(move |(), key| {
        let id = id.clone();
        async move { api::webhooks::rotate_secret(&id, &key).await }
    });
    move || {
        match rotate.done().get() {
        Some(EndpointWithSecret { secret, endpoint }) => {
            let until = endpoint.previous_secret_expires_at.as_deref().map(crate::components::exact_utc);
            let note = match until {
                Some(until) => format!("The old secret keeps working until {until} (24 hours): Sluice signs every delivery with both until then, so update your receiver before that."),
                None => "The old secret keeps working for 24 hours: Sluice signs every delivery with both until then, so update your receiver before that.".into(),
            };
            view! { <SecretShown title="New signing secret".to_string() secret note on_close /> }.into_any()
        }
        None => view! {
            <ConfirmDialog
                title=format!("Rotate the secret of “{name}”?")
                testid="rotate-dialog"
                confirm_label="Rotate secret"
                pending_label="Rotating…"
                confirm_testid="confirm-rotate"
                pending=rotate.pending()
                error=rotate.error()
                on_close
                on_confirm=Callback::new(move |_| rotate.dispatch(()))
            >
                <p>"A new signing secret is made and shown once. The old one keeps working for 24 hours, so receivers can switch without missing a delivery."</p>
            </ConfirmDialog>
        }
        .into_any(),
    }
    }
}

#[component]
fn DeleteDialog(id: String, name: String, on_close: Callback<()>, on_deleted: Callback<()>) -> impl IntoView {
    let delete = Submit::new(move |(), key| {
        let id = id.clone();
        async move { api::webhooks::delete_endpoint(&id, &key).await }
    });
    Effect::new(move |_| {
        if delete.done().get().is_some() {
            on_deleted.run(());
        }
    });
    view! {
        <ConfirmDialog
            title=format!("Delete “{name}”?")
            testid="delete-endpoint-dialog"
            confirm_label="Delete endpoint"
            pending_label="Deleting…"
            confirm_testid="confirm-delete-endpoint"
            pending=delete.pending()
            error=delete.error()
            on_close
            on_confirm=Callback::new(move |_| delete.dispatch(()))
        >
            <p>"It stops receiving events at once and its pending deliveries are not sent. Its past deliveries stay in the log. This cannot be undone."</p>
        </ConfirmDialog>
    }
}
