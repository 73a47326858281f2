//! Parts of a page whose code is downloaded the first time they are shown: the forms and
//! dialogs an admin opens (`lazy_part!`), so a first load carries only what the page shows at
//! once. Like the pages in `lazy.rs`, without the `split` feature (the browser tests) a part
//! renders at once.

use crate::components::ErrorPanel;
use leptos::prelude::*;

/// Declares `fn $name(args) -> AnyView`: a part of a page (a form or dialog the admin opens)
/// whose code is cut into chunk `$chunk` and fetched the first time it is shown, so a first
/// load carries only what the page shows at once. Nothing shows while it arrives (tens of
/// milliseconds); if it cannot arrive, the chunk error with its Try again.
macro_rules! lazy_part {
    ($(#[$doc:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) in $chunk:ident $body:block) => {
        $(#[$doc])*
        $vis fn $name($($arg: $ty),*) -> ::leptos::prelude::AnyView {
            #[cfg_attr(
                feature = "split",
                ::leptos::wasm_split::wasm_split($chunk, wasm_split_path = ::leptos::wasm_split, fallible)
            )]
            fn render($($arg: $ty),*) -> Result<::leptos::prelude::AnyView, ::leptos::wasm_split::SplitLoaderError> {
                Ok(::leptos::prelude::IntoAny::into_any($body))
            }
            #[cfg(feature = "split")]
            let part = $crate::pages::part::deferred(Box::pin(render($($arg),*)));
            #[cfg(not(feature = "split"))]
            let part = $crate::pages::part::ready(render($($arg),*));
            part
        }
    };
}
pub(crate) use lazy_part;

/// A part's code on its way: boxed, so that [`deferred`] is compiled once for every page and
/// part rather than once for each.
#[cfg(feature = "split")]
pub type Arriving =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<AnyView, leptos::wasm_split::SplitLoaderError>>>>;

/// A part's view once its chunk has arrived (see [`lazy_part!`]).
#[cfg(feature = "split")]
pub fn deferred(load: Arriving) -> AnyView {
    let part = StoredValue::new_local(None::<AnyView>);
    let arrived = RwSignal::new(false);
    // Scoped: the part reads its page's context, so it is built under the caller's owner.
    leptos::task::spawn_local_scoped(async move {
        let view = ready(load.await);
        if part.try_set_value(Some(view)).is_none() {
            arrived.try_set(true);
        }
    });
    (move || arrived.get().then(|| part.try_update_value(Option::take).flatten()).flatten()).into_any()
}

/// A part's view, or the chunk error when its code could not be fetched.
pub fn ready(part: Result<AnyView, leptos::wasm_split::SplitLoaderError>) -> AnyView {
    part.unwrap_or_else(|_| view! { <ChunkFailed /> }.into_any())
}

#[component]
pub(crate) fn ChunkFailed() -> impl IntoView {
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
