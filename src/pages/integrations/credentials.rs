//! The credential form. Secrets are write-only: a stored one shows only when it was set and
//! its last characters, over an empty input that replaces it. A new credential is tested
//! before it is stored; when its test fails nothing is replaced unless the admin, warned,
//! chooses "Save anyway".

use super::day;
use super::steps::test_steps;
use crate::api::{self, ApiError};
use crate::components::ConfirmDialog;
use crate::pages::submit::{form_error, Submit};
use leptos::html::Section;
use leptos::prelude::*;
use sluice_contract::integrations::{
    CredentialField, CredentialInput, FieldKind, IntegrationDetail, Provider, SaveCredentialResult,
};
use wasm_bindgen::JsCast;

/// One field of the form with what the admin typed.
#[derive(Clone)]
struct Input {
    field: CredentialField,
    value: RwSignal<String>,
}

/// The server's complaint about credential field `name` (`fields.<name>` or plain `<name>`).
fn field_error(failure: &Option<ApiError>, name: &str) -> Option<String> {
    let e = failure.as_ref()?;
    e.field(&format!("fields.{name}")).or_else(|| e.field(name))
}

#[component]
pub fn CredentialForm(
    /// The integration as last loaded; the form's fields come from its schema once, so a live
    /// refresh never wipes what the admin is typing.
    detail: Signal<IntegrationDetail>,
    /// After a credential was stored.
    on_saved: Callback<()>,
) -> impl IntoView {
    let first = detail.get_untracked();
    let provider = first.summary.provider;
    let inputs: Vec<Input> = first
        .schema
        .fields
        .iter()
        .map(|f| {
            // Only non-secret values come back from the server; secrets start empty.
            let stored = first
                .credential
                .as_ref()
                .and_then(|c| c.fields.iter().find(|s| s.name == f.name))
                .and_then(|s| s.value.clone())
                .filter(|_| !f.secret);
            Input { field: f.clone(), value: RwSignal::new(stored.unwrap_or_default()) }
        })
        .collect();
    let inputs = StoredValue::new(inputs);
    let expires_on = RwSignal::new(first.credential.as_ref().and_then(|c| c.expires_at).map(day).unwrap_or_default());

    let save = Submit::new(move |input: CredentialInput, key| async move {
        api::integrations::save_credentials(provider, &input, &key).await
    });
    let outcome = RwSignal::new(None::<SaveCredentialResult>);
    let last_input = StoredValue::new(None::<CredentialInput>);
    let confirming = RwSignal::new(false);
    Effect::new(move |_| {
        let Some(o) = save.done().get() else { return };
        if o.saved {
            // The new secret is stored: nothing of it stays in the page.
            inputs.with_value(|all| all.iter().filter(|i| i.field.secret).for_each(|i| i.value.set(String::new())));
            confirming.set(false);
            on_saved.run(());
        }
        outcome.set(Some(o));
    });
    let collect = move |save_anyway: bool| {
        // Inserted one by one: collecting into the map would bring a sort into this chunk.
        let mut fields = std::collections::BTreeMap::new();
        inputs.with_value(|all| {
            for i in all {
                let v = i.value.get_untracked();
                fields.insert(i.field.name.clone(), if i.field.secret { v } else { v.trim().to_string() });
            }
        });
        let expires = expires_on.get_untracked();
        CredentialInput { fields, expires_on: (!expires.is_empty()).then_some(expires), save_anyway }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        outcome.set(None);
        let input = collect(false);
        last_input.set_value(Some(input.clone()));
        save.dispatch(input);
    };
    let save_anyway = move || {
        let mut input = last_input.get_value().unwrap_or_else(|| collect(true));
        input.save_anyway = true;
        save.dispatch(input);
    };

    // The form is what this page is for (credential issues link here): ready to type into.
    let node = NodeRef::<Section>::new();
    node.on_load(|section| {
        request_animation_frame(move || {
            section.scroll_into_view();
            if let Some(el) =
                section.query_selector("input").ok().flatten().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = el.focus();
            }
        });
    });
    let failure = save.failure();
    let set_on = move || detail.with(|d| d.credential.as_ref().map(|c| day(c.set_at)));
    let token_line = move || {
        detail.with(|d| d.credential.as_ref().and_then(|c| c.token_expires_at)).map(|at| {
            view! {
                <p class="muted small" data-testid="token-expiry">
                    {format!("The OAuth access token is renewed automatically before it expires; the current one is valid until {} UTC.", super::iso(at).chars().take(16).collect::<String>().replace('T', " "))}
                </p>
            }
        })
    };
    view! {
        <section class="section credentials" id="credentials" aria-labelledby="credentials-heading" data-testid="credentials" node_ref=node>
            <h2 id="credentials-heading">"Credentials"</h2>
            <p class="muted" data-testid="credential-state">
                {move || match set_on() {
                    Some(d) => format!("Stored credential set on {d}. Secrets are never shown again: type a new value to replace one, leave it empty to keep it."),
                    None => "No credential stored yet.".to_string(),
                }}
            </p>
            {token_line}
            <form class="credential-form" data-testid="credential-form" on:submit=submit novalidate=true>
                {inputs.get_value().into_iter().map(|i| view! { <FieldInput input=i detail failure /> }).collect_view()}
                <div class="field" class:field-invalid=move || failure.with(|f| field_error(f, "expiresOn").is_some())>
                    <label for="cred-expires-on">"Expires on (optional)"</label>
                    <input
                        id="cred-expires-on"
                        type="date"
                        data-testid="field-cred-expires-on"
                        aria-describedby="cred-expires-on-help"
                        prop:value=move || expires_on.get()
                        on:input=move |ev| expires_on.set(event_target_value(&ev))
                    />
                    <p class="muted small" id="cred-expires-on-help">"When the key stops working, if the provider told you. Sluice warns 14 and 3 days before."</p>
                    {move || failure.with(|f| field_error(f, "expiresOn")).map(|m| view! { <p class="field-error" data-testid="field-error">{m}</p> })}
                </div>
                <div class="actions">
                    <button type="submit" class="button button-primary" data-testid="save-credentials" disabled=move || save.pending().get()>
                        {move || if save.pending().get() { "Testing and saving…" } else { "Test and save" }}
                    </button>
                </div>
                {form_error(save.error())}
            </form>
            {move || outcome.get().map(|o| {
                if o.saved {
                    view! {
                        <p class="saved" role="status" data-testid="credentials-saved">
                            {if o.test.ok { "Saved: the new credential passed its test and is now in use." } else { "Saved anyway: the new credential is in use although its test failed." }}
                        </p>
                        {test_steps(o.test, "The new credential's test")}
                    }.into_any()
                } else {
                    view! {
                        <div data-testid="credentials-not-saved">
                            <p class="form-error" role="alert">"Not saved: the new credential failed its test. The stored credential is still in use."</p>
                            {test_steps(o.test, "The new credential's test")}
                            <button type="button" class="button" data-testid="save-anyway" on:click=move |_| confirming.set(true)>"Save anyway…"</button>
                        </div>
                    }.into_any()
                }
            })}
            {move || confirming.get().then(|| save_anyway_dialog(
                provider,
                save,
                Callback::new(move |_| save_anyway()),
                Callback::new(move |_| confirming.set(false)),
            ))}
        </section>
    }
}

crate::pages::part::lazy_part! {
    /// Fetched when a new credential failed its test and the admin asks to save it anyway.
    fn save_anyway_dialog(
        provider: Provider,
        save: Submit<CredentialInput, SaveCredentialResult>,
        on_confirm: Callback<()>,
        on_close: Callback<()>,
    ) in integration_save_anyway {
        view! {
            <ConfirmDialog
                title="Save a credential that failed its test?"
                testid="save-anyway-dialog"
                confirm_label="Save anyway"
                pending_label="Saving…"
                confirm_testid="confirm-save-anyway"
                pending=save.pending()
                error=save.error()
                on_confirm
                on_close
            >
                <p>{format!("The stored credential will be replaced and {}'s syncs will use the new one, although the test above failed. They will keep failing until it works.", provider.name())}</p>
            </ConfirmDialog>
        }
    }
}

#[component]
fn FieldInput(input: Input, detail: Signal<IntegrationDetail>, failure: Signal<Option<ApiError>>) -> impl IntoView {
    let f = input.field.clone();
    let id = format!("cred-{}", f.name);
    let (error_id, hint_id, help_id) = (format!("{id}-error"), format!("{id}-hint"), format!("{id}-help"));
    let name = StoredValue::new(f.name.clone());
    let secret = f.secret;
    let error = move || failure.with(|e| field_error(e, &name.get_value()));
    // "Set on 2026-11-20, ends in …4f2a": all a stored secret ever shows.
    let hint = move || {
        if !secret {
            return None;
        }
        detail.with(|d| {
            let c = d.credential.as_ref()?;
            let stored = c.fields.iter().find(|s| s.name == name.get_value())?;
            let ends = stored.hint.clone().map(|h| format!(", ends in {h}")).unwrap_or_default();
            Some(format!("Set on {}{ends}.", day(c.set_at)))
        })
    };
    let has_hint = move || hint().is_some();
    let kind = match f.kind {
        FieldKind::Secret => "password",
        FieldKind::Url => "url",
        FieldKind::Date => "date",
        FieldKind::Text => "text",
    };
    let kind = if f.secret { "password" } else { kind };
    let described = {
        let (hint_id, help_id, error_id) = (hint_id.clone(), help_id.clone(), error_id.clone());
        let has_help = !f.help.is_empty();
        move || {
            let mut ids = vec![];
            if has_hint() {
                ids.push(hint_id.clone());
            }
            if has_help {
                ids.push(help_id.clone());
            }
            if error().is_some() {
                ids.push(error_id.clone());
            }
            ids.join(" ")
        }
    };
    let value = input.value;
    let required = f.required;
    view! {
        <div class="field" class:field-invalid=move || error().is_some()>
            <label for=id.clone()>
                {f.label.clone()}
                {(!required).then_some(" (optional)")}
            </label>
            {move || hint().map(|h| view! { <p class="muted small secret-hint" id=hint_id.clone() data-testid=format!("secret-hint-{}", name.get_value())>{h}</p> })}
            <input
                id=id.clone()
                name=id.clone()
                type=kind
                autocomplete=if f.secret { "new-password" } else { "off" }
                placeholder=move || if has_hint() { "Replace: type a new value" } else { "" }
                data-testid=format!("field-{id}")
                aria-invalid=move || if error().is_some() { "true" } else { "false" }
                aria-describedby=described
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            {(!f.help.is_empty()).then(|| view! { <p class="muted small" id=help_id>{f.help.clone()}</p> })}
            {move || error().map(|m| view! { <p class="field-error" id=error_id.clone() data-testid="field-error">{m}</p> })}
        </div>
    }
}
