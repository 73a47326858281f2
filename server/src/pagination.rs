//! `?limit=&cursor=`: limits are checked, cursors are opaque base64 of a JSON key.

use crate::error::{AppError, AppResult};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sluice_contract::page::{DEFAULT_LIMIT, MAX_LIMIT};
use sluice_contract::Page;

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

/// How many rows to fetch for a page of `limit`: one more, which only says a next page exists.
pub fn fetch_limit(limit: u32) -> u32 {
    limit + 1
}

/// A page from rows fetched with [`fetch_limit`], each with its raw sort key (a timestamp in ms
/// and the id, say; never a formatted date read back): the cursor is the last shown row's key.
pub fn page<K: Serialize, T>(mut rows: Vec<(K, T)>, limit: u32) -> Page<T> {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = if more { rows.last().map(|(key, _)| Cursor::encode(key)) } else { None };
    Page { items: rows.into_iter().map(|(_, item)| item).collect(), next_cursor }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_says_more_only_when_the_extra_row_came_and_points_past_its_last_row() {
        let rows = |n: i64| (0..n).map(|i| ((100 - i, format!("r{i}")), i)).collect::<Vec<_>>();
        let full = page(rows(3), 2);
        assert_eq!(full.items, vec![0, 1]);
        let key: (i64, String) = Cursor::decode(full.next_cursor.as_deref().unwrap()).unwrap();
        assert_eq!(key, (99, "r1".to_string()), "the last shown row's raw key");
        assert_eq!(page(rows(2), 2).next_cursor, None, "exactly a page: no next");
    }
}
