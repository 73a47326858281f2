//! Test connection: reach, authenticate, read the first rows and show them mapped — or say
//! exactly what failed.

use super::fetch;
use super::parse::{self, Item};
use super::settings::{self, Settings};
use crate::error::AppResult;
use crate::state::AppState;
use sluice_contract::distributors::{ConnectionTest, DistributorInput, MappedRow};
use std::time::Duration;

pub const PREVIEW_ROWS: usize = 10;
const TIMEOUT: Duration = Duration::from_secs(30);

/// Tests a saved connection with its stored password.
pub async fn test_saved(state: &AppState, tenant_id: &str, id: &str) -> AppResult<ConnectionTest> {
    let (row, settings) = super::load(state, tenant_id, id).await?;
    let password = match &row.credential_id {
        Some(cred) => Some(crate::credentials::reveal(state, tenant_id, cred).await?),
        None => None,
    };
    Ok(run(state, settings, password).await)
}

/// Tests what the form holds before it is saved (the password as typed; for an existing
/// connection, `existing` supplies the stored one when none is typed).
pub async fn test_input(
    state: &AppState,
    tenant_id: &str,
    input: DistributorInput,
    existing: Option<&str>,
) -> AppResult<ConnectionTest> {
    let has_stored = match existing {
        Some(id) => super::load(state, tenant_id, id).await?.0.credential_id,
        None => None,
    };
    input.validate(has_stored.is_some())?;
    let (settings, typed) = settings::normalise(input);
    let password = match (typed, has_stored) {
        (Some(p), _) => Some(p),
        (None, Some(cred)) => Some(crate::credentials::reveal(state, tenant_id, &cred).await?),
        (None, None) => None,
    };
    Ok(run(state, settings, password).await)
}

async fn run(state: &AppState, settings: Settings, password: Option<String>) -> ConnectionTest {
    let allow_private = state.config.allow_private_targets;
    let work = tokio::task::spawn_blocking(move || blocking(&settings, password.as_deref(), allow_private));
    match tokio::time::timeout(TIMEOUT, work).await {
        Ok(Ok(result)) => result,
        Ok(Err(e)) => failed(format!("The test stopped unexpectedly: {e}")),
        Err(_) => failed(format!("No answer within {} s.", TIMEOUT.as_secs())),
    }
}

fn failed(error: String) -> ConnectionTest {
    ConnectionTest { ok: false, error: Some(error), columns: Vec::new(), rows: Vec::new() }
}

fn blocking(settings: &Settings, password: Option<&str>, allow_private: bool) -> ConnectionTest {
    let source = match fetch::open(settings, password, allow_private) {
        Ok(source) => source,
        Err(error) => return failed(error),
    };
    let (reader, finish) = source.split();
    let mut rows = Vec::new();
    let result = {
        let mut sink = |item: Item| -> Result<bool, String> {
            rows.push(match item {
                Item::Row { line, row } => MappedRow {
                    line,
                    sku: Some(row.sku),
                    mpn: row.mpn,
                    description: row.description,
                    cost_price: Some(parse::format_price(row.price)),
                    currency: row.currency,
                    stock: row.stock,
                    error: None,
                },
                Item::Rejected { line, reason } => MappedRow {
                    line,
                    sku: None,
                    mpn: None,
                    description: None,
                    cost_price: None,
                    currency: None,
                    stock: None,
                    error: Some(reason),
                },
            });
            Ok(rows.len() < PREVIEW_ROWS)
        };
        parse::parse(reader, settings, &mut sink)
    };
    // The whole file was read: the transfer's last word may be an error (FTP 550 after 150).
    let result = match result {
        Ok(columns) if rows.len() < PREVIEW_ROWS => finish.finish().map(|()| columns),
        other => other,
    };
    match result {
        Err(error) => ConnectionTest { ok: false, error: Some(error), columns: Vec::new(), rows },
        Ok(_) if rows.is_empty() => failed(super::sync::EMPTY_FEED.to_string()),
        Ok(columns) => ConnectionTest { ok: true, error: None, columns, rows },
    }
}
