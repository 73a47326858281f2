use crate::routes::Page;
use leptos::prelude::*;
use leptos_router::components::A;

/// The area navigation. Active links get `aria-current="page"` from the router.
#[component]
pub fn Sidebar(
    /// Active issues for the Tools > Issues badge; `None` until known.
    #[prop(into)]
    issue_count: Signal<Option<u64>>,
) -> impl IntoView {
    view! {
        <nav class="sidebar" aria-label="Main" data-testid="sidebar">
            <a class="brand" href="/">"Sluice"</a>
            <ul>
                <li><A href=Page::Integrations.path()>"Integrations"</A></li>
                <li><A href=Page::Webhooks.path()>"Webhooks"</A></li>
                <li><A href=Page::Distributors.path()>"Distributors"</A></li>
            </ul>
            <p class="nav-group">"Tools"</p>
            <ul>
                <li>
                    <A href=Page::Issues.path()>
                        "Issues"
                        {move || {
                            issue_count
                                .get()
                                .map(|n| {
                                    let active = n > 0;
                                    view! {
                                        <span
                                            class="count"
                                            class:count-active=active
                                            data-testid="issue-count"
                                            aria-label=format!("{n} active issues")
                                        >
                                            {n}
                                        </span>
                                    }
                                })
                        }}
                    </A>
                </li>
                <li><A href=Page::Usage.path()>"API usage"</A></li>
            </ul>
            <ul>
                <li><A href=Page::ApiKeys.path()>"Settings"</A></li>
            </ul>
        </nav>
    }
}
