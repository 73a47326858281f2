//! The signed-in frame: sidebar, header, rate-limit banner, and the page in the middle.

use crate::api::{self, ApiError};
use crate::components::{AppHeader, ErrorPanel, RateLimitBanner, Sidebar};
use crate::issue_counts::provide_issue_counts;
use crate::pages::lazy::use_page_loading;
use crate::rate_limit::use_rate_limit;
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use sluice_contract::session::SessionInfo;

#[component]
pub fn Shell(
    /// The page in the middle (the router's output).
    children: ChildrenFn,
) -> impl IntoView {
    let children = StoredValue::new(children);
    // A signal rather than a resource: the session loads once, and the frame needs no Suspense.
    let session = RwSignal::new(None::<Result<SessionInfo, ApiError>>);
    let load = move || {
        session.set(None);
        spawn_local(async move {
            let result = api::session::current().await;
            session.try_set(Some(result));
        });
    };
    load();
    move || match session.get() {
        None => EitherOf3::A(view! {
            <p class="page-loading" data-testid="shell-loading">"Loading the console…"</p>
        }),
        Some(Ok(info)) => EitherOf3::B(view! { <Frame info>{children.with_value(|page| page())}</Frame> }),
        Some(Err(error)) => EitherOf3::C(view! { <NoSession error on_retry=load /> }),
    }
}

#[component]
fn NoSession(error: ApiError, on_retry: impl Fn() + Send + Sync + 'static) -> impl IntoView {
    if error.is_unauthenticated() {
        // `api::send` already asked the router to go to the login page.
        return Either::Left(view! {
            <p class="page-loading">"Your session has ended. " <a href="/login">"Sign in again"</a></p>
        });
    }
    Either::Right(view! {
        <main class="page">
            <ErrorPanel
                title="The console could not start."
                message=error.user_message()
                on_retry=Callback::new(move |_| on_retry())
            />
        </main>
    })
}

#[component]
fn Frame(info: SessionInfo, children: Children) -> impl IntoView {
    let rate = use_rate_limit();
    let page_loading = use_page_loading();
    // Live badge: the server pushes counts on every change; closed with this view.
    let live = provide_issue_counts();
    let issue_count = Signal::derive(move || live.counts.with(|c| c.as_ref().map(|c| c.active)));

    let navigate = use_navigate();
    let logging_out = RwSignal::new(false);
    let on_logout = Callback::new(move |_| {
        logging_out.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            // Whatever the answer, the user asked to leave: go to the login page.
            let _ = api::session::logout().await;
            logging_out.try_set(false);
            navigate("/login", Default::default());
        });
    });

    view! {
        <div class="app" data-testid="shell">
            <a class="skip-link" href="#main">"Skip to content"</a>
            <Sidebar issue_count=issue_count />
            <div class="app-main">
                <AppHeader
                    tenant=info.tenant.name
                    email=info.user.email
                    on_logout
                    logging_out
                    rate=rate.status
                />
                <RateLimitBanner
                    status=rate.status
                    now=rate.now
                    on_retry=Callback::new(|_| api::gate::retry_now())
                    on_cancel=Callback::new(|_| api::gate::cancel())
                    on_dismiss=Callback::new(|_| api::gate::dismiss())
                />
                <div
                    class="page-progress"
                    role="progressbar"
                    aria-label="Loading the page"
                    data-testid="page-progress"
                    hidden=move || !page_loading.get()
                ></div>
                <main id="main" class="page" tabindex="-1" aria-busy=move || page_loading.get().to_string()>
                    {children()}
                </main>
            </div>
        </div>
    }
}
