//! Admin > Integrations: CRM/PSA connections and their credentials.

use crate::components::EmptyState;
use leptos::prelude::*;

#[component]
pub fn IntegrationsPage() -> impl IntoView {
    view! {
        <h1>"Integrations"</h1>
        <EmptyState title="No integrations connected yet">
            <p>
                "Connections to Autotask, HubSpot, Salesforce and Apollo.io will appear here, each with its call volume against the provider's limit and when its credentials expire."
            </p>
        </EmptyState>
    }
}
