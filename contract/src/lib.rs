//! The contract between the Sluice console and `sluice-server`.
//!
//! Both sides compile this crate, so a field renamed here is renamed on both sides of the wire.
//! It holds no I/O: types, header names, validation messages and the pure retry policy.

pub mod api_keys;
pub mod distributors;
pub mod error;
pub mod gate;
pub mod headers;
pub mod integrations;
pub mod issues;
pub mod page;
pub mod retry;
pub mod session;
pub mod stream;
pub mod usage;
pub mod webhooks;

pub use error::{ErrorBody, ErrorDetail};
pub use page::Page;

/// Every versioned route lives under this path.
pub const API_BASE: &str = "/api/v1";
