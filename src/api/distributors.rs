//! `/api/v1/distributors` and `/api/v1/products`: price feeds, their runs, and price lookups.

use super::transport::{self, EventStream};
use super::{encode_query_value, query_string, send, ApiError, ApiRequest};
use sluice_contract::distributors::{ConnectionTest, Distributor, DistributorInput, Product, RunProgress, SyncRun};
use sluice_contract::{Page, API_BASE};
use std::rc::Rc;

pub async fn list() -> Result<Page<Distributor>, ApiError> {
    send(ApiRequest::get("/distributors", "Load distributors")).await
}

pub async fn get(id: &str) -> Result<Distributor, ApiError> {
    send(ApiRequest::get(format!("/distributors/{}", encode_query_value(id)), "Load the distributor")).await
}

pub async fn create(input: &DistributorInput, idempotency_key: &str) -> Result<Distributor, ApiError> {
    send(ApiRequest::post("/distributors", input, "Add distributor").idempotent(idempotency_key)).await
}

/// Saves changes; a `None` password keeps the stored one.
pub async fn update(id: &str, input: &DistributorInput, idempotency_key: &str) -> Result<Distributor, ApiError> {
    let path = format!("/distributors/{}", encode_query_value(id));
    send(ApiRequest::put(path, input, "Save distributor").idempotent(idempotency_key)).await
}

/// Tests what the form holds; `existing` lets a saved connection's stored password be used.
pub async fn test(input: &DistributorInput, existing: Option<&str>) -> Result<ConnectionTest, ApiError> {
    let qs = query_string([("distributor", existing.map(str::to_string))]);
    send(ApiRequest::post(format!("/distributors/test{qs}"), input, "Test connection")).await
}

/// Force re-fetch: answers the run as it starts; progress arrives through [`watch_runs`].
pub async fn sync(id: &str, idempotency_key: &str) -> Result<SyncRun, ApiError> {
    let path = format!("/distributors/{}/sync", encode_query_value(id));
    send(ApiRequest::post(path, &Empty {}, "Force re-fetch").idempotent(idempotency_key)).await
}

pub async fn runs(id: &str) -> Result<Page<SyncRun>, ApiError> {
    send(ApiRequest::get(format!("/distributors/{}/runs?limit=20", encode_query_value(id)), "Load run history")).await
}

pub async fn run(id: &str, run_id: &str) -> Result<SyncRun, ApiError> {
    let path = format!("/distributors/{}/runs/{}", encode_query_value(id), encode_query_value(run_id));
    send(ApiRequest::get(path, "Load the run")).await
}

pub async fn products(q: &str) -> Result<Page<Product>, ApiError> {
    let qs = query_string([("q", Some(q.to_string())), ("limit", Some("50".into()))]);
    send(ApiRequest::get(format!("/products{qs}"), "Search products")).await
}

/// Calls `on_progress` for each `distributors` event of the live stream.
pub fn watch_runs(on_progress: impl Fn(RunProgress) + 'static) -> Option<EventStream> {
    let on_data = Rc::new(move |data: String| {
        if let Ok(progress) = super::decode::<RunProgress>(&data) {
            on_progress(progress);
        }
    });
    transport::current().open_events(&format!("{API_BASE}/stream?topics=distributors"), "distributors", on_data)
}

#[derive(serde::Serialize)]
struct Empty {}
