//! The one outbound HTTP client for every provider call: reqwest through the SSRF guard
//! (`state.targets`), `contract::retry` for 429/503 (the provider's `Retry-After` is a floor,
//! never undercut), every attempt counted per integration and caller, and a provider 429
//! holding that integration's syncs back until the wait is over — never a retry storm.

use crate::state::AppState;
use sluice_contract::integrations::Provider;
use sluice_contract::retry::{is_retryable_status, retry_after_ms, RetryPolicy};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

/// Knobs tests and the benchmark turn (the shipped defaults suit real providers).
#[derive(Debug, Clone, Copy)]
pub struct OutboundSettings {
    /// One attempt's whole time, connect included.
    pub timeout: Duration,
    /// Retries of one call on 429/503.
    pub policy: RetryPolicy,
    /// A wait longer than this is not slept through inside a call: the call answers the 429
    /// and the integration's syncs are held back until the provider's time instead.
    pub max_inline_wait: Duration,
}

impl Default for OutboundSettings {
    fn default() -> Self {
        OutboundSettings {
            timeout: Duration::from_secs(20),
            policy: RetryPolicy { base_ms: 1_000, cap_ms: 30_000, max_retry_after_ms: 120_000, max_retries: 4 },
            max_inline_wait: Duration::from_secs(60),
        }
    }
}

pub struct Outbound {
    client: reqwest::Client,
    settings: RwLock<OutboundSettings>,
    /// (tenant, provider, hour, caller) → calls not yet written to the store.
    pending: Mutex<HashMap<(String, String, u64, String), u64>>,
}

/// Who is calling: the integration, and the caller its calls are counted under.
pub struct CallCx<'a> {
    pub state: &'a AppState,
    pub tenant: &'a str,
    pub provider: Provider,
    /// A sync id, `test` or `usage`.
    pub caller: &'a str,
    /// This run's (or test's) own count.
    pub calls: &'a AtomicU32,
    /// Set when the admin pauses the sync: no further call starts.
    pub cancel: Option<&'a AtomicBool>,
}

pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
    pub url: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn is_html(&self) -> bool {
        self.header("content-type").is_some_and(|c| c.contains("html")) || self.body.trim_start().starts_with('<')
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// DNS, TCP, TLS, or a refused address: nothing answered.
    Unreachable(String),
    TimedOut(Duration),
    /// The admin paused the sync.
    Cancelled,
}

impl std::fmt::Display for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transport::Unreachable(why) => write!(f, "could not reach the host: {why}"),
            Transport::TimedOut(after) => write!(f, "no answer within {} s", after.as_secs_f32()),
            Transport::Cancelled => write!(f, "stopped: the sync was paused"),
        }
    }
}

impl Outbound {
    pub fn new(targets: &crate::net_guard::TargetPolicy) -> Outbound {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(targets.resolver())
            .user_agent(concat!("Sluice-Integrations/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .build()
            .expect("the integrations HTTP client builds");
        Outbound { client, settings: RwLock::new(OutboundSettings::default()), pending: Mutex::new(HashMap::new()) }
    }

    pub fn settings(&self) -> OutboundSettings {
        *self.settings.read().unwrap_or_else(|p| p.into_inner())
    }

    pub fn configure(&self, settings: OutboundSettings) {
        *self.settings.write().unwrap_or_else(|p| p.into_inner()) = settings;
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.client
    }

    fn count(&self, cx: &CallCx<'_>) {
        cx.calls.fetch_add(1, Ordering::SeqCst);
        let hour = cx.state.now_ms() / 3_600_000;
        let key = (cx.tenant.to_string(), cx.provider.as_str().to_string(), hour, cx.caller.to_string());
        *self.pending.lock().unwrap_or_else(|p| p.into_inner()).entry(key).or_default() += 1;
    }

    /// Writes the counted calls to their hour buckets.
    pub async fn flush(&self, state: &AppState) {
        let batch: Vec<(String, String, u64, String, u64)> = {
            let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            pending.drain().map(|((t, p, h, c), n)| (t, p, h, c, n)).collect()
        };
        if batch.is_empty() {
            return;
        }
        if let Err(e) = state.store.call(move |c| crate::store::integrations::add_calls(c, &batch)).await {
            tracing::warn!(error = %e, "could not record integration calls");
        }
    }

    /// Sends `request`, retrying 429/503 by the policy within `max_inline_wait`. Any answer
    /// (2xx or not) is `Ok`; the connector reads the provider's words from it.
    pub async fn send(&self, cx: &CallCx<'_>, request: reqwest::Request) -> Result<Answer, Transport> {
        let settings = self.settings();
        let mut retry = 0;
        loop {
            if cx.cancel.is_some_and(|c| c.load(Ordering::SeqCst)) {
                return Err(Transport::Cancelled);
            }
            cx.state.targets.check_literal(request.url()).map_err(Transport::Unreachable)?;
            let attempt =
                request.try_clone().ok_or_else(|| Transport::Unreachable("the request cannot be repeated".into()))?;
            self.count(cx);
            let answer = self.attempt(attempt, settings.timeout).await?;
            if !is_retryable_status(answer.status) {
                return Ok(answer);
            }
            let floor = match answer
                .header("retry-after")
                .and_then(|v| retry_after_ms(v, answer.header("date"), cx.state.now_ms()))
            {
                Some(ms) => Some(ms),
                None => daily_limit_wait(cx, &answer).await,
            };
            retry += 1;
            // The provider's wait is a floor: backoff never shortens it.
            let backoff = settings.policy.backoff(retry, rand::random::<f64>());
            let wait = floor.filter(|f| *f > 0).unwrap_or(backoff);
            if answer.status == 429 {
                hold_back(cx, wait).await;
            }
            if retry > settings.policy.max_retries || wait > settings.max_inline_wait.as_millis() as u64 {
                return Ok(answer);
            }
            let until = Instant::now() + Duration::from_millis(wait);
            while Instant::now() < until {
                if cx.cancel.is_some_and(|c| c.load(Ordering::SeqCst)) {
                    return Err(Transport::Cancelled);
                }
                tokio::time::sleep(until.saturating_duration_since(Instant::now()).min(Duration::from_millis(100)))
                    .await;
            }
        }
    }

    async fn attempt(&self, request: reqwest::Request, timeout: Duration) -> Result<Answer, Transport> {
        let url = request.url().to_string();
        let sent = tokio::time::timeout(timeout, async {
            let response = self.client.execute(request).await?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response.text().await?;
            Ok::<_, reqwest::Error>(Answer { status, headers, body, url: url.clone() })
        })
        .await;
        match sent {
            Err(_) => Err(Transport::TimedOut(timeout)),
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(e)) if e.is_timeout() => Err(Transport::TimedOut(timeout)),
            Ok(Err(e)) => Err(Transport::Unreachable(error_chain(&e))),
        }
    }
}

/// reqwest's error with its causes ("error sending request: ... Connection refused").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

/// HubSpot's daily limit sends no `Retry-After`: its count resets at midnight in the account's
/// zone, which its usage endpoint reports (`resetsAt`, kept with the last meter). Before the
/// first reading, UTC midnight is the first moment it may have reset.
async fn daily_limit_wait(cx: &CallCx<'_>, answer: &Answer) -> Option<u64> {
    const DAY_MS: u64 = 86_400_000;
    if !(answer.status == 429 && answer.body.contains("\"policyName\":\"DAILY\"")) {
        return None;
    }
    let now = cx.state.now_ms();
    let (tenant, provider) = (cx.tenant.to_string(), cx.provider.as_str());
    let row = cx.state.store.call(move |c| crate::store::integrations::get(c, &tenant, provider)).await;
    let reported = row
        .ok()
        .flatten()
        .and_then(|r| r.usage)
        .and_then(|u| serde_json::from_str::<sluice_contract::integrations::UsageMeter>(&u).ok())
        .and_then(|m| m.resets_at)
        .filter(|at| *at > now && *at <= now + DAY_MS);
    Some(reported.unwrap_or((now / DAY_MS + 1) * DAY_MS) - now)
}

/// A provider 429 holds the whole integration's syncs back until the provider's time.
async fn hold_back(cx: &CallCx<'_>, wait_ms: u64) {
    let until = cx.state.now_ms() + wait_ms.max(1_000);
    let (tenant, provider) = (cx.tenant.to_string(), cx.provider.as_str());
    let stored =
        cx.state.store.call(move |c| crate::store::integrations::set_paused_until(c, &tenant, provider, until)).await;
    if let Err(e) = stored {
        tracing::warn!(error = %e, "could not hold an integration's syncs back");
    }
}
