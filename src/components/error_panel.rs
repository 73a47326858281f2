use leptos::prelude::*;

/// A failed load: what went wrong in words, and a way to try again.
#[component]
pub fn ErrorPanel(
    /// What could not be done, e.g. "The API keys could not be loaded."
    #[prop(into)]
    title: String,
    /// The error's user message.
    #[prop(into)]
    message: String,
    /// Shown as a "Try again" button when given.
    #[prop(optional)]
    on_retry: Option<Callback<()>>,
) -> impl IntoView {
    view! {
        <div class="error-panel" role="alert" data-testid="error-panel">
            <p class="error-title">
                <span class="badge badge-error">"Error"</span>
                " "
                {title}
            </p>
            <p class="error-message">{message}</p>
            {on_retry
                .map(|retry| {
                    view! {
                        <button type="button" class="button" on:click=move |_| retry.run(())>
                            "Try again"
                        </button>
                    }
                })}
        </div>
    }
}
