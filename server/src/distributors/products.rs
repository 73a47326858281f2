//! Products: every distributor's offer for a SKU, and which one wins.
//!
//! The winner is the first offer that is not ignored, by priority (1 first), then freshness
//! (the newer confirmation), then price. A price is as old as the distributor's last successful
//! sync, which confirmed every row of its file.

use super::parse::format_price;
use crate::clock::rfc3339;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::distributors::{self as store, OfferRow};
use sluice_contract::distributors::{Offer, Product, ProductBatchRequest, ProductBatchResult};
use sluice_contract::page::MAX_BATCH;

const DAY_MS: u64 = 86_400_000;

pub async fn search(state: &AppState, tenant_id: &str, q: &str, limit: u32) -> AppResult<Vec<Product>> {
    let q = q.trim().to_string();
    if q.is_empty() {
        return Err(AppError::field("q", "Enter a SKU, a manufacturer part number or words from the description."));
    }
    let (tenant, now) = (tenant_id.to_string(), state.now_ms());
    state
        .store
        .call(move |c| {
            let skus = store::search_skus(c, &tenant, &q, limit)?;
            skus.iter().map(|sku| Ok(product(store::offers(c, &tenant, sku)?, now))).collect::<AppResult<Vec<_>>>()
        })
        .await
        .map(|products| products.into_iter().flatten().collect())
}

/// Up to 100 SKUs in one call, answered in the order asked.
pub async fn batch(state: &AppState, tenant_id: &str, req: ProductBatchRequest) -> AppResult<ProductBatchResult> {
    if req.skus.is_empty() {
        return Err(AppError::field("skus", "Send at least one SKU."));
    }
    if req.skus.len() > MAX_BATCH {
        return Err(AppError::field("skus", format!("Send at most {MAX_BATCH} SKUs per request; split the list.")));
    }
    let (tenant, now) = (tenant_id.to_string(), state.now_ms());
    state
        .store
        .call(move |c| {
            let mut result = ProductBatchResult { items: Vec::new(), not_found: Vec::new() };
            for sku in req.skus {
                match product(store::offers(c, &tenant, sku.trim())?, now) {
                    Some(p) => result.items.push(p),
                    None => result.not_found.push(sku),
                }
            }
            Ok(result)
        })
        .await
}

fn product(rows: Vec<OfferRow>, now: u64) -> Option<Product> {
    let first = rows.first()?;
    let (sku, mpn, description) = (first.sku.clone(), first.mpn.clone(), first.description.clone());
    let mut offers: Vec<(Offer, Option<u64>, i64)> = rows
        .into_iter()
        .map(|r| {
            let age = r.last_success_at.map(|at| now.saturating_sub(at));
            let ignored = r.ignore_older_than_days.is_some_and(|days| age.is_none_or(|a| a > days as u64 * DAY_MS));
            let offer = Offer {
                distributor_id: r.distributor_id,
                distributor_name: r.distributor_name,
                priority: r.priority,
                cost_price: format_price(r.price),
                currency: r.currency,
                stock: r.stock,
                as_of: r.last_success_at.map(rfc3339),
                age_secs: age.map(|a| a / 1000),
                ignored,
                winning: false,
            };
            (offer, r.last_success_at, r.price)
        })
        .collect();
    offers.sort_by(|(a, a_at, a_price), (b, b_at, b_price)| {
        (a.ignored, a.priority, std::cmp::Reverse(*a_at), *a_price).cmp(&(
            b.ignored,
            b.priority,
            std::cmp::Reverse(*b_at),
            *b_price,
        ))
    });
    let mut offers: Vec<Offer> = offers.into_iter().map(|(o, _, _)| o).collect();
    if let Some(best) = offers.first_mut().filter(|o| !o.ignored) {
        best.winning = true;
    }
    Some(Product { sku, mpn: mpn.or(None), description, offers })
}
