//! `?limit=&cursor=`: limits are checked, cursors are opaque base64 of a JSON key.

use crate::error::{AppError, AppResult};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sluice_contract::page::{DEFAULT_LIMIT, MAX_LIMIT};

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1 to 200; 50 when absent.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

pub struct Cursor;

impl Cursor {
    pub fn encode<T: Serialize>(key: &T) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
    }

    pub fn decode<T: DeserializeOwned>(cursor: &str) -> AppResult<T> {
        URL_SAFE_NO_PAD
            .decode(cursor)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or_else(|| AppError::field("cursor", "This cursor is not one this list gave out."))
    }
}

/// Checks `limit` (1..=200, default 50).
pub fn check_limit(limit: Option<u32>) -> AppResult<u32> {
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(AppError::field("limit", format!("Use a limit from 1 to {MAX_LIMIT}."))),
    }
}

impl PageQuery {
    pub fn limit(&self) -> AppResult<u32> {
        check_limit(self.limit)
    }

    pub fn cursor<T: DeserializeOwned>(&self) -> AppResult<Option<T>> {
        self.cursor.as_deref().filter(|c| !c.is_empty()).map(Cursor::decode).transpose()
    }
}
