//! When Sluice tells the admin about usage: the warning and error thresholds.

use crate::api::{self, ApiError};
use crate::components::TextField;
use crate::routes::Page;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sluice_contract::usage::UsageThresholds;

fn parse_percent(text: &str) -> Option<u32> {
    text.trim().parse().ok()
}

#[component]
pub fn ThresholdsForm(
    /// Called after a save, so the page shows the window judged against the new thresholds.
    on_saved: Callback<()>,
) -> impl IntoView {
    let warning = RwSignal::new(String::new());
    let error = RwSignal::new(String::new());
    let warning_error = RwSignal::new(None::<String>);
    let error_error = RwSignal::new(None::<String>);
    let form_error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(true);
    let saved = RwSignal::new(false);

    spawn_local(async move {
        match api::usage::thresholds().await {
            Ok(t) => {
                warning.try_set(t.warning_percent.to_string());
                error.try_set(t.error_percent.to_string());
            }
            Err(ApiError::Cancelled) => return,
            Err(e) => drop(
                form_error.try_set(Some(format!("The saved thresholds could not be loaded: {}", e.user_message()))),
            ),
        }
        pending.try_set(false);
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        saved.set(false);
        form_error.set(None);
        let (w, e) = (parse_percent(&warning.get_untracked()), parse_percent(&error.get_untracked()));
        warning_error
            .set(w.is_none().then(|| "Enter the warning threshold as a whole percentage from 1 to 100.".into()));
        error_error.set(e.is_none().then(|| "Enter the error threshold as a whole percentage from 1 to 100.".into()));
        let (Some(w), Some(e)) = (w, e) else { return };
        let thresholds = UsageThresholds { warning_percent: w, error_percent: e };
        if let Err(fields) = thresholds.validate() {
            warning_error.set(fields.get("warningPercent").map(str::to_string));
            error_error.set(fields.get("errorPercent").map(str::to_string));
            return;
        }
        pending.set(true);
        let key = api::idempotency_key();
        spawn_local(async move {
            let result = api::usage::set_thresholds(&thresholds, &key).await;
            pending.try_set(false);
            match result {
                Ok(_) => {
                    saved.try_set(true);
                    on_saved.run(());
                }
                Err(e) => {
                    warning_error.try_set(e.field("warningPercent"));
                    error_error.try_set(e.field("errorPercent"));
                    if e.field("warningPercent").is_none() && e.field("errorPercent").is_none() {
                        form_error.try_set(Some(e.user_message()));
                    }
                }
            }
        });
    };

    view! {
        <section class="section thresholds" aria-labelledby="thresholds-heading">
            <h2 id="thresholds-heading">"Alerts"</h2>
            <p class="muted">
                "While usage in the current window stays above a threshold, Sluice keeps an issue open in "
                <a href=Page::Issues.with_query("?area=api_usage")>"Tools > Issues"</a>
                "; it resolves itself when usage drops below."
            </p>
            <form class="inline-form" on:submit=on_submit novalidate data-testid="thresholds-form">
                <TextField id="warning-percent" label="Warning at (%)" input_type="number" value=warning error=warning_error disabled=pending />
                <TextField id="error-percent" label="Error at (%)" input_type="number" value=error error=error_error disabled=pending />
                <button type="submit" class="button button-primary" data-testid="save-thresholds" disabled=move || pending.get()>
                    "Save"
                </button>
            </form>
            {move || form_error.get().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
            {move || saved.get().then(|| view! { <p class="saved" role="status" data-testid="thresholds-saved">"Saved. Usage is judged against the new thresholds now."</p> })}
        </section>
    }
}
