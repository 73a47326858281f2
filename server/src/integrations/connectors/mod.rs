//! One [`Connector`] per provider: Test connection (reach → authenticate → read, the provider's
//! error text verbatim), provider-reported usage, and the pages a sync reads. Each speaks its
//! provider's wire format (`shared/PROVIDERS.md`) through the one outbound client.

pub mod apollo;
pub mod autotask;
pub mod hubspot;
pub mod salesforce;

use super::client::{Answer, CallCx, Transport};
use serde_json::Value;
use sluice_contract::integrations::{Provider, StepOutcome, TestResult, TestStep, TestStepName, UsageMeter};
use std::collections::BTreeMap;
use std::time::Instant;

/// Access tokens are refreshed this long before they expire.
pub const REFRESH_MARGIN_MS: u64 = 5 * 60_000;

/// A credential in use: its fields and what the provider handed out (tokens, hosts).
#[derive(Debug, Clone, Default)]
pub struct Session {
    pub fields: BTreeMap<String, String>,
    pub access_token: Option<String>,
    /// By Sluice's clock.
    pub token_expires_at: Option<u64>,
    /// Salesforce's `instance_url`, Autotask's zone `url`.
    pub host: Option<String>,
    /// Usage read from rate-limit headers on the way (Apollo.io reports nothing else).
    pub observed_usage: Option<UsageMeter>,
}

impl Session {
    pub fn new(fields: BTreeMap<String, String>) -> Session {
        Session { fields, ..Default::default() }
    }

    /// A field's value, trimmed ("" when absent).
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map(|v| v.trim()).unwrap_or("")
    }

    /// `baseUrl` (or `loginUrl`) without its trailing slash, else the provider's own.
    pub fn base(&self, name: &str, default: &str) -> String {
        let v = self.field(name);
        if v.is_empty() { default } else { v }.trim_end_matches('/').to_string()
    }
}

/// What went wrong with a provider call, with the provider's own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderError {
    Transport(Transport),
    /// 401, or a token grant refused: the credential is wrong, expired or revoked.
    Auth {
        detail: String,
        provider: String,
    },
    Forbidden {
        detail: String,
        provider: String,
    },
    RateLimited {
        detail: String,
        provider: String,
        retry_after_ms: Option<u64>,
    },
    Server {
        detail: String,
        provider: String,
    },
    /// HTML instead of JSON, or JSON that does not parse or has the wrong shape.
    Malformed {
        detail: String,
    },
    /// Another 4xx.
    Rejected {
        detail: String,
        provider: String,
    },
}

impl ProviderError {
    /// The provider's text, verbatim.
    pub fn provider_text(&self) -> Option<&str> {
        match self {
            ProviderError::Auth { provider, .. }
            | ProviderError::Forbidden { provider, .. }
            | ProviderError::RateLimited { provider, .. }
            | ProviderError::Server { provider, .. }
            | ProviderError::Rejected { provider, .. } => Some(provider.as_str()).filter(|p| !p.is_empty()),
            _ => None,
        }
    }

    pub fn detail(&self) -> String {
        match self {
            ProviderError::Transport(t) => t.to_string(),
            ProviderError::Auth { detail, .. }
            | ProviderError::Forbidden { detail, .. }
            | ProviderError::RateLimited { detail, .. }
            | ProviderError::Server { detail, .. }
            | ProviderError::Malformed { detail }
            | ProviderError::Rejected { detail, .. } => detail.clone(),
        }
    }

    pub fn is_auth(&self) -> bool {
        matches!(self, ProviderError::Auth { .. })
    }

    pub fn is_transport(&self) -> bool {
        matches!(self, ProviderError::Transport(_))
    }
}

impl std::fmt::Display for ProviderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.provider_text() {
            Some(text) => write!(f, "{}: {text}", self.detail()),
            None => write!(f, "{}", self.detail()),
        }
    }
}

impl From<Transport> for ProviderError {
    fn from(t: Transport) -> Self {
        ProviderError::Transport(t)
    }
}

/// "GET /crm/v3/objects/companies" for messages (no query: it may carry an id or a key).
pub fn what(method: &str, url: &str) -> String {
    let path = reqwest::Url::parse(url).map(|u| u.path().to_string()).unwrap_or_else(|_| url.to_string());
    format!("{method} {path}")
}

/// The provider's error text from any of the four dialects, verbatim.
pub fn provider_message(body: &str) -> String {
    let Ok(json) = serde_json::from_str::<Value>(body) else {
        let text = body.trim();
        if text.starts_with('<') {
            return "(an HTML page)".into();
        }
        return text.chars().take(300).collect();
    };
    let s = |v: &Value| v.as_str().map(str::to_string);
    // Salesforce: [{"message", "errorCode"}]
    if let Some(first) = json.as_array().and_then(|a| a.first()) {
        return match (s(&first["errorCode"]), s(&first["message"])) {
            (Some(code), Some(m)) => format!("{code}: {m}"),
            (_, Some(m)) => m,
            _ => first.to_string(),
        };
    }
    // Autotask: {"errors": ["text", ...]} or [{"message"}]
    if let Some(errors) = json["errors"].as_array().filter(|_| json["message"].is_null()) {
        let texts: Vec<String> = errors.iter().filter_map(|e| s(e).or_else(|| s(&e["message"]))).collect();
        if !texts.is_empty() {
            return texts.join("; ");
        }
    }
    // OAuth: {"error", "error_description"}; Apollo.io: {"error"}
    if let Some(error) = s(&json["error"]) {
        return match (s(&json["error_description"]), s(&json["error_code"])) {
            (Some(d), _) => format!("{error}: {d}"),
            (None, Some(code)) => format!("{code}: {error}"),
            (None, None) => error,
        };
    }
    // HubSpot and Apollo.io's 429: {"message", "category"/"status"}
    if let Some(message) = s(&json["message"]) {
        return match s(&json["category"]).or_else(|| s(&json["status"]).filter(|st| st != "error")) {
            Some(category) => format!("{category}: {message}"),
            None => message,
        };
    }
    json.to_string().chars().take(300).collect()
}

/// Reads a provider's answer: JSON on 2xx, else the error of its kind with the provider's text.
pub fn read_json(answer: &Answer, method: &str, now_ms: u64) -> Result<Value, ProviderError> {
    let w = what(method, &answer.url);
    let provider = provider_message(&answer.body);
    match answer.status {
        200..=299 => {
            if answer.is_html() {
                return Err(ProviderError::Malformed {
                    detail: format!(
                        "{w} answered an HTML page instead of JSON (is the URL right, or a proxy in the way?)"
                    ),
                });
            }
            serde_json::from_str(&answer.body)
                .map_err(|e| ProviderError::Malformed { detail: format!("{w} answered malformed JSON ({e})") })
        }
        401 => Err(ProviderError::Auth { detail: format!("{w} answered 401"), provider }),
        403 if provider.contains("REQUEST_LIMIT_EXCEEDED") => {
            Err(ProviderError::RateLimited { detail: format!("{w} answered 403"), provider, retry_after_ms: None })
        }
        403 => Err(ProviderError::Forbidden { detail: format!("{w} answered 403"), provider }),
        429 | 503 => Err(ProviderError::RateLimited {
            detail: format!("{w} answered {}", answer.status),
            provider,
            retry_after_ms: answer
                .header("retry-after")
                .and_then(|v| sluice_contract::retry::retry_after_ms(v, answer.header("date"), now_ms)),
        }),
        500..=599 => Err(ProviderError::Server { detail: format!("{w} answered {}", answer.status), provider }),
        status => Err(ProviderError::Rejected { detail: format!("{w} answered {status}"), provider }),
    }
}

/// A malformed answer: the right JSON, the wrong shape.
pub fn shape(method: &str, url: &str, missing: &str) -> ProviderError {
    ProviderError::Malformed { detail: format!("{} answered JSON without {missing}", what(method, url)) }
}

/// One record a sync page brought.
pub struct Record {
    pub kind: &'static str,
    pub external_id: String,
    pub name: String,
    pub domain: Option<String>,
}

pub struct Page {
    pub records: Vec<Record>,
    /// Where the next page starts; `None` on the last.
    pub next: Option<String>,
}

#[async_trait::async_trait]
pub trait Connector: Send + Sync {
    fn provider(&self) -> Provider;

    /// A call that needs no credential, where the provider has one (Autotask's zone lookup).
    async fn reach(&self, _cx: &CallCx<'_>, _s: &mut Session) -> Option<Result<String, ProviderError>> {
        None
    }

    /// Proves the credential (a token grant, an authenticated cheap call). Answers what passed.
    async fn authenticate(&self, cx: &CallCx<'_>, s: &mut Session) -> Result<String, ProviderError>;

    /// Reads one record of what the syncs read.
    async fn read(&self, cx: &CallCx<'_>, s: &mut Session) -> Result<String, ProviderError>;

    /// The provider's own count against its limit, where it reports one.
    async fn usage(&self, cx: &CallCx<'_>, s: &mut Session) -> Result<Option<UsageMeter>, ProviderError>;

    /// One page of `sync` from `cursor` (`None`: the first page).
    async fn page(
        &self,
        cx: &CallCx<'_>,
        s: &mut Session,
        sync: &str,
        cursor: Option<String>,
    ) -> Result<Page, ProviderError>;
}

pub fn connector(provider: Provider) -> &'static dyn Connector {
    match provider {
        Provider::Autotask => &autotask::Autotask,
        Provider::Hubspot => &hubspot::Hubspot,
        Provider::Salesforce => &salesforce::Salesforce,
        Provider::Apollo => &apollo::Apollo,
    }
}

fn step(step: TestStepName, outcome: StepOutcome, detail: String, provider_error: Option<String>, ms: u64) -> TestStep {
    TestStep { step, outcome, detail, provider_error, duration_ms: ms }
}

/// Reach → authenticate → read; a failed step skips the ones after it.
pub async fn test(c: &dyn Connector, cx: &CallCx<'_>, s: &mut Session) -> (TestResult, Option<ProviderError>) {
    let tested_at = cx.state.now_ms();
    let mut steps = Vec::with_capacity(3);
    let skip = |steps: &mut Vec<TestStep>, from: usize| {
        for name in [TestStepName::Reach, TestStepName::Authenticate, TestStepName::Read].into_iter().skip(from) {
            steps.push(step(name, StepOutcome::Skipped, "Skipped: an earlier step failed.".into(), None, 0));
        }
    };
    let fail = |e: &ProviderError| (e.detail(), e.provider_text().map(str::to_string));
    let started = Instant::now();
    let reached = c.reach(cx, s).await;
    let reach_ms = started.elapsed().as_millis() as u64;
    if let Some(Err(e)) = &reached {
        let (detail, provider) = fail(e);
        steps.push(step(TestStepName::Reach, StepOutcome::Failed, detail, provider, reach_ms));
        skip(&mut steps, 1);
        return (TestResult { ok: false, steps, tested_at }, reached.and_then(Result::err));
    }
    let started = Instant::now();
    let auth = c.authenticate(cx, s).await;
    let auth_ms = started.elapsed().as_millis() as u64;
    let reach_detail = match reached {
        Some(Ok(detail)) => detail,
        _ => "The host answered.".to_string(),
    };
    match auth {
        Err(e) if e.is_transport() => {
            let (detail, provider) = fail(&e);
            steps.push(step(TestStepName::Reach, StepOutcome::Failed, detail, provider, auth_ms));
            skip(&mut steps, 1);
            return (TestResult { ok: false, steps, tested_at }, Some(e));
        }
        Err(e) => {
            steps.push(step(TestStepName::Reach, StepOutcome::Passed, reach_detail, None, reach_ms.max(1)));
            let (detail, provider) = fail(&e);
            steps.push(step(TestStepName::Authenticate, StepOutcome::Failed, detail, provider, auth_ms));
            skip(&mut steps, 2);
            return (TestResult { ok: false, steps, tested_at }, Some(e));
        }
        Ok(detail) => {
            steps.push(step(TestStepName::Reach, StepOutcome::Passed, reach_detail, None, reach_ms));
            steps.push(step(TestStepName::Authenticate, StepOutcome::Passed, detail, None, auth_ms));
        }
    }
    let started = Instant::now();
    let read = c.read(cx, s).await;
    let read_ms = started.elapsed().as_millis() as u64;
    match read {
        Ok(detail) => {
            steps.push(step(TestStepName::Read, StepOutcome::Passed, detail, None, read_ms));
            (TestResult { ok: true, steps, tested_at }, None)
        }
        Err(e) => {
            let (detail, provider) = fail(&e);
            steps.push(step(TestStepName::Read, StepOutcome::Failed, detail, provider, read_ms));
            (TestResult { ok: false, steps, tested_at }, Some(e))
        }
    }
}

/// Sends a built request through the one client and reads its JSON.
pub async fn call_json(cx: &CallCx<'_>, request: reqwest::RequestBuilder) -> Result<(Value, Answer), ProviderError> {
    let request = request
        .build()
        .map_err(|e| ProviderError::Transport(Transport::Unreachable(format!("the request is not valid: {e}"))))?;
    let method = request.method().to_string();
    let answer = crate::integrations::Integrations::of(cx.state).outbound.send(cx, request).await?;
    let json = read_json(&answer, &method, cx.state.now_ms())?;
    Ok((json, answer))
}

/// The one client's reqwest handle, to build requests with.
pub fn http<'a>(cx: &'a CallCx<'_>) -> &'a reqwest::Client {
    crate::integrations::Integrations::of(cx.state).outbound.http()
}

#[cfg(test)]
mod tests {
    use super::provider_message;

    #[test]
    fn each_dialect_s_error_text_comes_out_verbatim() {
        assert_eq!(
            provider_message(
                r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID","fields":[]}]"#
            ),
            "INVALID_SESSION_ID: Session expired or invalid"
        );
        assert_eq!(provider_message(r#"{"errors":["User authentication failed."]}"#), "User authentication failed.");
        assert_eq!(
            provider_message(r#"{"error":"invalid_grant","error_description":"expired access/refresh token"}"#),
            "invalid_grant: expired access/refresh token"
        );
        assert_eq!(provider_message(r#"{"error":"Invalid access credentials."}"#), "Invalid access credentials.");
        assert_eq!(
            provider_message(
                r#"{"status":"error","message":"The OAuth token used to make this call expired 0 day(s) ago.","category":"EXPIRED_AUTHENTICATION"}"#
            ),
            "EXPIRED_AUTHENTICATION: The OAuth token used to make this call expired 0 day(s) ago."
        );
        assert_eq!(provider_message("<html><body>Sign in</body></html>"), "(an HTML page)");
    }
}
