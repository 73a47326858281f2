//! Tools > Issues: one list of everything that is broken. (The list itself comes next.)

use crate::components::EmptyState;
use leptos::prelude::*;

#[component]
pub fn IssuesPage() -> impl IntoView {
    view! {
        <h1>"Issues"</h1>
        <EmptyState title="No issues to show yet">
            <p>
                "Open problems from every area will appear here, each with the exact error, how often and since when it happened, and a link to the page that fixes it."
            </p>
        </EmptyState>
    }
}
