//! API usage: the tenant's calls against its rate limit. (The report view comes next.)

use crate::components::EmptyState;
use leptos::prelude::*;

#[component]
pub fn UsagePage() -> impl IntoView {
    view! {
        <h1>"API usage"</h1>
        <EmptyState title="No usage report yet">
            <p>
                "Requests against the tenant's limit will appear here over time, with the busiest routes and keys, and alerts at 70% and 80% of the limit."
            </p>
        </EmptyState>
    }
}
