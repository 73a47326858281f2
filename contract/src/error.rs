//! The one error body every failure answers with.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `{"error": {"code": "snake_case", "message": "human sentence", "fields": {"name": "why"}}}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// Stable, machine-readable: `validation_failed`, `not_found`, `rate_limited`, ...
    pub code: String,
    /// One sentence for a human.
    pub message: String,
    /// Field name (camelCase, as in the request) to what is wrong with it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
}

impl ErrorBody {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        ErrorBody { error: ErrorDetail { code: code.into(), message: message.into(), fields: BTreeMap::new() } }
    }

    pub fn with_fields(mut self, fields: FieldErrors) -> Self {
        self.error.fields = fields.0;
        self
    }
}

/// Field errors collected while validating one request; empty means valid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `why` for `field` unless an earlier check already explained that field.
    pub fn add(&mut self, field: &str, why: impl Into<String>) {
        self.0.entry(field.to_string()).or_insert_with(|| why.into());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// `Ok(())` when nothing was recorded, so validation reads `errors.into_result()?`.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}
