//! One HTTP attempt: the exact body, the Standard Webhooks headers, the receiver's answer (its
//! status, headers, `Retry-After` and the first 4 KiB of its body), or the failure in words.

use super::MAX_RESPONSE_BYTES;
use crate::clock::rfc3339;
use crate::state::AppState;
use crate::store::webhooks::queue::Claimed;
use serde::Serialize;
use sluice_contract::webhooks::CustomHeader;
use std::time::Duration;

/// The body every receiver gets, in the order DESIGN.md gives.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Payload<'a> {
    event_id: &'a str,
    #[serde(rename = "type")]
    event_type: &'a str,
    occurred_at: String,
    tenant_id: &'a str,
    data: serde_json::Value,
}

/// The exact JSON body of a delivery (also shown in the log).
pub fn payload(c: &Claimed) -> Vec<u8> {
    let data = c.data.as_deref().and_then(|d| serde_json::from_str(d).ok()).unwrap_or(serde_json::Value::Null);
    let p = Payload {
        event_id: &c.event_id,
        event_type: &c.event_type,
        occurred_at: rfc3339(c.occurred_at),
        tenant_id: &c.tenant_id,
        data,
    };
    serde_json::to_vec(&p).unwrap_or_default()
}

pub(super) struct Answer {
    pub status: u16,
    pub headers: Vec<CustomHeader>,
    pub body: Option<String>,
    pub retry_after_ms: Option<u64>,
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn send(
    state: &AppState,
    url: &str,
    msg_id: &str,
    timestamp: u64,
    signature: &str,
    custom: &[CustomHeader],
    body: Vec<u8>,
    timeout: Duration,
) -> Result<Answer, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("the URL is not valid: {e}"))?;
    state.targets.check_literal(&parsed)?;
    let mut request = super::Webhooks::of(state)
        .client()
        .post(parsed)
        .timeout(timeout)
        .header("content-type", "application/json")
        .header("webhook-id", msg_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature);
    for h in custom {
        request = request.header(h.name.as_str(), h.value.as_str());
    }
    let exchange = async {
        let mut response = request.body(body).send().await?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .take(50)
            .map(|(k, v)| CustomHeader {
                name: k.to_string(),
                value: String::from_utf8_lossy(v.as_bytes()).into_owned(),
            })
            .collect();
        let retry_after_ms = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| sluice_contract::retry::parse_retry_after(v, state.now_ms()));
        let mut kept = Vec::new();
        while kept.len() < MAX_RESPONSE_BYTES {
            match response.chunk().await? {
                Some(chunk) => kept.extend_from_slice(&chunk[..chunk.len().min(MAX_RESPONSE_BYTES - kept.len())]),
                None => break,
            }
        }
        let body = (!kept.is_empty()).then(|| String::from_utf8_lossy(&kept).into_owned());
        Ok::<_, reqwest::Error>(Answer { status, headers, body, retry_after_ms })
    };
    match tokio::time::timeout(timeout, exchange).await {
        Err(_) => Err(format!("timed out after {} s", timeout.as_secs())),
        Ok(Err(e)) => Err(describe_error(&e, timeout)),
        Ok(Ok(answer)) => Ok(answer),
    }
}

pub(super) fn describe_status(status: u16) -> String {
    let reason = reqwest::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("");
    match status {
        300..=399 => format!("HTTP {status} {reason}: redirects are not followed; use the final URL"),
        _ => format!("HTTP {status} {reason}").trim_end().to_string(),
    }
}

/// A network failure in the words an admin searches for.
fn describe_error(e: &reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        return format!("timed out after {} s", timeout.as_secs());
    }
    let mut source: Option<&dyn std::error::Error> = Some(e);
    let mut chain = Vec::new();
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return "connection refused".into(),
                std::io::ErrorKind::ConnectionReset => return "connection reset by the receiver".into(),
                std::io::ErrorKind::PermissionDenied => return io.to_string(),
                _ => {}
            }
        }
        chain.push(s.to_string());
        source = s.source();
    }
    let all = chain.join(": ");
    if all.contains("refused address") {
        return chain.into_iter().find(|c| c.contains("refused address")).unwrap_or(all);
    }
    if all.contains("certificate") {
        return format!("TLS certificate not trusted ({})", chain.last().cloned().unwrap_or_default());
    }
    if all.contains("dns error") || all.contains("failed to lookup") {
        return "the host name could not be resolved".into();
    }
    chain.last().cloned().unwrap_or(all)
}
