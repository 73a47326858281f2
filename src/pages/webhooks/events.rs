//! The event catalog: what can be sent, what it means, and what its payload looks like.

use super::pretty;
use crate::api;
use crate::components::EmptyState;
use crate::pages::load::{show, Loader, Words};
use leptos::prelude::*;
use sluice_contract::webhooks::EventType;

#[component]
pub fn EventsPage() -> impl IntoView {
    let catalog = Loader::new(|| (), |(), cancel| api::webhooks::event_types(cancel));
    view! {
        <section class="section" aria-labelledby="events-heading" data-testid="event-catalog">
            <h2 id="events-heading">"Event catalog"</h2>
            <p class="muted">
                "Sluice's own events, and the ones your systems publish with "
                <code>"POST /api/v1/events"</code>
                " (type, data, and an optional eventId so that publishing twice delivers once). Every delivery's body is "
                <code>"{eventId, type, occurredAt, tenantId, data}"</code>
                "."
            </p>
            {show(
                catalog,
                Words { loading: "Loading the catalog…", failed: "The event catalog could not be loaded." },
                Vec::is_empty,
                || view! { <EmptyState title="No event types"><p>"Published event types appear here."</p></EmptyState> }.into_any(),
                move |types| view! { {move || types.get().into_iter().map(event_entry).collect_view()} }.into_any(),
            )}
        </section>
    }
}

fn event_entry(t: EventType) -> impl IntoView {
    let source = if t.source == "sluice" { "Sent by Sluice" } else { "Published by your systems" };
    let heading = format!("event-{}", t.name.replace('.', "-"));
    let labelled_by = heading.clone();
    view! {
        <article class="event-type" data-testid="event-type" aria-labelledby=labelled_by>
            <h3 id=heading><code>{t.name.clone()}</code> " " <span class="badge badge-muted">{source}</span></h3>
            <p>{t.description.clone()}</p>
            <details>
                <summary>"Example payload"</summary>
                <pre class="payload" data-testid="event-example">{pretty(&t.example)}</pre>
            </details>
        </article>
    }
}
