//! Pages whose code is downloaded the first time the admin opens them.
//!
//! With the `split` feature (every trunk build, see `index.html` and `scripts/split-wasm.sh`)
//! each page below is cut out of the main wasm into a chunk of its own, so the first load
//! carries only the shell and the page being opened. Without it (the browser tests) the same
//! routes render the page directly. A chunk that cannot be fetched (the network dropped, or the
//! server was upgraded under an open tab) shows an error whose Try again reloads the console,
//! instead of stopping it; opening the page again also tries again.

use leptos::prelude::*;
use leptos_router::LazyRoute;

/// How many pages' code is on its way: the frame shows a progress bar while it is above zero.
#[derive(Clone, Copy)]
pub struct PagesLoading(pub RwSignal<u32>);

/// Provides [`PagesLoading`] for the routes below.
pub fn provide_pages_loading() {
    provide_context(PagesLoading(RwSignal::new(0)));
}

/// Whether a page's code is being fetched right now.
pub fn use_page_loading() -> Signal<bool> {
    let loading = use_context::<PagesLoading>();
    Signal::derive(move || loading.is_some_and(|l| l.0.get() > 0))
}

/// Declares `$route`, a lazily loaded route rendering `$page`, split into chunk `$chunk`.
macro_rules! lazy_page {
    ($(#[$doc:meta])* $route:ident, $chunk:ident, $page:path) => {
        $(#[$doc])*
        pub struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            async fn view(_: Self) -> AnyView {
                #[cfg_attr(
                    feature = "split",
                    leptos::wasm_split::wasm_split($chunk, wasm_split_path = ::leptos::wasm_split, fallible)
                )]
                fn render() -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
                    Ok(view! { <$page /> }.into_any())
                }

                #[cfg(feature = "split")]
                let page = {
                    let loading = use_context::<PagesLoading>();
                    if let Some(PagesLoading(n)) = loading {
                        n.update(|n| *n += 1);
                    }
                    let page = render().await;
                    if let Some(PagesLoading(n)) = loading {
                        n.try_update(|n| *n = n.saturating_sub(1));
                    }
                    page
                };
                #[cfg(not(feature = "split"))]
                let page = render();
                crate::pages::part::ready(page)
            }
        }
    };
}

lazy_page!(
    /// Admin > Integrations: every provider with its status and usage.
    IntegrationsRoute,
    integrations_page,
    crate::pages::integrations::IntegrationsPage
);
lazy_page!(
    /// One integration's overview: status, Test connection, usage against the provider's limit.
    IntegrationRoute,
    integration_page,
    crate::pages::integrations::IntegrationPage
);
lazy_page!(
    /// One integration's credential form (where its credential issues link).
    IntegrationCredentialsRoute,
    integration_credentials_page,
    crate::pages::integrations::CredentialsPage
);
lazy_page!(
    /// One integration's syncs: schedules, pause, recent runs (where its usage issues link).
    IntegrationSyncsRoute,
    integration_syncs_page,
    crate::pages::integrations::SyncsPage
);
lazy_page!(
    /// Tools > Issues.
    IssuesRoute,
    issues_page,
    crate::pages::issues::IssuesPage
);
lazy_page!(
    /// Admin > Distributors.
    DistributorsRoute,
    distributors_page,
    crate::pages::distributors::DistributorsPage
);
lazy_page!(
    /// Admin > API usage.
    UsageRoute,
    usage_page,
    crate::pages::usage::UsagePage
);
lazy_page!(
    /// Admin > Integrations > Webhooks: the switch and the endpoints.
    WebhooksRoute,
    webhooks_page,
    crate::pages::webhooks::WebhooksPage
);
lazy_page!(
    /// Webhooks: the delivery log.
    WebhookDeliveriesRoute,
    webhook_deliveries_page,
    crate::pages::webhooks::DeliveriesPage
);
lazy_page!(
    /// Webhooks: one delivery with its attempts.
    WebhookDeliveryRoute,
    webhook_delivery_page,
    crate::pages::webhooks::DeliveryPage
);
lazy_page!(
    /// Webhooks: the event catalog.
    WebhookEventsRoute,
    webhook_events_page,
    crate::pages::webhooks::EventsPage
);
lazy_page!(
    /// Sign in: most visits arrive signed in, so the shell does not carry the login form.
    LoginRoute,
    login_page,
    crate::pages::login::LoginPage
);
lazy_page!(
    /// Settings > API keys.
    ApiKeysRoute,
    api_keys_page,
    crate::pages::settings::ApiKeysPage
);

/// The login page, which stands outside the routes (no frame around it): its chunk is fetched
/// on mount and shown when it arrives.
pub fn login_page() -> impl IntoView {
    let page = StoredValue::new_local(None::<AnyView>);
    let arrived = RwSignal::new(false);
    // Scoped: the page reads the router's context (`?next=`), so it is built under this owner.
    leptos::task::spawn_local_scoped(async move {
        let view = LoginRoute::view(LoginRoute).await;
        if page.try_set_value(Some(view)).is_none() {
            arrived.try_set(true);
        }
    });
    move || arrived.get().then(|| page.try_update_value(Option::take).flatten()).flatten()
}
