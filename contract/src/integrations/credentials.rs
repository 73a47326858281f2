//! Credentials: the form each provider needs, what is saved, what the API says about a saved one
//! (never the secret), and the answer of Test connection.

use super::Provider;
use crate::error::FieldErrors;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    /// Write-only: never shown again once saved.
    Secret,
    Url,
    /// `YYYY-MM-DD`.
    Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CredentialField {
    /// The key in `CredentialInput.fields` (camelCase).
    pub name: String,
    pub label: String,
    pub secret: bool,
    /// Required on its own; HubSpot's two ways to authenticate are explained in `help`.
    pub required: bool,
    pub help: String,
    pub kind: FieldKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CredentialSchema {
    pub fields: Vec<CredentialField>,
}

fn field(name: &str, label: &str, kind: FieldKind, required: bool, help: &str) -> CredentialField {
    CredentialField {
        name: name.into(),
        label: label.into(),
        secret: kind == FieldKind::Secret,
        required,
        help: help.into(),
        kind,
    }
}

/// The non-secret override every provider takes, so tests and the demo reach local fakes.
pub const BASE_URL: &str = "baseUrl";

impl Provider {
    pub fn credential_schema(self) -> CredentialSchema {
        use FieldKind::*;
        let fields = match self {
            Provider::Autotask => vec![
                field(
                    "username",
                    "API user name",
                    Text,
                    true,
                    "The API user's user name (an email address); its zone is discovered from it.",
                ),
                field("secret", "Secret", Secret, true, "The API user's password (secret)."),
                field(
                    "integrationCode",
                    "API tracking identifier",
                    Secret,
                    true,
                    "The integration code set on the API user (Admin > Resources > Security).",
                ),
                field(
                    BASE_URL,
                    "Zone lookup URL",
                    Url,
                    false,
                    "Leave empty for https://webservices.autotask.net/atservicesrest/.",
                ),
            ],
            Provider::Hubspot => vec![
                field(
                    "accessToken",
                    "Private app access token",
                    Secret,
                    false,
                    "A private app's token (pat-...). Or leave it empty and give the OAuth fields below.",
                ),
                field("clientId", "OAuth client id", Text, false, "With an OAuth app: its client id."),
                field("clientSecret", "OAuth client secret", Secret, false, "With an OAuth app: its client secret."),
                field(
                    "refreshToken",
                    "OAuth refresh token",
                    Secret,
                    false,
                    "With an OAuth app: the refresh token; access tokens are refreshed before they expire.",
                ),
                field(BASE_URL, "API base URL", Url, false, "Leave empty for https://api.hubapi.com."),
            ],
            Provider::Salesforce => vec![
                field("clientId", "Consumer key", Text, true, "The connected app's consumer key."),
                field(
                    "clientSecret",
                    "Consumer secret",
                    Secret,
                    false,
                    "The connected app's consumer secret, if it requires one.",
                ),
                field(
                    "refreshToken",
                    "Refresh token",
                    Secret,
                    true,
                    "An OAuth refresh token; access tokens are refreshed before they expire.",
                ),
                field(
                    "loginUrl",
                    "Login URL",
                    Url,
                    false,
                    "Leave empty for https://login.salesforce.com (sandboxes: https://test.salesforce.com).",
                ),
            ],
            Provider::Apollo => vec![
                field("apiKey", "API key", Secret, true, "A master API key from Settings > Integrations > API."),
                field(BASE_URL, "API base URL", Url, false, "Leave empty for https://api.apollo.io."),
            ],
        };
        CredentialSchema { fields }
    }
}

/// `PUT /api/v1/integrations/{provider}/credentials`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", default)]
pub struct CredentialInput {
    /// Field name to value. A secret field left empty (or out) keeps the stored value.
    pub fields: BTreeMap<String, String>,
    /// When the admin knows the key or token stops working: `YYYY-MM-DD` (empty: no date).
    pub expires_on: Option<String>,
    /// Save even if Test connection fails.
    pub save_anyway: bool,
}

impl CredentialInput {
    /// Field errors named `fields.<name>` or `expiresOn`. `stored` answers whether a secret
    /// field already has a stored value (then it may be left empty).
    pub fn validate(&self, provider: Provider, stored: impl Fn(&str) -> bool) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        let schema = provider.credential_schema();
        for name in self.fields.keys() {
            if !schema.fields.iter().any(|f| &f.name == name) {
                let known: Vec<&str> = schema.fields.iter().map(|f| f.name.as_str()).collect();
                e.add(
                    &format!("fields.{name}"),
                    format!("{} takes no field {name}; use {}.", provider.name(), known.join(", ")),
                );
            }
        }
        let value = |name: &str| self.fields.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
        let has = |name: &str| value(name).is_some() || stored(name);
        for f in &schema.fields {
            let key = format!("fields.{}", f.name);
            match value(&f.name) {
                None if f.required && !(f.secret && stored(&f.name)) => {
                    e.add(&key, format!("Enter the {}.", f.label.to_lowercase()))
                }
                Some(v) if f.kind == FieldKind::Url && !(v.starts_with("http://") || v.starts_with("https://")) => {
                    e.add(&key, "Use an http:// or https:// URL.")
                }
                Some(v) if v.chars().count() > 4_096 => e.add(&key, "Keep this within 4096 characters."),
                Some(v) if v.chars().any(char::is_control) => e.add(&key, "Remove line breaks and control characters."),
                _ => {}
            }
        }
        if provider == Provider::Hubspot && !has("accessToken") {
            for name in ["clientId", "clientSecret", "refreshToken"] {
                if !has(name) {
                    e.add(&format!("fields.{name}"), "Enter a private app access token, or all three OAuth fields.");
                }
            }
        }
        if let Some(date) = self.expires_on.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            if parse_date(date).is_none() {
                e.add("expiresOn", "Use a date such as 2027-03-31.");
            }
        }
        e.into_result()
    }

    /// The expiry as Unix ms (the start of that day, UTC), when one was given and is valid.
    pub fn expires_at(&self) -> Option<u64> {
        let days = parse_date(self.expires_on.as_deref()?.trim())?;
        u64::try_from(days).ok().map(|d| d * 86_400_000)
    }
}

/// `YYYY-MM-DD` → days since 1970-01-01.
pub fn parse_date(s: &str) -> Option<i64> {
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i64, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&m) || d == 0 || d > month_days[m as usize - 1] {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// What the API says about one saved field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CredentialFieldInfo {
    pub name: String,
    /// Non-secret fields only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Secret fields: `…4f2a` (the last 4 characters, and only of values 12 characters or longer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// A saved credential, as far as the API ever tells: never a secret value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CredentialInfo {
    pub set_at: u64,
    pub fields: Vec<CredentialFieldInfo>,
    /// The admin-entered expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
    /// When the current OAuth access token expires (it is refreshed before then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_expires_at: Option<u64>,
}

/// `…4f2a` for a secret long enough that 4 characters give nothing away.
pub fn secret_hint(secret: &str) -> Option<String> {
    let chars: Vec<char> = secret.chars().collect();
    (chars.len() >= 12).then(|| format!("…{}", chars[chars.len() - 4..].iter().collect::<String>()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TestStepName {
    /// The host answers (DNS, TCP, TLS, an HTTP answer).
    Reach,
    /// The provider accepts the credential.
    Authenticate,
    /// The credential may read what the syncs read.
    Read,
}

impl TestStepName {
    pub fn as_str(self) -> &'static str {
        match self {
            TestStepName::Reach => "reach",
            TestStepName::Authenticate => "authenticate",
            TestStepName::Read => "read",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TestStepName::Reach => "Reach the host",
            TestStepName::Authenticate => "Authenticate",
            TestStepName::Read => "Permission to read",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StepOutcome {
    Passed,
    Failed,
    /// An earlier step failed.
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TestStep {
    pub step: TestStepName,
    pub outcome: StepOutcome,
    /// What was done or what failed, in words ("GET /crm/v3/objects/companies?limit=1 answered 403").
    pub detail: String,
    /// The provider's own error text, verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_error: Option<String>,
    pub duration_ms: u64,
}

/// The answer of Test connection (and of saving a credential).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TestResult {
    pub ok: bool,
    /// Always the three steps, in order.
    pub steps: Vec<TestStep>,
    pub tested_at: u64,
}

/// `200` of `PUT .../credentials`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SaveCredentialResult {
    /// False when the test failed and `saveAnyway` was not set: the old credential stays.
    pub saved: bool,
    pub test: TestResult,
    /// The credential as it now stands (the old one when not saved).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<CredentialInfo>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(fields: &[(&str, &str)]) -> CredentialInput {
        CredentialInput {
            fields: fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn required_fields_are_named() {
        let e = input(&[("username", "api@acme.test")]).validate(Provider::Autotask, |_| false).unwrap_err();
        assert!(e.get("fields.secret").is_some() && e.get("fields.integrationCode").is_some(), "{e:?}");
        assert!(e.get("fields.username").is_none());
        // A stored secret may be kept by leaving the field empty.
        let keep = input(&[("username", "api@acme.test"), ("secret", "")]);
        assert_eq!(keep.validate(Provider::Autotask, |n| n != "username"), Ok(()));
    }

    #[test]
    fn hubspot_takes_a_token_or_the_three_oauth_fields() {
        assert_eq!(input(&[("accessToken", "pat-na1-abc")]).validate(Provider::Hubspot, |_| false), Ok(()));
        let e = input(&[("clientId", "id")]).validate(Provider::Hubspot, |_| false).unwrap_err();
        assert!(e.get("fields.clientSecret").is_some() && e.get("fields.refreshToken").is_some());
        assert!(e.get("fields.clientId").is_none());
    }

    #[test]
    fn bad_urls_dates_and_unknown_fields_are_refused() {
        let mut i = input(&[("apiKey", "k"), ("baseUrl", "ftp://x"), ("password", "p")]);
        i.expires_on = Some("2027-02-30".into());
        let e = i.validate(Provider::Apollo, |_| false).unwrap_err();
        for f in ["fields.baseUrl", "fields.password", "expiresOn"] {
            assert!(e.get(f).is_some(), "{f} in {e:?}");
        }
    }

    #[test]
    fn dates_count_days_from_the_epoch() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2000-03-01"), Some(11_017));
        assert_eq!(parse_date("2024-02-29"), Some(19_782));
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("2026-1-01"), None);
        let i = CredentialInput { expires_on: Some("2026-11-26".into()), ..Default::default() };
        assert_eq!(i.expires_at(), Some(1_795_651_200_000));
    }

    #[test]
    fn hints_show_four_characters_of_long_secrets_only() {
        assert_eq!(secret_hint("pat-na1-11112222333344f2a").as_deref(), Some("…4f2a"));
        assert_eq!(secret_hint("short"), None);
    }
}
