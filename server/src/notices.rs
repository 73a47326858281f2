//! The notice bus: small "something changed" messages that open consoles learn of through
//! `GET /api/v1/stream`. Each carries its topic, its tenant and the ids a page needs to refetch
//! just what it shows; the stream forwards by topic and tenant without knowing the areas.

use serde::Serialize;
use sluice_contract::stream::Topic;

#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub topic: Topic,
    pub tenant_id: String,
    /// The SSE event's data: the topic's payload (ids, counts, progress).
    pub data: serde_json::Value,
}

impl Notice {
    pub fn new(topic: Topic, tenant_id: &str, data: &impl Serialize) -> Notice {
        Notice { topic, tenant_id: tenant_id.to_string(), data: serde_json::to_value(data).unwrap_or_default() }
    }
}
