//! HubSpot: a private app's bearer token, or OAuth v1 (refresh token → access token, refreshed
//! before it expires and once more on a 401). Usage is the daily private-apps usage endpoint.

use super::{call_json, http, shape, Connector, Page, ProviderError, Record, Session, REFRESH_MARGIN_MS};
use crate::integrations::client::CallCx;
use serde_json::Value;
use sluice_contract::integrations::{thousands, Provider, UsageMeter, UsageSource, UsageWindow, BASE_URL};

pub struct Hubspot;

const API: &str = "https://api.hubapi.com";
pub const PAGE_SIZE: u32 = 100;

fn oauth(s: &Session) -> bool {
    s.field("accessToken").is_empty()
}

/// The bearer token to use, refreshing the OAuth one when it is missing, due or `force`d.
async fn token(cx: &CallCx<'_>, s: &mut Session, force: bool) -> Result<(String, bool), ProviderError> {
    if !oauth(s) {
        return Ok((s.field("accessToken").to_string(), false));
    }
    let now = cx.state.now_ms();
    if let (Some(t), Some(exp), false) = (&s.access_token, s.token_expires_at, force) {
        if exp > now + REFRESH_MARGIN_MS {
            return Ok((t.clone(), false));
        }
    }
    let form = [
        ("grant_type", "refresh_token"),
        ("client_id", s.field("clientId")),
        ("client_secret", s.field("clientSecret")),
        ("refresh_token", s.field("refreshToken")),
    ];
    let request = http(cx).post(format!("{}/oauth/v1/token", s.base(BASE_URL, API))).form(&form);
    let (json, answer) = call_json(cx, request).await.map_err(|e| match e {
        // A refused grant is a credential problem, whatever its status.
        ProviderError::Rejected { detail, provider } => ProviderError::Auth { detail, provider },
        other => other,
    })?;
    let access = json["access_token"].as_str().ok_or_else(|| shape("POST", &answer.url, "access_token"))?.to_string();
    let expires_in = json["expires_in"].as_u64().unwrap_or(1_800);
    s.access_token = Some(access.clone());
    s.token_expires_at = Some(now + expires_in * 1_000);
    Ok((access, true))
}

/// A GET with the bearer token; an OAuth token refused with 401 is refreshed and tried once more.
async fn get(cx: &CallCx<'_>, s: &mut Session, url: &str) -> Result<(Value, String), ProviderError> {
    let (bearer, fresh) = token(cx, s, false).await?;
    match call_json(cx, http(cx).get(url).bearer_auth(&bearer)).await {
        Err(e) if e.is_auth() && oauth(s) && !fresh => {
            let (bearer, _) = token(cx, s, true).await?;
            call_json(cx, http(cx).get(url).bearer_auth(&bearer)).await.map(|(j, a)| (j, a.url))
        }
        other => other.map(|(j, a)| (j, a.url)),
    }
}

async fn daily(cx: &CallCx<'_>, s: &mut Session) -> Result<UsageMeter, ProviderError> {
    let url = format!("{}/account-info/v3/api-usage/daily/private-apps", s.base(BASE_URL, API));
    let (json, url) = get(cx, s, &url).await?;
    let r = &json["results"][0];
    let (Some(used), Some(limit)) = (r["currentUsage"].as_u64(), r["usageLimit"].as_u64()) else {
        return Err(shape("GET", &url, "results[0].usageLimit"));
    };
    let resets_at = r["resetsAt"].as_str().and_then(crate::clock::parse_rfc3339);
    Ok(UsageMeter {
        used,
        limit,
        window: UsageWindow::DailyAccountMidnight,
        resets_at,
        source: UsageSource::Provider,
        fetched_at: cx.state.now_ms(),
    })
}

#[async_trait::async_trait]
impl Connector for Hubspot {
    fn provider(&self) -> Provider {
        Provider::Hubspot
    }

    async fn authenticate(&self, cx: &CallCx<'_>, s: &mut Session) -> Result<String, ProviderError> {
        let mut text = String::new();
        if oauth(s) {
            s.access_token = None;
            token(cx, s, true).await?;
            text.push_str("Refreshed the OAuth access token. ");
        }
        let m = daily(cx, s).await?;
        text.push_str(&format!("Daily usage: {} of {} calls.", thousands(m.used), thousands(m.limit)));
        s.observed_usage = Some(m);
        Ok(text)
    }

    async fn read(&self, cx: &CallCx<'_>, s: &mut Session) -> Result<String, ProviderError> {
        let url = format!("{}/crm/v3/objects/companies?limit=1", s.base(BASE_URL, API));
        let (json, url) = get(cx, s, &url).await?;
        let n = json["results"].as_array().ok_or_else(|| shape("GET", &url, "results"))?.len();
        Ok(format!("crm/v3/objects/companies answered {n} compan{}.", if n == 1 { "y" } else { "ies" }))
    }

    async fn usage(&self, cx: &CallCx<'_>, s: &mut Session) -> Result<Option<UsageMeter>, ProviderError> {
        daily(cx, s).await.map(Some)
    }

    async fn page(
        &self,
        cx: &CallCx<'_>,
        s: &mut Session,
        sync: &str,
        cursor: Option<String>,
    ) -> Result<Page, ProviderError> {
        let object = if sync == "contacts" { "contacts" } else { "companies" };
        let mut url = format!("{}/crm/v3/objects/{object}?limit={PAGE_SIZE}", s.base(BASE_URL, API));
        if let Some(after) = &cursor {
            let encoded: String = url::form_urlencoded::byte_serialize(after.as_bytes()).collect();
            url.push_str(&format!("&after={encoded}"));
        }
        let (json, url) = get(cx, s, &url).await?;
        let results = json["results"].as_array().ok_or_else(|| shape("GET", &url, "results"))?;
        let records = results
            .iter()
            .map(|r| {
                let p = &r["properties"];
                let id = r["id"].as_str().unwrap_or("").to_string();
                if object == "companies" {
                    Record {
                        kind: "company",
                        external_id: id,
                        name: p["name"].as_str().unwrap_or("").to_string(),
                        domain: p["domain"].as_str().map(|d| d.to_ascii_lowercase()),
                    }
                } else {
                    let email = p["email"].as_str().unwrap_or("").to_string();
                    let domain = email.split_once('@').map(|(_, d)| d.to_ascii_lowercase());
                    Record { kind: "contact", external_id: id, name: email, domain }
                }
            })
            .collect();
        let next = json["paging"]["next"]["after"].as_str().map(str::to_string);
        Ok(Page { records, next })
    }
}
