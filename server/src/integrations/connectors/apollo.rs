//! Apollo.io: `x-api-key`; `auth/health` says whether the key is logged in (a bad key may get
//! 200 with `is_logged_in: false`, so the body decides). Usage comes only from the rate-limit
//! headers of enrichment answers (the day window, under either of its two names).

use super::{call_json, http, shape, Connector, Page, ProviderError, Record, Session};
use crate::integrations::client::{Answer, CallCx};
use sluice_contract::integrations::{Provider, UsageMeter, UsageSource, UsageWindow, BASE_URL};

pub struct Apollo;

const API: &str = "https://api.apollo.io";
/// `bulk_enrich` takes at most 10 domains.
pub const BATCH: u32 = 10;
/// A company enriched (or found unknown) more recently than this is not asked about again:
/// each run spends credits only on new companies and on those whose enrichment has aged.
pub const ENRICH_AGAIN_AFTER_MS: u64 = 30 * 86_400_000;

fn keyed(s: &Session, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    request.header("x-api-key", s.field("apiKey")).header("Cache-Control", "no-cache")
}

/// The day window from the headers: the documented `x-rate-limit-daily` or the live `-24-hour`.
fn observe(cx: &CallCx<'_>, s: &mut Session, answer: &Answer) {
    let num = |name: &str| answer.header(name).and_then(|v| v.trim().parse::<u64>().ok());
    let limit = num("x-rate-limit-24-hour").or_else(|| num("x-rate-limit-daily"));
    let used = num("x-24-hour-usage").or_else(|| num("x-daily-usage"));
    if let (Some(limit), Some(used)) = (limit, used) {
        s.observed_usage = Some(UsageMeter {
            used,
            limit,
            window: UsageWindow::Rolling24h,
            resets_at: None,
            source: UsageSource::Provider,
            fetched_at: cx.state.now_ms(),
        });
    }
}

#[async_trait::async_trait]
impl Connector for Apollo {
    fn provider(&self) -> Provider {
        Provider::Apollo
    }

    async fn authenticate(&self, cx: &CallCx<'_>, s: &mut Session) -> Result<String, ProviderError> {
        let url = format!("{}/api/v1/auth/health", s.base(BASE_URL, API));
        let (json, answer) = call_json(cx, keyed(s, http(cx).get(url))).await?;
        match json["is_logged_in"].as_bool() {
            Some(true) => Ok("auth/health: is_logged_in is true.".into()),
            Some(false) => Err(ProviderError::Auth {
                detail: "GET /api/v1/auth/health answered 200 but the key is not logged in".into(),
                provider: answer.body.trim().to_string(),
            }),
            None => Err(shape("GET", &answer.url, "is_logged_in")),
        }
    }

    async fn read(&self, cx: &CallCx<'_>, s: &mut Session) -> Result<String, ProviderError> {
        let url = format!("{}/api/v1/organizations/enrich", s.base(BASE_URL, API));
        let (json, answer) = call_json(cx, keyed(s, http(cx).get(url).query(&[("domain", "apollo.io")]))).await?;
        observe(cx, s, &answer);
        Ok(match json["organization"]["name"].as_str() {
            Some(name) => format!("organizations/enrich found {name}."),
            None => {
                "organizations/enrich answered; no match for apollo.io (expected for small or new companies).".into()
            }
        })
    }

    async fn usage(&self, _cx: &CallCx<'_>, s: &mut Session) -> Result<Option<UsageMeter>, ProviderError> {
        Ok(s.observed_usage.clone())
    }

    /// Enriches the companies other integrations synced that were never enriched, or not for
    /// [`ENRICH_AGAIN_AFTER_MS`], ten domains per call.
    async fn page(
        &self,
        cx: &CallCx<'_>,
        s: &mut Session,
        _sync: &str,
        cursor: Option<String>,
    ) -> Result<Page, ProviderError> {
        let (tenant, after) = (cx.tenant.to_string(), cursor.unwrap_or_default());
        let stale_before = cx.state.now_ms().saturating_sub(ENRICH_AGAIN_AFTER_MS);
        let domains = cx
            .state
            .store
            .call(move |c| crate::store::integrations::domains_to_enrich(c, &tenant, &after, stale_before, BATCH))
            .await
            .map_err(|e| ProviderError::Malformed { detail: format!("reading the companies to enrich: {e}") })?;
        if domains.is_empty() {
            return Ok(Page { records: vec![], next: None });
        }
        let query: Vec<(&str, &str)> = domains.iter().map(|d| ("domains[]", d.as_str())).collect();
        let url = format!("{}/api/v1/organizations/bulk_enrich", s.base(BASE_URL, API));
        let (json, answer) = call_json(cx, keyed(s, http(cx).post(url).query(&query))).await?;
        observe(cx, s, &answer);
        let orgs = json["organizations"].as_array().ok_or_else(|| shape("POST", &answer.url, "organizations"))?;
        let records = orgs
            .iter()
            .filter(|o| !o.is_null())
            .map(|o| Record {
                kind: "organization",
                external_id: o["primary_domain"].as_str().or(o["id"].as_str()).unwrap_or("").to_string(),
                name: o["name"].as_str().unwrap_or("").to_string(),
                domain: o["primary_domain"].as_str().map(str::to_string),
            })
            .collect::<Vec<Record>>();
        // Asked is done, found or not: an unknown small company is not asked again every run.
        let found: Vec<String> = records.iter().filter_map(|r| r.domain.clone()).collect();
        let (tenant, asked, now) = (cx.tenant.to_string(), domains.clone(), cx.state.now_ms());
        cx.state
            .store
            .call(move |c| crate::store::integrations::mark_enriched(c, &tenant, &asked, &found, now))
            .await
            .map_err(|e| ProviderError::Malformed { detail: format!("recording the enrichment: {e}") })?;
        let next = (domains.len() as u32 == BATCH).then(|| domains.last().cloned()).flatten();
        Ok(Page { records, next })
    }
}
