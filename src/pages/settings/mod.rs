//! Settings. Its only section so far is API keys; `/settings` redirects there.

mod api_keys;
mod create_key;

pub use api_keys::ApiKeysPage;
