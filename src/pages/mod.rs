//! One folder per admin area; pages fetch and decide, components render.

pub mod distributors;
pub mod integrations;
pub mod issues;
pub mod lazy;
pub mod load;
pub mod login;
pub mod not_found;
pub mod part;
pub mod settings;
pub mod shell;
pub mod submit;
pub mod url_filters;
pub mod usage;
pub mod webhooks;
