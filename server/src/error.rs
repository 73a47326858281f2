//! Every failure becomes the one JSON error body of DESIGN.md with the right status.
//! Internal details are logged, never sent.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use sluice_contract::error::{ErrorBody, FieldErrors};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("validation failed")]
    Validation(FieldErrors),
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("not signed in")]
    Unauthenticated(&'static str),
    #[error("email or password is wrong")]
    InvalidCredentials,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("{0}")]
    Unprocessable(String),
    #[error("the body is too large")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64, message: String },
    #[error("too many sign-in attempts")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("internal: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn internal(e: impl std::fmt::Display) -> Self {
        AppError::Internal(e.to_string())
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        AppError::BadRequest { code, message: message.into() }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Conflict { code, message: message.into() }
    }

    pub fn field(field: &str, why: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(field, why);
        AppError::Validation(errors)
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Validation(_) | AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthenticated(_) | AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::RateLimited { .. } | AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self) -> ErrorBody {
        match self {
            AppError::Validation(fields) => {
                ErrorBody::new("validation_failed", "Some fields need attention.").with_fields(fields.clone())
            }
            AppError::BadRequest { code, message } => ErrorBody::new(*code, message.clone()),
            AppError::Unauthenticated(why) => ErrorBody::new("unauthenticated", *why),
            AppError::InvalidCredentials => ErrorBody::new("invalid_credentials", "Email or password is wrong."),
            AppError::Forbidden(message) => ErrorBody::new("forbidden", message.clone()),
            AppError::NotFound(what) => ErrorBody::new("not_found", format!("No such {what}.")),
            AppError::Conflict { code, message } => ErrorBody::new(*code, message.clone()),
            AppError::Unprocessable(message) => ErrorBody::new("unprocessable", message.clone()),
            AppError::PayloadTooLarge(message) => ErrorBody::new("payload_too_large", message.clone()),
            AppError::UnsupportedMediaType(message) => ErrorBody::new("unsupported_media_type", message.clone()),
            AppError::RateLimited { message, .. } => ErrorBody::new("rate_limited", message.clone()),
            AppError::TooManyAttempts { retry_after_secs } => ErrorBody::new(
                "too_many_attempts",
                format!("Too many failed sign-ins. Try again in {}.", human_secs(*retry_after_secs)),
            ),
            AppError::Internal(_) => {
                ErrorBody::new("internal", "Something went wrong on our side. It has been logged.")
            }
        }
    }
}

fn human_secs(secs: u64) -> String {
    if secs < 90 {
        format!("{secs} s")
    } else {
        format!("{} min", secs.div_ceil(60))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let mut response = (self.status(), Json(self.body())).into_response();
        if let AppError::RateLimited { retry_after_secs, .. } | AppError::TooManyAttempts { retry_after_secs } = &self {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
        }
        response
    }
}

impl From<rusqlite::Error> for AppError {
    fn from(e: rusqlite::Error) -> Self {
        AppError::internal(e)
    }
}

impl From<FieldErrors> for AppError {
    fn from(e: FieldErrors) -> Self {
        AppError::Validation(e)
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => {
                AppError::UnsupportedMediaType("Send the body as JSON with Content-Type: application/json.".into())
            }
            JsonRejection::JsonSyntaxError(e) => {
                AppError::bad_request("malformed_json", format!("The body is not valid JSON: {}", e.body_text()))
            }
            JsonRejection::JsonDataError(e) => AppError::bad_request(
                "invalid_body",
                format!("The body does not match what this route takes: {}", e.body_text()),
            ),
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge(format!(
                "The body is larger than {} KiB.",
                crate::config::MAX_BODY_BYTES / 1024
            )),
            other => AppError::bad_request("invalid_body", other.body_text()),
        }
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        AppError::bad_request("invalid_query", rejection.body_text())
    }
}

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> Self {
        AppError::bad_request("invalid_path", rejection.body_text())
    }
}

/// `Json` whose rejections are the JSON error body.
#[derive(axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct ApiJson<T>(pub T);

impl<T: serde::Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}

/// `Query` whose rejections are the JSON error body.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct ApiQuery<T>(pub T);

/// `Path` whose rejections are the JSON error body.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct ApiPath<T>(pub T);
