use super::Dialog;
use leptos::prelude::*;

/// Asks before a destructive action: the consequence in words (the children), Cancel first,
/// then the confirming button, which shows progress and stays in the dialog until it is done.
#[component]
pub fn ConfirmDialog(
    /// The question, e.g. "Delete endpoint “Orders”?"; the dialog's accessible name.
    #[prop(into)]
    title: String,
    /// Test id of the dialog element.
    #[prop(into)]
    testid: String,
    /// The confirming button's words, e.g. "Delete endpoint".
    #[prop(into)]
    confirm_label: String,
    /// Its words while the action runs, e.g. "Deleting…".
    #[prop(into, optional)]
    pending_label: Option<String>,
    /// Test id of the confirming button.
    #[prop(into)]
    confirm_testid: String,
    #[prop(into, default = Signal::from(false))] pending: Signal<bool>,
    /// Why the action failed, shown above the buttons.
    #[prop(into, default = Signal::from(None))]
    error: Signal<Option<String>>,
    on_confirm: Callback<()>,
    on_close: Callback<()>,
    children: Children,
) -> impl IntoView {
    let busy_label = pending_label.unwrap_or_else(|| confirm_label.clone());
    view! {
        <Dialog title on_close testid>
            {children()}
            {move || error.get().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
            <div class="dialog-actions">
                <button type="button" class="button" on:click=move |_| on_close.run(())>
                    "Cancel"
                </button>
                <button
                    type="button"
                    class="button button-danger"
                    data-testid=confirm_testid
                    disabled=move || pending.get()
                    aria-busy=move || pending.get().to_string()
                    on:click=move |_| {
                        if !pending.get_untracked() {
                            on_confirm.run(())
                        }
                    }
                >
                    {move || if pending.get() { busy_label.clone() } else { confirm_label.clone() }}
                </button>
            </div>
        </Dialog>
    }
}
