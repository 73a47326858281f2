//! Salesforce REST: a refresh token buys an access token and the org's `instance_url`. The token
//! answer does not say how long the session lasts, so Sluice assumes two hours, refreshes before
//! then, and once more on `INVALID_SESSION_ID`. Usage is `/limits/` `DailyApiRequests`.

use super::{call_json, http, shape, Connector, Page, ProviderError, Record, Session, REFRESH_MARGIN_MS};
use crate::integrations::client::CallCx;
use serde_json::Value;
use sluice_contract::integrations::{thousands, Provider, UsageMeter, UsageSource, UsageWindow};

pub struct Salesforce;

const LOGIN: &str = "https://login.salesforce.com";
const VERSION: &str = "v60.0";
/// The default session timeout of an org.
pub const SESSION_ASSUMED_MS: u64 = 2 * 3_600_000;

fn login(s: &Session) -> String {
    s.base("loginUrl", LOGIN)
}

async fn token(cx: &CallCx<'_>, s: &mut Session, force: bool) -> Result<(String, bool), ProviderError> {
    let now = cx.state.now_ms();
    if let (Some(t), Some(exp), Some(_), false) = (&s.access_token, s.token_expires_at, &s.host, force) {
        if exp > now + REFRESH_MARGIN_MS {
            return Ok((t.clone(), false));
        }
    }
    let mut form = vec![
        ("grant_type", "refresh_token"),
        ("client_id", s.field("clientId")),
        ("refresh_token", s.field("refreshToken")),
        ("format", "json"),
    ];
    if !s.field("clientSecret").is_empty() {
        form.push(("client_secret", s.field("clientSecret")));
    }
    let request = http(cx).post(format!("{}/services/oauth2/token", login(s))).form(&form);
    let (json, answer) = call_json(cx, request).await.map_err(|e| match e {
        // `invalid_grant` and friends answer 400: the credential is at fault.
        ProviderError::Rejected { detail, provider } => ProviderError::Auth { detail, provider },
        other => other,
    })?;
    let access = json["access_token"].as_str().ok_or_else(|| shape("POST", &answer.url, "access_token"))?.to_string();
    let instance = json["instance_url"].as_str().ok_or_else(|| shape("POST", &answer.url, "instance_url"))?;
    s.host = Some(instance.trim_end_matches('/').to_string());
    s.access_token = Some(access.clone());
    s.token_expires_at = Some(now + SESSION_ASSUMED_MS);
    Ok((access, true))
}

/// A GET on the instance (`path` absolute from the host); a 401 refreshes once.
async fn get(cx: &CallCx<'_>, s: &mut Session, path: &str) -> Result<(Value, String), ProviderError> {
    let (bearer, fresh) = token(cx, s, false).await?;
    let url = format!("{}{path}", s.host.clone().unwrap_or_default());
    match call_json(cx, http(cx).get(&url).bearer_auth(&bearer)).await {
        Err(e) if e.is_auth() && !fresh => {
            let (bearer, _) = token(cx, s, true).await?;
            let url = format!("{}{path}", s.host.clone().unwrap_or_default());
            call_json(cx, http(cx).get(&url).bearer_auth(&bearer)).await.map(|(j, a)| (j, a.url))
        }
        other => other.map(|(j, a)| (j, a.url)),
    }
}

fn soql(q: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
    format!("/services/data/{VERSION}/query?q={encoded}")
}

#[async_trait::async_trait]
impl Connector for Salesforce {
    fn provider(&self) -> Provider {
        Provider::Salesforce
    }

    async fn reach(&self, cx: &CallCx<'_>, s: &mut Session) -> Option<Result<String, ProviderError>> {
        let url = format!("{}/services/data/", login(s));
        Some(call_json(cx, http(cx).get(url)).await.and_then(|(json, answer)| {
            let n = json.as_array().ok_or_else(|| shape("GET", &answer.url, "a list of versions"))?.len();
            Ok(format!("{} lists {n} API version{}.", login(s), if n == 1 { "" } else { "s" }))
        }))
    }

    async fn authenticate(&self, cx: &CallCx<'_>, s: &mut Session) -> Result<String, ProviderError> {
        token(cx, s, true).await?;
        Ok(format!("Refreshed the access token for {}.", s.host.clone().unwrap_or_default()))
    }

    async fn read(&self, cx: &CallCx<'_>, s: &mut Session) -> Result<String, ProviderError> {
        let (json, url) = get(cx, s, &soql("SELECT Id FROM Account LIMIT 1")).await?;
        let n = json["records"].as_array().ok_or_else(|| shape("GET", &url, "records"))?.len();
        Ok(format!("SELECT Id FROM Account answered {n} account{}.", if n == 1 { "" } else { "s" }))
    }

    async fn usage(&self, cx: &CallCx<'_>, s: &mut Session) -> Result<Option<UsageMeter>, ProviderError> {
        let (json, url) = get(cx, s, &format!("/services/data/{VERSION}/limits/")).await?;
        let d = &json["DailyApiRequests"];
        let (Some(max), Some(remaining)) = (d["Max"].as_u64(), d["Remaining"].as_u64()) else {
            return Err(shape("GET", &url, "DailyApiRequests"));
        };
        let _ = thousands;
        Ok(Some(UsageMeter {
            used: max.saturating_sub(remaining),
            limit: max,
            window: UsageWindow::Rolling24h,
            resets_at: None,
            source: UsageSource::Provider,
            fetched_at: cx.state.now_ms(),
        }))
    }

    async fn page(
        &self,
        cx: &CallCx<'_>,
        s: &mut Session,
        _sync: &str,
        cursor: Option<String>,
    ) -> Result<Page, ProviderError> {
        let path = cursor.unwrap_or_else(|| soql("SELECT Id, Name, Website FROM Account"));
        if !path.starts_with("/services/data/") {
            return Err(ProviderError::Malformed { detail: format!("nextRecordsUrl {path} is not a query path") });
        }
        let (json, url) = get(cx, s, &path).await?;
        let records = json["records"].as_array().ok_or_else(|| shape("GET", &url, "records"))?;
        let records = records
            .iter()
            .map(|r| Record {
                kind: "account",
                external_id: r["Id"].as_str().unwrap_or("").to_string(),
                name: r["Name"].as_str().unwrap_or("").to_string(),
                domain: r["Website"].as_str().map(|w| {
                    w.trim_start_matches("https://")
                        .trim_start_matches("http://")
                        .trim_start_matches("www.")
                        .trim_end_matches('/')
                        .to_ascii_lowercase()
                }),
            })
            .collect();
        let next = if json["done"].as_bool() == Some(false) {
            json["nextRecordsUrl"].as_str().map(str::to_string)
        } else {
            None
        };
        Ok(Page { records, next })
    }
}
