//! Products: each distributor's offer and the winning price.

use serde::{Deserialize, Serialize};

/// One distributor's offer for a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Offer {
    pub distributor_id: String,
    pub distributor_name: String,
    pub priority: u32,
    pub cost_price: String,
    pub currency: Option<String>,
    pub stock: Option<i64>,
    /// When this price was last confirmed by a successful sync.
    pub as_of: Option<String>,
    pub age_secs: Option<u64>,
    /// Older than the distributor's "ignore prices older than" limit: shown, never wins.
    pub ignored: bool,
    pub winning: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Product {
    pub sku: String,
    pub mpn: Option<String>,
    pub description: Option<String>,
    /// Best first: the winner, then by priority and freshness.
    pub offers: Vec<Offer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProductBatchRequest {
    /// Up to 100 SKUs.
    pub skus: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProductBatchResult {
    pub items: Vec<Product>,
    /// Asked for, carried by no distributor.
    pub not_found: Vec<String>,
}
