use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// A modal dialog. Focus moves into it when it opens and back to where it was when it closes;
/// Escape closes it.
#[component]
pub fn Dialog(
    /// Heading; also the dialog's accessible name.
    #[prop(into)]
    title: String,
    /// Called on Escape (and by the content's own Close/Cancel buttons).
    on_close: Callback<()>,
    /// Test id of the dialog element.
    #[prop(into, default = "dialog".into())]
    testid: String,
    children: Children,
) -> impl IntoView {
    let node = NodeRef::<Div>::new();
    let title_id = format!("{testid}-title");
    let heading_id = title_id.clone();
    let previous = document().active_element().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    let previous = StoredValue::new_local(previous);
    node.on_load(|dialog| {
        // After the browser has laid it out: the first field or button, else the dialog itself.
        request_animation_frame(move || {
            let target = dialog
                .query_selector("input, button, [href], textarea, select")
                .ok()
                .flatten()
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
            match target {
                Some(el) => drop(el.focus()),
                None => drop(dialog.focus()),
            }
        });
    });
    // Escape closes wherever focus is, as long as the dialog is open.
    let escape = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            on_close.run(());
        }
    });
    on_cleanup(move || {
        escape.remove();
        if let Some(Some(el)) = previous.try_get_value() {
            let _ = el.focus();
        }
    });
    view! {
        <div class="dialog-backdrop">
            <div
                class="dialog"
                role="dialog"
                aria-modal="true"
                aria-labelledby=title_id.clone()
                tabindex="-1"
                data-testid=testid
                node_ref=node
            >
                <h2 id=heading_id class="dialog-title">{title}</h2>
                {children()}
            </div>
        </div>
    }
}
