//! Distributors: price feeds, their last successful sync and staleness.

use crate::components::EmptyState;
use leptos::prelude::*;

#[component]
pub fn DistributorsPage() -> impl IntoView {
    view! {
        <h1>"Distributors"</h1>
        <EmptyState title="No distributor feeds yet">
            <p>
                "Distributor price feeds will appear here with their last successful sync, how stale their prices are, and a way to test the connection."
            </p>
        </EmptyState>
    }
}
