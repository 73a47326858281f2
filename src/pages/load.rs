//! How every page loads what it shows: one [`Loader`] keyed on the URL, and [`show`] for the
//! loading, empty, error-with-Try-again and ready states.
//!
//! - A new key (the filters in the URL changed) aborts the fetch in flight and starts over; the
//!   old data stays on screen meanwhile (`refreshing`), as with `<Transition>`.
//! - [`Loader::refresh`] (a live event, a poll, an action that changed things) is coalesced:
//!   one fetch at a time, and any number of refreshes asked for meanwhile make one more fetch.
//! - While the tab is hidden nothing is fetched by refresh or poll; one refresh runs when the
//!   admin comes back, if anything was missed.

use crate::api::{ApiError, CancelToken};
use crate::components::ErrorPanel;
use leptos::prelude::*;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

type Fetch<K, T> = Rc<dyn Fn(K, CancelToken) -> Pin<Box<dyn Future<Output = Result<T, ApiError>>>>>;
type Merge<T> = Rc<dyn Fn(&T, T) -> T>;

/// The bookkeeping of fetches: which one counts, and whether another is owed.
struct Flight<K> {
    generation: u64,
    cancel: Option<CancelToken>,
    /// A refresh was asked for while a fetch ran (or while hidden): fetch once more.
    again: bool,
    /// The key the data on screen was loaded for.
    shown_key: Option<K>,
}

pub struct Loader<K: Send + Sync + 'static, T: Send + Sync + 'static> {
    /// The last data loaded; kept while a new key loads.
    pub data: RwSignal<Option<T>>,
    /// The last failure (cleared by the next success).
    pub error: RwSignal<Option<ApiError>>,
    /// A fetch is running (the first load, a new key, or a refresh).
    pub refreshing: RwSignal<bool>,
    key: Memo<K>,
    flight: StoredValue<Flight<K>, LocalStorage>,
    fetch: StoredValue<Fetch<K, T>, LocalStorage>,
    merge: StoredValue<Option<Merge<T>>, LocalStorage>,
}

impl<K: Send + Sync, T: Send + Sync> Clone for Loader<K, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K: Send + Sync, T: Send + Sync> Copy for Loader<K, T> {}

impl<K, T> Loader<K, T>
where
    K: Clone + PartialEq + Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
{
    /// Loads `fetch(key)` now and whenever `key` changes; the fetch must give up when its token
    /// is cancelled (pass it to the `api::` call). Lives as long as the calling component.
    pub fn new<Fu>(key: impl Fn() -> K + Send + Sync + 'static, fetch: impl Fn(K, CancelToken) -> Fu + 'static) -> Self
    where
        Fu: Future<Output = Result<T, ApiError>> + 'static,
    {
        let fetch: Fetch<K, T> = Rc::new(move |k, cancel| Box::pin(fetch(k, cancel)));
        let loader = Loader {
            data: RwSignal::new(None),
            error: RwSignal::new(None),
            refreshing: RwSignal::new(false),
            key: Memo::new(move |_| key()),
            flight: StoredValue::new_local(Flight { generation: 0, cancel: None, again: false, shown_key: None }),
            fetch: StoredValue::new_local(fetch),
            merge: StoredValue::new_local(None),
        };
        Effect::new(move |_| {
            loader.key.track();
            loader.reload();
        });
        let on_visible = StoredValue::new_local(Some(on_visibility(move || {
            if loader.flight.try_with_value(|f| f.again).unwrap_or(false) {
                loader.refresh();
            }
        })));
        on_cleanup(move || {
            on_visible.try_update_value(Option::take);
            if let Some(Some(token)) = loader.flight.try_update_value(|f| f.cancel.take()) {
                token.cancel();
            }
        });
        loader
    }

    /// How a refresh of the same key combines with what is shown (default: replaces it), e.g.
    /// a log keeps the older pages it had loaded under a fresh first page.
    pub fn merge_with(self, merge: impl Fn(&T, T) -> T + 'static) -> Self {
        self.merge.set_value(Some(Rc::new(merge)));
        self
    }

    /// Starts over for the current key, aborting the fetch in flight (Try again, a new key).
    pub fn reload(self) {
        self.start();
    }

    /// Fetches again, coalesced: if a fetch is running, one more follows it; if the tab is
    /// hidden, one runs when it is shown again.
    pub fn refresh(self) {
        let busy = self.flight.try_with_value(|f| f.cancel.is_some()).unwrap_or(true);
        if busy || tab_hidden() {
            self.flight.try_update_value(|f| f.again = true);
            return;
        }
        self.start();
    }

    /// Refreshes every `every` while the component lives and `wanted()` holds (e.g. until a
    /// job is done), skipping while the tab is hidden.
    pub fn poll(self, every: Duration, wanted: impl Fn() -> bool + 'static) {
        let tick = move || {
            if wanted() {
                self.refresh();
            }
        };
        if let Ok(handle) = set_interval_with_handle(tick, every) {
            on_cleanup(move || handle.clear());
        }
    }

    /// Changes the data on screen in place (an action's answer, a page appended).
    pub fn update(self, change: impl FnOnce(&mut T)) {
        self.data.try_update(|data| data.as_mut().map(change));
    }

    fn start(self) {
        let Some(key) = self.key.try_get_untracked() else { return };
        let token = CancelToken::new();
        let Some(generation) = self.flight.try_update_value(|f| {
            if let Some(old) = f.cancel.replace(token.clone()) {
                old.cancel();
            }
            f.again = false;
            f.generation += 1;
            f.generation
        }) else {
            return;
        };
        self.refreshing.set(true);
        let fetch = self.fetch.get_value();
        leptos::task::spawn_local(async move {
            let result = fetch(key.clone(), token).await;
            self.finish(generation, key, result);
        });
    }

    fn finish(self, generation: u64, key: K, result: Result<T, ApiError>) {
        // A newer fetch (or the page going away) superseded this one.
        let current = self.flight.try_with_value(|f| f.generation == generation).unwrap_or(false);
        if !current {
            return;
        }
        if matches!(result, Err(ApiError::Cancelled)) {
            // Cancelled by the admin (the rate-limit banner's Cancel): what is shown stays, and
            // the next refresh may start.
            self.flight.try_update_value(|f| f.cancel = None);
            self.refreshing.try_set(false);
            return;
        }
        let (same_key, again) = self
            .flight
            .try_update_value(|f| {
                f.cancel = None;
                let same = f.shown_key.as_ref() == Some(&key);
                f.shown_key = Some(key);
                (same, f.again)
            })
            .unwrap_or((false, false));
        match result {
            Ok(fresh) => {
                let merge = self.merge.get_value().filter(|_| same_key);
                self.data.try_update(|data| {
                    *data = Some(match (merge, data.take()) {
                        (Some(merge), Some(old)) => merge(&old, fresh),
                        _ => fresh,
                    })
                });
                self.error.try_set(None);
            }
            Err(e) => drop(self.error.try_set(Some(e))),
        }
        self.refreshing.try_set(false);
        if again {
            self.refresh();
        }
    }
}

/// What the data area shows. A memo, so a refresh that keeps the same state redraws nothing
/// but what reads the data.
#[derive(Clone, Debug, PartialEq)]
enum State {
    Loading,
    Failed(String),
    Empty,
    Ready,
}

/// The words of one data area: "Loading deliveries…", "The deliveries could not be loaded."
#[derive(Clone, Copy)]
pub struct Words {
    pub loading: &'static str,
    pub failed: &'static str,
}

/// Renders the loader's state: a loading line, the error with Try again, `empty` when
/// `is_empty(data)`, else `ready` with the data as a signal (drawn once; it follows the data).
pub fn show<K, T>(
    loader: Loader<K, T>,
    words: Words,
    is_empty: impl Fn(&T) -> bool + Send + Sync + 'static,
    empty: impl Fn() -> AnyView + Send + Sync + 'static,
    ready: impl Fn(Signal<T>) -> AnyView + Send + Sync + 'static,
) -> impl IntoView
where
    K: Clone + PartialEq + Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
{
    let state = Memo::new(move |_| {
        if let Some(e) = loader.error.get() {
            return State::Failed(e.user_message());
        }
        loader.data.with(|d| match d {
            None => State::Loading,
            Some(d) if is_empty(d) => State::Empty,
            Some(_) => State::Ready,
        })
    });
    let data = Signal::derive(move || loader.data.get().expect("ready means loaded"));
    move || match state.get() {
        State::Loading => view! { <p class="loading" role="status">{words.loading}</p> }.into_any(),
        State::Failed(message) => {
            view! { <ErrorPanel title=words.failed message on_retry=Callback::new(move |_| loader.reload()) /> }
                .into_any()
        }
        State::Empty => empty(),
        State::Ready => ready(data),
    }
}

/// " Updating…" next to a heading while a loader fetches.
pub fn updating<K, T>(loader: Loader<K, T>) -> impl IntoView
where
    K: Clone + PartialEq + Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
{
    move || {
        (loader.refreshing.get() && loader.data.with(Option::is_some))
            .then(|| view! { <span class="muted small" role="status">" Updating…"</span> })
    }
}

fn tab_hidden() -> bool {
    document().hidden()
}

/// Calls `f` when the tab becomes visible; stops when the returned guard drops.
fn on_visibility(f: impl Fn() + 'static) -> Listener {
    let closure = Closure::<dyn Fn()>::new(move || {
        if !tab_hidden() {
            f();
        }
    });
    let added = document().add_event_listener_with_callback("visibilitychange", closure.as_ref().unchecked_ref());
    Listener(added.ok().map(|_| closure))
}

/// A `visibilitychange` listener, removed when dropped.
struct Listener(Option<Closure<dyn Fn()>>);

impl Drop for Listener {
    fn drop(&mut self) {
        if let Some(closure) = self.0.take() {
            let _ =
                document().remove_event_listener_with_callback("visibilitychange", closure.as_ref().unchecked_ref());
        }
    }
}
