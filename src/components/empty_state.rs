use leptos::prelude::*;

/// What a page shows when there is nothing (yet): a title and one sentence of what will appear.
#[component]
pub fn EmptyState(
    /// Short, e.g. "No webhook endpoints yet".
    #[prop(into)]
    title: String,
    /// The sentence (and optionally an action) under the title.
    children: Children,
) -> impl IntoView {
    view! {
        <div class="empty-state" data-testid="empty-state">
            <h2 class="empty-title">{title}</h2>
            <div class="empty-body">{children()}</div>
        </div>
    }
}
