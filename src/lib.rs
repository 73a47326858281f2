//! Sluice console: the Leptos app. `main.rs` mounts [`App`]; `api/` is the typed client.

pub mod api;
pub mod components;
pub mod issue_counts;
pub mod pages;
pub mod rate_limit;
pub mod routes;

use leptos::prelude::*;
use leptos_router::components::{Redirect, Router};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::location::{BrowserUrl, LocationProvider};
use leptos_router::NavigateOptions;
use pages::{not_found::NotFoundPage, shell::Shell};
use routes::Page;

/// Talc in place of Rust's default wasm allocator (dlmalloc): less code in the shell that every
/// first load carries, and faster. The browser tests run with it too.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[component]
pub fn App() -> impl IntoView {
    rate_limit::provide_rate_limit();
    pages::lazy::provide_pages_loading();
    view! {
        <Router>
            <SessionExpiry />
            <PageScope />
            <Pages />
        </Router>
    }
}

/// The login page stands alone; every other page, the 404 included, sits in the signed-in
/// shell, which stays mounted while the admin moves between pages. The path names the page
/// ([`Page::from_path`]); a change of query string alone (a filter) keeps the page mounted.
#[component]
fn Pages() -> impl IntoView {
    let pathname = use_location().pathname;
    let page = Memo::new(move |_| pathname.with(|p| Page::from_path(p)));
    let on_login = Memo::new(move |_| page.with(|p| *p == Some(Page::Login)));
    let at_root = Memo::new(move |_| pathname.with(|p| p == "/"));
    // The router puts a new path in the address bar (and history) only when told the page is
    // there: at once, so a reload or Try again while its code travels opens the same page.
    let browser = use_context::<BrowserUrl>();
    Effect::new(move |_| {
        pathname.track();
        if let Some(browser) = &browser {
            browser.ready_to_complete();
        }
    });
    move || {
        if on_login.get() {
            pages::lazy::login_page()
        } else {
            view! {
                <Shell>
                    {move || match (page.get(), at_root.get()) {
                        (Some(page), _) => pages::lazy::page_view(page),
                        (None, true) => {
                            view! { <Redirect path=Page::Issues.path() /> }.into_any()
                        }
                        (None, false) => view! { <NotFoundPage /> }.into_any(),
                    }}
                </Shell>
            }
            .into_any()
        }
    }
}

/// Sends the user to `/login?next=<here>` when any request finds the session gone.
#[component]
fn SessionExpiry() -> impl IntoView {
    let navigate = use_navigate();
    api::on_unauthenticated(move || {
        let here = current_path();
        if here.starts_with(&Page::Login.path()) {
            return;
        }
        let target = Page::Login.with_query(&format!("?next={}", api::encode_query_value(&here)));
        navigate(&target, NavigateOptions { replace: true, ..Default::default() });
    });
}

/// Path and query of the current page, e.g. `/issues?status=open`.
pub fn current_path() -> String {
    let location = window().location();
    let path = location.pathname().unwrap_or_default();
    let search = location.search().unwrap_or_default();
    format!("{path}{search}")
}

/// Leaving a page abandons its requests: their waits at the gate and their fetches.
#[component]
fn PageScope() -> impl IntoView {
    let pathname = use_location().pathname;
    api::set_path_source(move || pathname.try_get_untracked());
    // A page that sends nothing still ends the previous page's requests.
    Effect::new(move |_| {
        pathname.track();
        api::sync_page();
    });
}

/// Where to go after login: only same-site paths, never `//evil.example`.
pub fn safe_next(next: Option<String>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/login") => n,
        _ => "/".to_string(),
    }
}

// The unit tests under `src/` run in the browser with the console suite (`make test`).
#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
