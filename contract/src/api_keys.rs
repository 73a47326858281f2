//! Tenant API keys: programs authenticate with `Authorization: Bearer <key>`.

use crate::error::FieldErrors;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApiKey {
    pub id: String,
    pub name: String,
    /// The first characters of the key, enough to recognise it (`slk_3f9a…`).
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CreateApiKey {
    /// Not blank; at most 80 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 80, pattern = r"\S"))]
    pub name: String,
}

pub const API_KEY_NAME_MAX: usize = 80;

impl CreateApiKey {
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = self.name.trim();
        if name.is_empty() {
            errors.add("name", "Give the key a name, such as the program that will use it.");
        } else if name.chars().count() > API_KEY_NAME_MAX {
            errors.add("name", format!("Keep the name under {API_KEY_NAME_MAX} characters."));
        }
        errors.into_result()
    }
}

/// Answer to a create: the only time the secret is ever sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CreatedApiKey {
    pub key: ApiKey,
    /// Empty when this answer is an idempotent replay: the secret is never stored.
    pub secret: String,
    /// On a replay, why `secret` is empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_withheld: Option<String>,
}

impl CreatedApiKey {
    /// What an idempotent replay of this create answers: the key, without its secret.
    pub fn withheld(&self) -> CreatedApiKey {
        CreatedApiKey {
            key: self.key.clone(),
            secret: String::new(),
            secret_withheld: Some(
                "The secret was shown once, when this key was created, and is not stored. \
                 If it was lost, revoke this key and create another."
                    .into(),
            ),
        }
    }
}
