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
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// One fetch for the current key: given its generation and token, it fetches and hands the
/// answer to [`Flights::land`] (typed code, one per loader).
type Run = Rc<dyn Fn(u64, CancelToken) -> Pin<Box<dyn Future<Output = ()>>>>;

/// The bookkeeping of fetches: which one counts, and whether another is owed.
struct Flight {
    generation: u64,
    cancel: Option<CancelToken>,
    /// A refresh was asked for while a fetch ran (or while hidden): fetch once more.
    again: bool,
}

/// When fetches start, which answer counts, and the refreshes owed — the same for every
/// loader, so this code is not repeated for each page's data type.
#[derive(Clone, Copy)]
struct Flights {
    flight: StoredValue<Flight, LocalStorage>,
    refreshing: RwSignal<bool>,
    run: StoredValue<Option<Run>, LocalStorage>,
}

impl Flights {
    fn start(self) {
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
        let Some(Some(run)) = self.run.try_get_value() else { return };
        self.refreshing.set(true);
        leptos::task::spawn_local(run(generation, token));
    }

    fn refresh(self) {
        let busy = self.flight.try_with_value(|f| f.cancel.is_some()).unwrap_or(true);
        if busy || tab_hidden() {
            self.flight.try_update_value(|f| f.again = true);
            return;
        }
        self.start();
    }

    /// An answer arrived for `generation`: whether it counts (a newer fetch, or the page going
    /// away, supersedes it). A cancelled fetch (the rate-limit banner's Cancel) ends here.
    fn land(self, generation: u64, cancelled: bool) -> bool {
        let current = self.flight.try_with_value(|f| f.generation == generation).unwrap_or(false);
        if current && cancelled {
            self.flight.try_update_value(|f| f.cancel = None);
            self.refreshing.try_set(false);
        }
        current && !cancelled
    }

    /// The answer is on screen: the next fetch may start, and a refresh owed meanwhile runs.
    fn finish(self) {
        let again = self
            .flight
            .try_update_value(|f| {
                f.cancel = None;
                f.again
            })
            .unwrap_or(false);
        self.refreshing.try_set(false);
        if again {
            self.refresh();
        }
    }
}

pub struct Loader<K: Send + Sync + 'static, T: Send + Sync + 'static> {
    /// The last data loaded; kept while a new key loads.
    pub data: RwSignal<Option<T>>,
    /// The last failure (cleared by the next success).
    pub error: RwSignal<Option<ApiError>>,
    /// A fetch is running (the first load, a new key, or a refresh).
    pub refreshing: RwSignal<bool>,
    flights: Flights,
    merge: StoredValue<Option<Merge<T>>, LocalStorage>,
    key: PhantomData<fn() -> K>,
}

type Merge<T> = Rc<dyn Fn(&T, T) -> T>;

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
        let refreshing = RwSignal::new(false);
        let flights = Flights {
            flight: StoredValue::new_local(Flight { generation: 0, cancel: None, again: false }),
            refreshing,
            run: StoredValue::new_local(None),
        };
        let loader = Loader {
            data: RwSignal::new(None),
            error: RwSignal::new(None),
            refreshing,
            flights,
            merge: StoredValue::new_local(None),
            key: PhantomData,
        };
        let key = Memo::new(move |_| key());
        // The key the data on screen was loaded for: a refresh of the same key may merge.
        let shown_key = Rc::new(std::cell::RefCell::new(None::<K>));
        let fetch = Rc::new(fetch);
        let run: Run = Rc::new(move |generation, token| {
            let (fetch, shown_key) = (fetch.clone(), shown_key.clone());
            let key = key.try_get_untracked();
            Box::pin(async move {
                let Some(key) = key else { return };
                let result = fetch(key.clone(), token).await;
                if flights.land(generation, matches!(result, Err(ApiError::Cancelled))) {
                    let same_key = shown_key.replace(Some(key.clone())).as_ref() == Some(&key);
                    loader.apply(result, same_key);
                    flights.finish();
                }
            })
        });
        flights.run.set_value(Some(run));
        Effect::new(move |_| {
            key.track();
            flights.start();
        });
        let on_visible = StoredValue::new_local(Some(on_visibility(move || {
            if flights.flight.try_with_value(|f| f.again).unwrap_or(false) {
                flights.refresh();
            }
        })));
        on_cleanup(move || {
            on_visible.try_update_value(Option::take);
            if let Some(Some(token)) = flights.flight.try_update_value(|f| f.cancel.take()) {
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
        self.flights.start();
    }

    /// Fetches again, coalesced: if a fetch is running, one more follows it; if the tab is
    /// hidden, one runs when it is shown again.
    pub fn refresh(self) {
        self.flights.refresh();
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

    fn apply(self, result: Result<T, ApiError>, same_key: bool) {
        match result {
            Ok(fresh) => {
                let merge = self.merge.try_get_value().flatten().filter(|_| same_key);
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
