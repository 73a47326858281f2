//! Sign in, then go back to where the session ended (`?next=`).

use crate::api::{self, ApiError};
use crate::components::TextField;
use crate::safe_next;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use sluice_contract::error::FieldErrors;
use sluice_contract::session::LoginRequest;

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let server_error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);

    let field_error =
        move |name: &'static str| Signal::derive(move || errors.with(|e| e.get(name).map(str::to_string)));

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let request =
            LoginRequest { email: email.get_untracked().trim().to_string(), password: password.get_untracked() };
        server_error.set(None);
        if let Err(field_errors) = request.validate() {
            errors.set(field_errors);
            return;
        }
        errors.set(FieldErrors::new());
        pending.set(true);
        let next = safe_next(query.with_untracked(|q| q.get("next")));
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = api::session::login(&request).await;
            pending.try_set(false);
            match result {
                Ok(_) => navigate(&next, Default::default()),
                Err(error) => show_error(error, errors, server_error),
            }
        });
    };

    view! {
        <main class="login" data-testid="login-page">
            <form class="login-card" on:submit=on_submit novalidate>
                <h1>"Sign in to Sluice"</h1>
                {move || {
                    server_error
                        .get()
                        .map(|message| {
                            view! {
                                <p class="form-error" role="alert" data-testid="login-error">
                                    {message}
                                </p>
                            }
                        })
                }}
                <TextField
                    id="email"
                    label="Email"
                    input_type="email"
                    autocomplete="username"
                    value=email
                    error=field_error("email")
                    disabled=pending
                />
                <TextField
                    id="password"
                    label="Password"
                    input_type="password"
                    autocomplete="current-password"
                    value=password
                    error=field_error("password")
                    disabled=pending
                />
                <button
                    type="submit"
                    class="button button-primary"
                    data-testid="login-submit"
                    disabled=move || pending.get()
                >
                    {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </form>
        </main>
    }
}

/// Field errors go next to their fields; the server's sentence goes on top.
fn show_error(error: ApiError, errors: RwSignal<FieldErrors>, server_error: RwSignal<Option<String>>) {
    if let ApiError::Http { error: detail, .. } = &error {
        let mut fields = FieldErrors::new();
        for (name, why) in &detail.fields {
            fields.add(name, why.clone());
        }
        errors.try_set(fields);
    }
    server_error.try_set(Some(error.user_message()));
}
