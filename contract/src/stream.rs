//! `GET /api/v1/stream`: the topics a console can follow. Each is the SSE `event:` name of the
//! notices it carries, so the server forwards by topic and the console listens by topic.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// Issue counts (`IssueCounts`), whenever an issue opens, changes or resolves.
    Issues,
    /// `{"deliveryIds", "endpointIds"}` whenever deliveries are created or attempted.
    Webhooks,
    /// A sync run's progress (`RunProgress`).
    Distributors,
    /// An integration's status, usage, credential or runs changed (`{"provider"}`).
    Integrations,
}

impl Topic {
    pub const ALL: [Topic; 4] = [Topic::Issues, Topic::Webhooks, Topic::Distributors, Topic::Integrations];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Issues => "issues",
            Topic::Webhooks => "webhooks",
            Topic::Distributors => "distributors",
            Topic::Integrations => "integrations",
        }
    }

    pub fn parse(s: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// The query parameter: comma-separated topic names.
pub const TOPICS_PARAM: &str = "topics";

/// Topics from `issues,webhooks`; the first unknown name is the error.
pub fn parse_topics(list: &str) -> Result<Vec<Topic>, String> {
    let mut topics = Vec::new();
    for name in list.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let topic = Topic::parse(name).ok_or_else(|| name.to_string())?;
        if !topics.contains(&topic) {
            topics.push(topic);
        }
    }
    Ok(topics)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_parse_by_name_once_each_and_name_the_unknown_one() {
        assert_eq!(parse_topics("issues, webhooks,issues"), Ok(vec![Topic::Issues, Topic::Webhooks]));
        assert_eq!(parse_topics("issues,nope"), Err("nope".to_string()));
        for t in Topic::ALL {
            assert_eq!(Topic::parse(t.as_str()), Some(t));
        }
    }
}
