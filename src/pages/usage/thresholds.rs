//! When Sluice tells the admin about usage: the warning and error thresholds. The form's code
//! is fetched when the admin asks to change them (`lazy_part!`): most visits only read them.

use crate::api::{self, ApiError};
use crate::components::TextField;
use crate::pages::part::lazy_part;
use crate::pages::submit::Submit;
use crate::routes::Page;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sluice_contract::usage::UsageThresholds;

fn parse_percent(text: &str) -> Option<u32> {
    text.trim().parse().ok()
}

/// The Alerts section: the thresholds in force, and Change, which opens the form.
#[component]
pub fn Alerts(
    /// The thresholds as the last report judged the window by (`None` until it loads).
    #[prop(into)]
    current: Signal<Option<UsageThresholds>>,
    /// Called after a save, so the page shows the window judged against the new thresholds.
    on_saved: Callback<()>,
) -> impl IntoView {
    let editing = RwSignal::new(false);
    view! {
        <section class="section thresholds" aria-labelledby="thresholds-heading">
            <h2 id="thresholds-heading">"Alerts"</h2>
            <p class="muted">
                "While usage in the current window stays above a threshold, Sluice keeps an issue open in "
                <a href=Page::Issues.with_query("?area=api_usage")>"Tools > Issues"</a>
                "; it resolves itself when usage drops below."
            </p>
            {move || if editing.get() {
                thresholds_form(on_saved)
            } else {
                view! {
                    <p data-testid="thresholds-current">
                        {move || current.get().map(|t| format!("Warning at {}%, error at {}% of the limit. ", t.warning_percent, t.error_percent))}
                        <button type="button" class="button" data-testid="change-thresholds" on:click=move |_| editing.set(true)>
                            "Change thresholds"
                        </button>
                    </p>
                }.into_any()
            }}
        </section>
    }
}

lazy_part! {
    /// The thresholds form, loaded with the saved values.
    fn thresholds_form(on_saved: Callback<()>) in usage_thresholds_form {
        view! { <ThresholdsForm on_saved /> }
    }
}

#[component]
fn ThresholdsForm(on_saved: Callback<()>) -> impl IntoView {
    let warning = RwSignal::new(String::new());
    let error = RwSignal::new(String::new());
    // What the console itself finds wrong before sending.
    let (local_warning, local_error) = (RwSignal::new(None::<String>), RwSignal::new(None::<String>));
    let load_error = RwSignal::new(None::<String>);
    let loading = RwSignal::new(true);
    let save = Submit::new(|t: UsageThresholds, key| async move { api::usage::set_thresholds(&t, &key).await });
    let (server_warning, server_error) = (save.field("warningPercent"), save.field("errorPercent"));
    let warning_error = Signal::derive(move || local_warning.get().or_else(|| server_warning.get()));
    let error_error = Signal::derive(move || local_error.get().or_else(|| server_error.get()));
    let failure = save.failure();
    // The error line says what the fields do not: a failure that names no field, or the load.
    let form_error = Signal::derive(move || {
        let unplaced =
            failure.get().filter(|e| e.field("warningPercent").is_none() && e.field("errorPercent").is_none());
        load_error.get().or_else(|| unplaced.map(|e| e.user_message()))
    });
    let saved = save.done();
    let pending = Signal::derive(move || loading.get() || save.pending().get());
    Effect::new(move |_| {
        if saved.with(Option::is_some) {
            on_saved.run(());
        }
    });

    spawn_local(async move {
        match api::usage::thresholds().await {
            Ok(t) => {
                warning.try_set(t.warning_percent.to_string());
                error.try_set(t.error_percent.to_string());
            }
            Err(ApiError::Cancelled) => return,
            Err(e) => drop(
                load_error.try_set(Some(format!("The saved thresholds could not be loaded: {}", e.user_message()))),
            ),
        }
        loading.try_set(false);
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        load_error.set(None);
        let (w, e) = (parse_percent(&warning.get_untracked()), parse_percent(&error.get_untracked()));
        local_warning
            .set(w.is_none().then(|| "Enter the warning threshold as a whole percentage from 1 to 100.".into()));
        local_error.set(e.is_none().then(|| "Enter the error threshold as a whole percentage from 1 to 100.".into()));
        let (Some(w), Some(e)) = (w, e) else { return };
        let thresholds = UsageThresholds { warning_percent: w, error_percent: e };
        if let Err(fields) = thresholds.validate() {
            local_warning.set(fields.get("warningPercent").map(str::to_string));
            local_error.set(fields.get("errorPercent").map(str::to_string));
            return;
        }
        save.dispatch(thresholds);
    };

    // Opened on purpose: ready to type into.
    let form = NodeRef::<leptos::html::Form>::new();
    form.on_load(|f| {
        request_animation_frame(move || {
            if let Some(input) = f.elements().item(0) {
                let _ = wasm_bindgen::JsCast::unchecked_into::<web_sys::HtmlElement>(input).focus();
            }
        });
    });
    view! {
        <div>
            <form class="inline-form" on:submit=on_submit novalidate data-testid="thresholds-form" node_ref=form>
                <TextField id="warning-percent" label="Warning at (%)" input_type="number" value=warning error=warning_error disabled=pending />
                <TextField id="error-percent" label="Error at (%)" input_type="number" value=error error=error_error disabled=pending />
                <button type="submit" class="button button-primary" data-testid="save-thresholds" disabled=move || pending.get()>
                    "Save"
                </button>
            </form>
            {move || form_error.get().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
            {move || saved.with(Option::is_some).then(|| view! { <p class="saved" role="status" data-testid="thresholds-saved">"Saved. Usage is judged against the new thresholds now."</p> })}
        </div>
    }
}
