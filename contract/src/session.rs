//! Login and "who am I".

use crate::error::FieldErrors;
use serde::{Deserialize, Serialize};

/// The longest address SMTP can carry (RFC 5321 path limit less the brackets).
pub const EMAIL_MAX: usize = 254;
/// Long enough for any passphrase; argon2 is not fed megabytes.
pub const PASSWORD_MAX: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LoginRequest {
    #[cfg_attr(feature = "openapi", schema(max_length = 254))]
    pub email: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 1024))]
    pub password: String,
}

impl LoginRequest {
    /// The checks the console shows next to the fields before it sends anything.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        let email = self.email.trim();
        if email.is_empty() {
            errors.add("email", "Enter your email address.");
        } else if email.len() > EMAIL_MAX {
            errors.add("email", format!("An email address has at most {EMAIL_MAX} characters."));
        } else if !looks_like_email(email) {
            errors.add("email", "Enter an email address like name@example.com.");
        }
        if self.password.is_empty() {
            errors.add("password", "Enter your password.");
        } else if self.password.len() > PASSWORD_MAX {
            errors.add("password", format!("A password has at most {PASSWORD_MAX} characters."));
        }
        errors.into_result()
    }
}

/// Deliberately loose: one `@`, something on both sides, a dot in the domain.
pub fn looks_like_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    pub user: UserInfo,
    pub tenant: TenantInfo,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UserInfo {
    pub id: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TenantInfo {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Health {
    pub status: String,
    pub version: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_login_names_both_fields() {
        let errors = LoginRequest::default().validate().unwrap_err();
        assert_eq!(errors.get("email"), Some("Enter your email address."));
        assert_eq!(errors.get("password"), Some("Enter your password."));
    }

    #[test]
    fn malformed_email_is_explained() {
        let req = LoginRequest { email: "admin@localhost".into(), password: "x".into() };
        assert!(req.validate().unwrap_err().get("email").unwrap().contains("like"));
        assert!(looks_like_email("a@b.co"));
        assert!(!looks_like_email("a b@c.d"));
    }

    #[test]
    fn overlong_fields_are_refused_by_name() {
        let long = LoginRequest { email: format!("{}@example.com", "a".repeat(243)), password: "x".repeat(1025) };
        let errors = long.validate().unwrap_err();
        assert!(errors.get("email").unwrap().contains("254"));
        assert!(errors.get("password").unwrap().contains("1024"));
        let longest = LoginRequest { email: format!("{}@example.com", "a".repeat(242)), password: "x".repeat(1024) };
        assert!(longest.validate().is_ok());
    }
}
