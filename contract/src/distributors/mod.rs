//! Admin > Distributors: price-feed connections, their sync runs, and the products they price.

use crate::error::FieldErrors;
use serde::{Deserialize, Serialize};

mod products;
mod runs;
pub use products::*;
pub use runs::*;

/// How the feed is fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FeedKind {
    /// An HTTP(S) price file or API (`url`).
    #[default]
    Http,
    /// A file on an FTP server (`host`, `port`, `username`, `password`, `path`).
    Ftp,
}

impl FeedKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FeedKind::Http => "http",
            FeedKind::Ftp => "ftp",
        }
    }

    pub fn parse(s: &str) -> Option<FeedKind> {
        [FeedKind::Http, FeedKind::Ftp].into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FeedFormat {
    #[default]
    Csv,
    /// An array of objects, at the root or under `recordsPath`.
    Json,
}

/// How to read a delimited file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", default)]
pub struct CsvOptions {
    /// One character: `,` `;` `|` `~` or `\t` for tab.
    pub delimiter: String,
    /// Whether the first line names the columns.
    pub header: bool,
    /// `1.000,99` instead of `1,000.99`.
    pub decimal_comma: bool,
    /// `utf-8`, `utf-16`, `iso-8859-1` (Latin-1), `iso-8859-15` or `windows-1252`.
    pub encoding: String,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions { delimiter: ",".into(), header: true, decimal_comma: false, encoding: "utf-8".into() }
    }
}

pub const ENCODINGS: [&str; 5] = ["utf-8", "utf-16", "iso-8859-1", "iso-8859-15", "windows-1252"];

impl CsvOptions {
    /// The delimiter as a byte (`\t` spelled out is a tab).
    pub fn delimiter_byte(&self) -> Option<u8> {
        match self.delimiter.as_str() {
            "\\t" | "\t" | "tab" => Some(b'\t'),
            d if d.len() == 1 && d.is_ascii() && !d.chars().all(|c| c.is_ascii_alphanumeric() || c == '"') => {
                Some(d.as_bytes()[0])
            }
            _ => None,
        }
    }
}

/// Which column holds what. With a header, a column's name; without one, its number from 1.
/// For JSON, the key in each record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", default)]
pub struct ColumnMapping {
    pub sku: String,
    pub mpn: Option<String>,
    pub description: Option<String>,
    pub cost_price: String,
    pub currency: Option<String>,
    pub stock: Option<String>,
}

impl ColumnMapping {
    /// (wire field name, column) for every mapped column.
    pub fn columns(&self) -> Vec<(&'static str, &str)> {
        let mut out = vec![("sku", self.sku.as_str()), ("costPrice", self.cost_price.as_str())];
        for (field, col) in [
            ("mpn", &self.mpn),
            ("description", &self.description),
            ("currency", &self.currency),
            ("stock", &self.stock),
        ] {
            if let Some(c) = col.as_deref().filter(|c| !c.trim().is_empty()) {
                out.push((field, c));
            }
        }
        out
    }
}

/// What the admin submits to create or change a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", default)]
pub struct DistributorInput {
    pub name: String,
    pub kind: FeedKind,
    /// HTTP(S) feeds: the file's URL.
    pub url: Option<String>,
    /// FTP feeds.
    pub host: Option<String>,
    pub port: Option<u16>,
    pub username: Option<String>,
    /// Write-only. Absent or empty on an update keeps the stored password.
    pub password: Option<String>,
    pub path: Option<String>,
    pub format: FeedFormat,
    pub csv: CsvOptions,
    /// JSON feeds: the key holding the array of records (empty: the root is the array).
    pub records_path: Option<String>,
    pub mapping: ColumnMapping,
    /// 1 wins over 2 when several distributors carry a product.
    pub priority: u32,
    /// Minutes between scheduled syncs.
    pub cadence_minutes: u32,
    /// Hours after the last successful sync when the prices count as stale.
    pub stale_after_hours: u32,
    /// Prices older than this many days are shown but never win.
    pub ignore_older_than_days: Option<u32>,
    /// A run fails when more than this percentage of its rows is rejected.
    pub max_rejected_percent: u32,
}

pub const MAX_NAME: usize = 100;

impl DistributorInput {
    /// Field errors named as on the wire; `has_password` says whether one is already stored.
    pub fn validate(&self, has_password: bool) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
        if self.name.trim().is_empty() {
            e.add("name", "Give the distributor a name.");
        } else if self.name.chars().count() > MAX_NAME {
            e.add("name", format!("Keep the name within {MAX_NAME} characters."));
        }
        match self.kind {
            FeedKind::Http => match self.url.as_deref().map(str::trim) {
                None | Some("") => e.add("url", "Enter the price file's URL."),
                Some(u) if !(u.starts_with("http://") || u.starts_with("https://")) => {
                    e.add("url", "Use an http:// or https:// URL.")
                }
                Some(_) => {}
            },
            FeedKind::Ftp => {
                if blank(&self.host) {
                    e.add("host", "Enter the FTP server's host name.");
                }
                if self.port == Some(0) {
                    e.add("port", "Use a port from 1 to 65535.");
                }
                if blank(&self.username) {
                    e.add("username", "Enter the FTP user name.");
                }
                if blank(&self.password) && !has_password {
                    e.add("password", "Enter the FTP password.");
                }
                if blank(&self.path) {
                    e.add("path", "Enter the path of the price file, such as /prices.csv.");
                }
            }
        }
        if self.format == FeedFormat::Csv {
            if self.csv.delimiter_byte().is_none() {
                e.add("csv.delimiter", "Use one separator character such as , ; | ~ or \\t for tab.");
            }
            if !ENCODINGS.contains(&self.csv.encoding.to_ascii_lowercase().as_str()) {
                e.add("csv.encoding", format!("Use one of: {}.", ENCODINGS.join(", ")));
            }
        }
        if self.mapping.sku.trim().is_empty() {
            e.add("mapping.sku", "Choose the column that holds the SKU.");
        }
        if self.mapping.cost_price.trim().is_empty() {
            e.add("mapping.costPrice", "Choose the column that holds the cost price.");
        }
        if self.format == FeedFormat::Csv && !self.csv.header {
            for (field, col) in self.mapping.columns() {
                if !col.trim().is_empty() && col.trim().parse::<usize>().map_or(true, |n| n == 0) {
                    e.add(
                        &format!("mapping.{field}"),
                        "Without a header line, give the column's number (1 is the first).",
                    );
                }
            }
        }
        if !(1..=100).contains(&self.priority) {
            e.add("priority", "Use a priority from 1 (wins first) to 100.");
        }
        if !(5..=10_080).contains(&self.cadence_minutes) {
            e.add("cadenceMinutes", "Sync every 5 minutes to 7 days (10080 minutes).");
        }
        if !(1..=2_160).contains(&self.stale_after_hours) {
            e.add("staleAfterHours", "Use 1 to 2160 hours (90 days).");
        }
        if self.ignore_older_than_days.is_some_and(|d| !(1..=365).contains(&d)) {
            e.add("ignoreOlderThanDays", "Use 1 to 365 days, or leave it empty.");
        }
        if self.max_rejected_percent > 100 {
            e.add("maxRejectedPercent", "Use a percentage from 0 to 100.");
        }
        e.into_result()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Distributor {
    pub id: String,
    pub name: String,
    pub kind: FeedKind,
    pub url: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub username: Option<String>,
    /// Never the password: when it was set, if it is.
    pub password_set_at: Option<String>,
    pub path: Option<String>,
    pub format: FeedFormat,
    pub csv: CsvOptions,
    pub records_path: Option<String>,
    pub mapping: ColumnMapping,
    pub priority: u32,
    pub cadence_minutes: u32,
    pub stale_after_hours: u32,
    pub ignore_older_than_days: Option<u32>,
    pub max_rejected_percent: u32,
    /// The end of the last run that succeeded: how old these prices are.
    pub last_success_at: Option<String>,
    /// Past `staleAfterHours` since the last successful sync (or since creation, if never).
    pub stale: bool,
    pub next_run_at: Option<String>,
    pub last_run: Option<SyncRun>,
    pub created_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http() -> DistributorInput {
        DistributorInput {
            name: "Ingram".into(),
            url: Some("https://feeds.example.com/prices.csv".into()),
            mapping: ColumnMapping { sku: "SKU".into(), cost_price: "Price".into(), ..Default::default() },
            priority: 1,
            cadence_minutes: 60,
            stale_after_hours: 26,
            max_rejected_percent: 5,
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_http_feed_is_valid() {
        assert_eq!(http().validate(false), Ok(()));
    }

    #[test]
    fn errors_name_the_fields() {
        let mut input = http();
        input.url = Some("ftp://x".into());
        input.csv.delimiter = "ab".into();
        input.mapping.cost_price = String::new();
        input.priority = 0;
        let errors = input.validate(false).unwrap_err();
        for field in ["url", "csv.delimiter", "mapping.costPrice", "priority"] {
            assert!(errors.get(field).is_some(), "{field} in {errors:?}");
        }
    }

    #[test]
    fn ftp_needs_a_password_only_when_none_is_stored() {
        let mut input = http();
        input.kind = FeedKind::Ftp;
        input.url = None;
        input.host = Some("ftp.example.com".into());
        input.username = Some("acme".into());
        input.path = Some("/prices.csv".into());
        assert!(input.validate(false).unwrap_err().get("password").is_some());
        assert_eq!(input.validate(true), Ok(()));
    }

    #[test]
    fn headerless_mappings_take_column_numbers() {
        let mut input = http();
        input.csv.header = false;
        assert!(input.validate(false).unwrap_err().get("mapping.sku").is_some());
        input.mapping.sku = "1".into();
        input.mapping.cost_price = "4".into();
        assert_eq!(input.validate(false), Ok(()));
        assert_eq!(CsvOptions { delimiter: "\\t".into(), ..Default::default() }.delimiter_byte(), Some(b'\t'));
    }
}
