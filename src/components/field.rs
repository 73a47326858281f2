use leptos::prelude::*;

/// A labelled text input with its error underneath (linked by `aria-describedby`).
#[component]
pub fn TextField(
    /// Element id; also names the error (`<id>-error`) and the test id (`field-<id>`).
    #[prop(into)]
    id: String,
    #[prop(into)] label: String,
    /// `text`, `email`, `password`, ...
    #[prop(into, default = "text".into())]
    input_type: String,
    #[prop(into, default = String::new())] autocomplete: String,
    value: RwSignal<String>,
    /// The field's error, shown under it when present.
    #[prop(into)]
    error: Signal<Option<String>>,
    #[prop(into, default = Signal::from(false))] disabled: Signal<bool>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let error_id_attr = error_id.clone();
    view! {
        <div class="field" class:field-invalid=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            <input
                id=id.clone()
                name=id.clone()
                type=input_type
                autocomplete=autocomplete
                data-testid=format!("field-{id}")
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=move || error.get().map(|_| error_id_attr.clone())
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                disabled=move || disabled.get()
            />
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! {
                            <p class="field-error" id=error_id.clone() data-testid="field-error">
                                {message}
                            </p>
                        }
                    })
            }}
        </div>
    }
}
