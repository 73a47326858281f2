//! Pages whose code is downloaded the first time the admin opens them.
//!
//! With the `split` feature (every trunk build, see `index.html` and `scripts/split-wasm.sh`)
//! each page below is cut out of the main wasm into a chunk of its own, so the first load
//! carries only the shell and the page being opened. Without it (the browser tests) the same
//! routes render the page directly. A chunk that cannot be fetched (the network dropped, or the
//! server was upgraded under an open tab) shows an error whose Try again reloads the console,
//! instead of stopping it; opening the page again also tries again.

use crate::components::ErrorPanel;
use leptos::prelude::*;
use leptos_router::LazyRoute;

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
                let page = render().await;
                #[cfg(not(feature = "split"))]
                let page = render();
                page.unwrap_or_else(|_| view! { <ChunkFailed /> }.into_any())
            }
        }
    };
}

lazy_page!(
    /// Tools > Issues.
    IssuesRoute,
    issues_page,
    crate::pages::issues::IssuesPage
);
lazy_page!(
    /// Admin > API usage.
    UsageRoute,
    usage_page,
    crate::pages::usage::UsagePage
);
lazy_page!(
    /// Settings > API keys.
    ApiKeysRoute,
    api_keys_page,
    crate::pages::settings::ApiKeysPage
);

#[component]
fn ChunkFailed() -> impl IntoView {
    view! {
        <ErrorPanel
            title="This page could not be loaded."
            message="Its code did not arrive: the connection may have dropped, or Sluice was upgraded since this tab opened. Reload to get the current console."
            on_retry=Callback::new(|_| {
                let _ = window().location().reload();
            })
        />
    }
}
