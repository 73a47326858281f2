//! Raising and clearing issues the way the areas do, for the issue tests.

use super::TestServer;
use serde_json::Value;
use sluice_contract::issues::{EntityRef, IntegrationIssue, IssueKind, Severity};
use sluice_server::issues::{self, Key, Report, Resolution};

pub fn report(kind: impl Into<IssueKind>, entity: &str, severity: Severity, title: &str, message: &str) -> Report {
    let kind = kind.into();
    Report {
        kind,
        entity: EntityRef {
            kind: "integration".into(),
            id: entity.to_lowercase(),
            name: entity.into(),
            link: format!("/{}", kind.area().as_str()),
        },
        severity,
        title: title.into(),
        message: message.into(),
    }
}

pub fn autotask(message: &str) -> Report {
    report(IntegrationIssue::AuthFailed, "Autotask", Severity::Error, "Autotask authentication error", message)
}

pub async fn raise(server: &TestServer, tenant: &str, r: Report) -> String {
    issues::lifecycle::raise_issue(&server.state, tenant, r).await.expect("raise").id
}

pub async fn clear_autotask(server: &TestServer, tenant: &str, what: &str) {
    let key = Key::new(IntegrationIssue::AuthFailed, "autotask");
    issues::clear(&server.state, tenant, key, Resolution::automatic(what)).await.expect("clear");
}

pub fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
}
