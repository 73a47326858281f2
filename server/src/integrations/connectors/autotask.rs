//! Autotask REST: the zone is discovered from the API user's name; every other call carries
//! `ApiIntegrationCode`, `UserName` and `Secret`. Usage is `ThresholdInformation` (the rolling
//! hour, shared by every integration of the Autotask database).

use super::{call_json, http, shape, Connector, Page, ProviderError, Record, Session};
use crate::integrations::client::CallCx;
use serde_json::{json, Value};
use sluice_contract::integrations::{thousands, Provider, UsageMeter, UsageSource, UsageWindow, BASE_URL};

pub struct Autotask;

const ZONE_LOOKUP: &str = "https://webservices.autotask.net/atservicesrest";
pub const PAGE_SIZE: u64 = 500;

fn authed(s: &Session, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    request
        .header("ApiIntegrationCode", s.field("integrationCode"))
        .header("UserName", s.field("username"))
        .header("Secret", s.field("secret"))
        .header("Accept", "application/json")
}

/// The zone's REST base (`.../ATServicesRest/`), discovered once per session.
async fn zone(cx: &CallCx<'_>, s: &mut Session) -> Result<String, ProviderError> {
    if let Some(host) = &s.host {
        return Ok(host.clone());
    }
    let url = format!("{}/V1.0/zoneInformation", s.base(BASE_URL, ZONE_LOOKUP));
    let (json, answer) = call_json(cx, http(cx).get(url).query(&[("user", s.field("username"))])).await?;
    let mut base = json["url"].as_str().ok_or_else(|| shape("GET", &answer.url, "a zone url"))?.to_string();
    if !base.ends_with('/') {
        base.push('/');
    }
    s.host = Some(base.clone());
    Ok(base)
}

fn meter(cx: &CallCx<'_>, json: &Value) -> Option<UsageMeter> {
    Some(UsageMeter {
        used: json["currentTimeframeRequestCount"].as_u64()?,
        limit: json["externalRequestThreshold"].as_u64()?,
        window: UsageWindow::Rolling60m,
        resets_at: None,
        source: UsageSource::Provider,
        fetched_at: cx.state.now_ms(),
    })
}

async fn threshold(cx: &CallCx<'_>, s: &mut Session) -> Result<UsageMeter, ProviderError> {
    let base = zone(cx, s).await?;
    let (json, answer) = call_json(cx, authed(s, http(cx).get(format!("{base}V1.0/ThresholdInformation")))).await?;
    meter(cx, &json).ok_or_else(|| shape("GET", &answer.url, "externalRequestThreshold"))
}

fn query_body(after: u64, max: u64) -> Value {
    json!({ "filter": [{ "op": "gt", "field": "id", "value": after }], "MaxRecords": max })
}

fn domain_of(web: &str) -> Option<String> {
    let host = web.trim().trim_start_matches("https://").trim_start_matches("http://");
    let host = host.split('/').next()?.trim_start_matches("www.").to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

#[async_trait::async_trait]
impl Connector for Autotask {
    fn provider(&self) -> Provider {
        Provider::Autotask
    }

    async fn reach(&self, cx: &CallCx<'_>, s: &mut Session) -> Option<Result<String, ProviderError>> {
        s.host = None;
        Some(zone(cx, s).await.map(|url| format!("Zone lookup for {} answered {url}.", s.field("username"))))
    }

    async fn authenticate(&self, cx: &CallCx<'_>, s: &mut Session) -> Result<String, ProviderError> {
        let m = threshold(cx, s).await?;
        let text = format!(
            "ThresholdInformation: {} of {} calls in the last 60 minutes.",
            thousands(m.used),
            thousands(m.limit)
        );
        s.observed_usage = Some(m);
        Ok(text)
    }

    async fn read(&self, cx: &CallCx<'_>, s: &mut Session) -> Result<String, ProviderError> {
        let base = zone(cx, s).await?;
        let request = authed(s, http(cx).post(format!("{base}V1.0/Companies/query"))).json(&query_body(0, 1));
        let (json, answer) = call_json(cx, request).await?;
        let items = json["items"].as_array().ok_or_else(|| shape("POST", &answer.url, "items"))?;
        Ok(format!("Companies/query answered {} compan{}.", items.len(), if items.len() == 1 { "y" } else { "ies" }))
    }

    async fn usage(&self, cx: &CallCx<'_>, s: &mut Session) -> Result<Option<UsageMeter>, ProviderError> {
        threshold(cx, s).await.map(Some)
    }

    async fn page(
        &self,
        cx: &CallCx<'_>,
        s: &mut Session,
        sync: &str,
        cursor: Option<String>,
    ) -> Result<Page, ProviderError> {
        let base = zone(cx, s).await?;
        let (entity, kind) = if sync == "products" { ("Products", "product") } else { ("Companies", "company") };
        // The next page is the absolute URL Autotask gave; it still passes the SSRF guard.
        let request = match cursor {
            Some(next) => authed(s, http(cx).get(next)),
            None => authed(s, http(cx).post(format!("{base}V1.0/{entity}/query"))).json(&query_body(0, PAGE_SIZE)),
        };
        let method = if request.try_clone().and_then(|r| r.build().ok()).is_some_and(|r| r.method() == "GET") {
            "GET"
        } else {
            "POST"
        };
        let (json, answer) = call_json(cx, request).await?;
        let items = json["items"].as_array().ok_or_else(|| shape(method, &answer.url, "items"))?;
        let records = items
            .iter()
            .map(|item| {
                let id = item["id"].as_u64().map(|i| i.to_string()).unwrap_or_default();
                if kind == "company" {
                    Record {
                        kind,
                        external_id: id,
                        name: item["companyName"].as_str().unwrap_or("").to_string(),
                        domain: item["webAddress"].as_str().and_then(domain_of),
                    }
                } else {
                    Record {
                        kind,
                        external_id: id,
                        name: item["name"].as_str().unwrap_or("").to_string(),
                        domain: None,
                    }
                }
            })
            .collect();
        let next = json["pageDetails"]["nextPageUrl"].as_str().filter(|u| !u.is_empty()).map(str::to_string);
        Ok(Page { records, next })
    }
}
