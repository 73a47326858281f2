//! One delivery: the exact payload sent, and every attempt with what the receiver answered.

use super::{pretty, watch_webhooks, when};
use crate::api;
use crate::components::{exact_utc, EmptyState};
use crate::pages::load::{show, updating, Loader, Words};
use crate::pages::submit::{form_error, Submit};
use crate::routes::Page;
use leptos::prelude::*;
use sluice_contract::webhooks::{Attempt, DeliveryDetail, DeliveryStatus};

#[component]
pub fn DeliveryPage(id: String) -> impl IntoView {
    let key = id.clone();
    let detail = Loader::new(
        move || key.clone(),
        |id: String, cancel| async move { api::webhooks::delivery(&id, cancel).await },
    );
    let watched = id.clone();
    watch_webhooks(move |changed| {
        if changed.delivery_ids.is_empty() || changed.delivery_ids.contains(&watched) {
            detail.refresh();
        }
    });
    let redeliver = Submit::new(move |(), key| {
        let id = id.clone();
        async move { api::webhooks::redeliver(&id, &key).await }
    });
    Effect::new(move |_| {
        if redeliver.done().with(Option::is_some) {
            detail.refresh();
        }
    });
    view! {
        <p><a href=Page::WebhookDeliveries.path()>"← Delivery log"</a></p>
        {show(
            detail,
            Words { loading: "Loading the delivery…", failed: "The delivery could not be loaded." },
            |_| false,
            || ().into_any(),
            move |data| {
                view! {
                    <section class="section" aria-labelledby="delivery-heading" data-testid="delivery-detail">
                        <div class="section-head">
                            <h2 id="delivery-heading">
                                {move || data.with(|d| d.delivery.event_type.clone())} {updating(detail)}
                            </h2>
                            <button type="button" class="button" data-testid="redeliver"
                                disabled=move || redeliver.pending().get() on:click=move |_| redeliver.dispatch(())>
                                {move || if redeliver.pending().get() { "Redelivering…" } else { "Redeliver" }}
                            </button>
                        </div>
                        {move || redeliver.done().get().map(|_| view! {
                            <p class="saved" role="status" data-testid="redelivered">"Queued again: it is sent now with the same webhook-id."</p>
                        })}
                        {form_error(redeliver.error())}
                        {move || view! { <Facts detail=data.get() /> }}
                        <h3>"Payload"</h3>
                        <pre class="payload" data-testid="delivery-payload" tabindex="0" aria-label="Payload">
                            {move || data.with(|d| pretty(&d.payload))}
                        </pre>
                        <h3>"Attempts"</h3>
                        {move || {
                            let attempts = data.with(|d| d.attempts.clone());
                            if attempts.is_empty() {
                                view! { <EmptyState title="No attempt yet"><p>"The first attempt is due now; it appears here when made."</p></EmptyState> }.into_any()
                            } else {
                                view! {
                                    <ol class="attempts" data-testid="attempts" reversed>
                                        {attempts.into_iter().map(|a| view! { <AttemptItem attempt=a /> }).collect_view()}
                                    </ol>
                                }
                                .into_any()
                            }
                        }}
                    </section>
                }
                .into_any()
            },
        )}
    }
}

#[component]
fn Facts(detail: DeliveryDetail) -> impl IntoView {
    let d = detail.delivery;
    let next = match d.status {
        DeliveryStatus::Retrying | DeliveryStatus::Pending => when(&d.next_attempt_at),
        _ => "—".into(),
    };
    view! {
        <dl class="facts">
            <dt>"Status"</dt>
            <dd data-testid="delivery-status">{d.status.label()}</dd>
            <dt>"Event id"</dt>
            <dd><code data-testid="delivery-event-id">{d.event_id}</code></dd>
            <dt>"Endpoint"</dt>
            <dd><code>{d.endpoint_url}</code></dd>
            <dt>"Created"</dt>
            <dd>{exact_utc(&d.created_at)}</dd>
            <dt>"Next attempt"</dt>
            <dd>{next}</dd>
        </dl>
    }
}

#[component]
fn AttemptItem(attempt: Attempt) -> impl IntoView {
    let a = attempt;
    let status = a.status_code.map(|c| format!("HTTP {c}")).unwrap_or_else(|| "No response".into());
    let verdict = if a.ok { "Succeeded" } else { "Failed" };
    view! {
        <li class="attempt" class:attempt-failed=!a.ok data-testid="attempt">
            <p class="attempt-head">
                <strong>{format!("Attempt {}", a.number)}</strong>
                " · " {exact_utc(&a.at)}
                " · " <span class=if a.ok { "badge badge-ok" } else { "badge badge-error" }>{verdict}</span>
                " · " <span data-testid="attempt-status">{status}</span>
                " · " {format!("{} ms", a.duration_ms)}
                " · " <span class="muted" data-testid="attempt-trigger">{a.trigger.clone()}</span>
            </p>
            {a.error.clone().map(|e| view! { <p class="attempt-error" data-testid="attempt-error">{e}</p> })}
            {(!a.response_headers.is_empty()).then(|| view! {
                <details>
                    <summary>"Response headers"</summary>
                    <dl class="facts" data-testid="attempt-headers">
                        {a.response_headers.iter().map(|h| view! { <dt><code>{h.name.clone()}</code></dt> <dd><code>{h.value.clone()}</code></dd> }).collect_view()}
                    </dl>
                </details>
            })}
            {a.response_body.clone().filter(|b| !b.is_empty()).map(|b| view! {
                <details>
                    <summary>"Response body (first 4 KiB)"</summary>
                    <pre class="payload" data-testid="attempt-body">{b}</pre>
                </details>
            })}
        </li>
    }
}
