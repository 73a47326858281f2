//! Pages whose code is downloaded the first time the admin opens them.
//!
//! With the `split` feature (every trunk build, see `index.html` and `scripts/split-wasm.sh`)
//! each page below is cut out of the main wasm into a chunk of its own, so the first load
//! carries only the shell and the page being opened. Without it (the browser tests) the same
//! routes render the page directly. A chunk that cannot be fetched (the network dropped, or the
//! server was upgraded under an open tab) shows an error whose Try again reloads the console,
//! instead of stopping it; opening the page again also tries again.

use crate::routes::Page;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use sluice_contract::integrations::Provider;

/// How many pages' code is on its way: the frame shows a progress bar while it is above zero.
#[derive(Clone, Copy)]
pub struct PagesLoading(pub RwSignal<u32>);

/// Provides [`PagesLoading`] for the pages below.
pub fn provide_pages_loading() {
    provide_context(PagesLoading(RwSignal::new(0)));
}

/// Whether a page's code is being fetched right now.
pub fn use_page_loading() -> Signal<bool> {
    let loading = use_context::<PagesLoading>();
    Signal::derive(move || loading.is_some_and(|l| l.0.get() > 0))
}

/// The page at `page`, inside the signed-in frame (the login page stands alone, see `lib.rs`).
/// One match rather than a router's route table: the router's nested-route machinery cost
/// the shell more than the pages it would route.
pub fn page_view(page: Page) -> AnyView {
    match page {
        Page::Login => login_page(),
        Page::Integrations => integrations_page(),
        Page::Integration(provider) => integration_page(provider),
        Page::IntegrationCredentials(provider) => integration_credentials_page(provider),
        Page::IntegrationSyncs(provider) => integration_syncs_page(provider),
        Page::Webhooks => webhooks_page(),
        Page::WebhookDeliveries => webhook_deliveries_page(),
        Page::WebhookDelivery(id) => webhook_delivery_page(id),
        Page::WebhookEvents => webhook_events_page(),
        Page::Distributors => distributors_page(),
        Page::Issues => issues_page(),
        Page::Usage => usage_page(),
        Page::Settings => view! { <Redirect path=Page::ApiKeys.path() /> }.into_any(),
        Page::ApiKeys => api_keys_page(),
    }
}

/// Declares `fn $name(args) -> AnyView`: a page whose code is cut into chunk `$chunk` and
/// fetched the first time it is opened, counted in [`PagesLoading`] while it travels.
macro_rules! lazy_page {
    ($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),* $(,)?) in $chunk:ident $body:block) => {
        $(#[$doc])*
        pub fn $name($($arg: $ty),*) -> AnyView {
            #[cfg_attr(
                feature = "split",
                leptos::wasm_split::wasm_split($chunk, wasm_split_path = ::leptos::wasm_split, fallible)
            )]
            fn render($($arg: $ty),*) -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
                Ok(IntoAny::into_any($body))
            }
            #[cfg(feature = "split")]
            let page = fetched(Box::pin(render($($arg),*)));
            #[cfg(not(feature = "split"))]
            let page = crate::pages::part::ready(render($($arg),*));
            page
        }
    };
}

/// A page's view once its chunk has arrived, counted in [`PagesLoading`] meanwhile.
#[cfg(feature = "split")]
fn fetched(load: crate::pages::part::Arriving) -> AnyView {
    let loading = use_context::<PagesLoading>();
    if let Some(PagesLoading(n)) = loading {
        n.update(|n| *n += 1);
    }
    crate::pages::part::deferred(Box::pin(async move {
        let page = load.await;
        if let Some(PagesLoading(n)) = loading {
            n.try_update(|n| *n = n.saturating_sub(1));
        }
        page
    }))
}

lazy_page!(
    /// Admin > Integrations: every provider with its status and usage.
    fn integrations_page() in integrations_page {
        view! { <crate::pages::integrations::IntegrationsPage /> }
    }
);
lazy_page!(
    /// One integration's overview: status, Test connection, usage against the provider's limit.
    fn integration_page(provider: Provider) in integration_page {
        view! { <crate::pages::integrations::IntegrationPage provider /> }
    }
);
lazy_page!(
    /// One integration's credential form (where its credential issues link).
    fn integration_credentials_page(provider: Provider) in integration_credentials_page {
        view! { <crate::pages::integrations::CredentialsPage provider /> }
    }
);
lazy_page!(
    /// One integration's syncs: schedules, pause, recent runs (where its usage issues link).
    fn integration_syncs_page(provider: Provider) in integration_syncs_page {
        view! { <crate::pages::integrations::SyncsPage provider /> }
    }
);
lazy_page!(
    /// Tools > Issues.
    fn issues_page() in issues_page {
        view! { <crate::pages::issues::IssuesPage /> }
    }
);
lazy_page!(
    /// Admin > Distributors.
    fn distributors_page() in distributors_page {
        view! { <crate::pages::distributors::DistributorsPage /> }
    }
);
lazy_page!(
    /// Admin > API usage.
    fn usage_page() in usage_page {
        view! { <crate::pages::usage::UsagePage /> }
    }
);
lazy_page!(
    /// Admin > Integrations > Webhooks: the switch and the endpoints.
    fn webhooks_page() in webhooks_page {
        view! { <crate::pages::webhooks::WebhooksPage /> }
    }
);
lazy_page!(
    /// Webhooks: the delivery log.
    fn webhook_deliveries_page() in webhook_deliveries_page {
        view! { <crate::pages::webhooks::DeliveriesPage /> }
    }
);
lazy_page!(
    /// Webhooks: one delivery with its attempts.
    fn webhook_delivery_page(id: String) in webhook_delivery_page {
        view! { <crate::pages::webhooks::DeliveryPage id /> }
    }
);
lazy_page!(
    /// Webhooks: the event catalog.
    fn webhook_events_page() in webhook_events_page {
        view! { <crate::pages::webhooks::EventsPage /> }
    }
);
lazy_page!(
    /// Sign in: most visits arrive signed in, so the shell does not carry the login form. It
    /// stands outside the frame; its chunk is fetched on mount and shown when it arrives.
    fn login_page() in login_page {
        view! { <crate::pages::login::LoginPage /> }
    }
);
lazy_page!(
    /// Settings > API keys.
    fn api_keys_page() in api_keys_page {
        view! { <crate::pages::settings::ApiKeysPage /> }
    }
);
