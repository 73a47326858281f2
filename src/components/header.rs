use super::RateMeter;
use crate::api::GateStatus;
use leptos::prelude::*;

/// The top bar: tenant, the API limit meter, and the user menu.
#[component]
pub fn AppHeader(
    #[prop(into)] tenant: String,
    #[prop(into)] email: String,
    /// Called when the user chooses "Log out".
    on_logout: Callback<()>,
    /// True while logging out (the button says so).
    #[prop(into)]
    logging_out: Signal<bool>,
    /// The gate's status, for the limit meter.
    #[prop(into)]
    rate: Signal<GateStatus>,
) -> impl IntoView {
    view! {
        <header class="app-header">
            <span class="tenant" data-testid="tenant-name">{tenant}</span>
            <RateMeter status=rate />
            <details class="user-menu">
                <summary data-testid="user-menu">{email.clone()}</summary>
                <div class="menu">
                    <p class="menu-email">"Signed in as " <strong>{email}</strong></p>
                    <button
                        type="button"
                        class="button"
                        data-testid="logout"
                        disabled=move || logging_out.get()
                        on:click=move |_| on_logout.run(())
                    >
                        {move || if logging_out.get() { "Logging out…" } else { "Log out" }}
                    </button>
                </div>
            </details>
        </header>
    }
}
