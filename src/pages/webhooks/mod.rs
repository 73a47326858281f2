//! Admin > Integrations > Webhooks: endpoints and their delivery log.

use crate::components::EmptyState;
use leptos::prelude::*;

#[component]
pub fn WebhooksPage() -> impl IntoView {
    view! {
        <h1>"Webhooks"</h1>
        <EmptyState title="No webhook endpoints yet">
            <p>
                "Endpoints you add will appear here with whether they are active, and every delivery attempt with its status, response and duration."
            </p>
        </EmptyState>
    }
}
