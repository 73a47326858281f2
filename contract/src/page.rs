//! Cursor pagination: `?limit=&cursor=` answered with `{"items": [...], "nextCursor": ...}`.

use serde::{Deserialize, Serialize};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;
/// Batch requests take at most this many items.
pub const MAX_BATCH: usize = 100;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Opaque; pass it back as `cursor` for the next page. Absent on the last page.
    pub next_cursor: Option<String>,
}
