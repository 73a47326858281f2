//! The one error type every `api::` function returns, shaped for the view.

use sluice_contract::ErrorDetail;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// The request never got an answer (offline, DNS, connection reset).
    #[error("The server could not be reached: {0}")]
    Network(String),
    /// The API limit is still reached after waiting and retrying, or the wait would be too long
    /// (or a 429 of one form, such as a sign-in lockout). The message says how long to wait.
    #[error("{message}")]
    RateLimited { message: String },
    /// The server answered with an error body.
    #[error("{} (HTTP {status})", error.message)]
    Http { status: u16, error: ErrorDetail },
    /// The server answered something this console does not understand.
    #[error("The server's answer could not be read: {0}")]
    Decode(String),
    /// The user (or a newer action) cancelled the request before it completed.
    #[error("Cancelled.")]
    Cancelled,
}

impl ApiError {
    /// What the server said is wrong with one request field (camelCase, as sent).
    pub fn field(&self, name: &str) -> Option<String> {
        match self {
            ApiError::Http { error, .. } => error.fields.get(name).cloned(),
            _ => None,
        }
    }

    /// The machine-readable code of an HTTP error, e.g. `invalid_credentials`.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Http { error, .. } => Some(error.code.as_str()),
            _ => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The session is gone: the console sends the user to the login page.
    pub fn is_unauthenticated(&self) -> bool {
        matches!(self, ApiError::Http { status: 401, error } if error.code == "unauthenticated")
    }

    /// One sentence a person can act on.
    pub fn user_message(&self) -> String {
        match self {
            ApiError::Network(_) => {
                "The server could not be reached. Check your connection and try again.".into()
            }
            ApiError::RateLimited { message } => message.clone(),
            ApiError::Http { status, error } if error.message.trim().is_empty() => {
                format!("The server refused the request (HTTP {status}).")
            }
            ApiError::Http { error, .. } => error.message.clone(),
            ApiError::Decode(_) => {
                "The server sent an answer this console cannot read. Reload the page; if it persists, the console and server versions may differ.".into()
            }
            ApiError::Cancelled => "Cancelled: the request was not completed.".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_contract::ErrorBody;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn field_errors_are_read_from_http_errors() {
        let mut body = ErrorBody::new("validation_failed", "Check the fields.");
        body.error.fields.insert("name".into(), "Too long.".into());
        let err = ApiError::Http { status: 400, error: body.error };
        assert_eq!(err.field("name").as_deref(), Some("Too long."));
        assert_eq!(err.field("email"), None);
        assert_eq!(err.user_message(), "Check the fields.");
        assert!(ApiError::Cancelled.field("name").is_none());
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn only_unauthenticated_401_is_a_lost_session() {
        let lost = ApiError::Http { status: 401, error: ErrorBody::new("unauthenticated", "Sign in.").error };
        let wrong = ApiError::Http {
            status: 401,
            error: ErrorBody::new("invalid_credentials", "Email or password is wrong.").error,
        };
        assert!(lost.is_unauthenticated());
        assert!(!wrong.is_unauthenticated());
    }
}
