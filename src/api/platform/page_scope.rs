//! The page scope: requests started on a page share one token, cancelled when the admin
//! leaves the page.

use super::cancel::CancelToken;
use std::cell::RefCell;
use std::rc::Rc;

/// The page on screen (its path) and the token its requests share.
struct PageScope {
    path: String,
    token: CancelToken,
}

thread_local! {
    static PAGE: RefCell<Option<PageScope>> = const { RefCell::new(None) };
}

/// Gives the router's current path, or `None` once the app is gone.
type PathSource = Rc<dyn Fn() -> Option<String>>;

thread_local! {
    static PATH_SOURCE: RefCell<Option<PathSource>> = const { RefCell::new(None) };
}

/// Where the page's path comes from: the router knows of a navigation before the address bar.
/// `None` from the source (the app is gone) falls back to the address bar.
pub fn set_path_source(source: impl Fn() -> Option<String> + 'static) {
    PATH_SOURCE.with(|s| *s.borrow_mut() = Some(Rc::new(source)));
}

fn current_pathname() -> String {
    if let Some(path) = PATH_SOURCE.with(|s| s.borrow().clone()).and_then(|source| source()) {
        return path;
    }
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window().and_then(|w| w.location().pathname().ok()).unwrap_or_default()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        String::new()
    }
}

/// Leaving a page ends what it was waiting for: when the path has changed since the page's
/// requests started, their shared token is cancelled (aborting gate waits and fetches) and a
/// fresh one begins. Idempotent, so both `send` and the router's path change may call it.
pub fn sync_page() {
    let path = current_pathname();
    let left = PAGE.with(|p| {
        let mut page = p.borrow_mut();
        match &*page {
            Some(scope) if scope.path == path => None,
            _ => page.replace(PageScope { path, token: CancelToken::new() }).map(|s| s.token),
        }
    });
    if let Some(token) = left {
        token.cancel();
    }
}

/// Forgets the page and where its path came from (tests, between apps).
pub fn forget_page() {
    PATH_SOURCE.with(|s| s.borrow_mut().take());
    PAGE.with(|p| p.borrow_mut().take());
}

/// The token of the page on screen, for requests that carry none of their own.
pub fn page_token() -> CancelToken {
    sync_page();
    PAGE.with(|p| p.borrow().as_ref().map(|s| s.token.clone())).unwrap_or_default()
}
