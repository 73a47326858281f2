//! A list's filters live in the query string, so a filtered list is a link, a reload keeps it
//! and Back undoes the last change. Each list names its parameters once ([`UrlFilters`]); the
//! reading, the links and the navigation are written here, once for every list.

use crate::api::query_string;
use crate::routes::Page;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

/// A list's filters, as query parameters.
pub trait UrlFilters: Clone + Default + PartialEq + Send + Sync + 'static {
    /// The page the list is on.
    fn page() -> Page;

    /// From the URL's parameters (`get` answers only non-empty values). Unknown values go to
    /// the server as they are, which names the field it refuses.
    fn from_params(get: &dyn Fn(&str) -> Option<String>) -> Self;

    /// The parameters to write, in the order the query string lists them; a default value as
    /// `None`, so the plain list keeps its plain URL.
    fn params(&self) -> Vec<(&'static str, Option<String>)>;
}

/// The filters in the current URL, following it (links, Back and Forward).
pub fn use_url_filters<F: UrlFilters>() -> Memo<F> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| F::from_params(&|k| q.get(k).filter(|v| !v.is_empty()))))
}

/// The list's link with these filters, e.g. `/issues?area=webhooks`.
pub fn href<F: UrlFilters>(filters: &F) -> String {
    F::page().with_query(&query_string(filters.params()))
}

/// Whether no filter narrows the list (each parameter at its default).
pub fn is_default<F: UrlFilters>(filters: &F) -> bool {
    filters.params().iter().all(|(_, v)| v.is_none())
}

/// Goes to the list with `change` applied to the current filters: a new history entry, so
/// Back undoes it.
pub fn navigate_with<F: UrlFilters>(filters: Memo<F>, change: impl FnOnce(&mut F)) {
    let mut next = filters.get_untracked();
    change(&mut next);
    use_navigate()(&href(&next), NavigateOptions::default());
}

/// A typed value as a filter: trimmed, and nothing when blank.
pub fn non_empty(value: String) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_string())
}
