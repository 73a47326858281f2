//! Raising and clearing issues the way the areas do, for the issue tests.

use super::TestServer;
use serde_json::Value;
use sluice_contract::issues::{Area, EntityRef, Severity};
use sluice_server::issues::{self, Report};

pub fn report(area: Area, entity: &str, kind: &str, severity: Severity, title: &str, message: &str) -> Report {
    Report {
        area,
        kind: kind.into(),
        entity: EntityRef {
            kind: "integration".into(),
            id: entity.to_lowercase(),
            name: entity.into(),
            link: format!("/{}", area.as_str()),
        },
        severity,
        title: title.into(),
        message: message.into(),
    }
}

pub fn autotask(message: &str) -> Report {
    report(Area::Integrations, "Autotask", "auth_failed", Severity::Error, "Autotask authentication error", message)
}

pub async fn raise(server: &TestServer, tenant: &str, r: Report) -> String {
    issues::lifecycle::raise_issue(&server.state, tenant, r).await.expect("raise").id
}

pub async fn clear_autotask(server: &TestServer, tenant: &str, what: &str) {
    issues::clear(&server.state, tenant, Area::Integrations, "autotask", "auth_failed", what).await.expect("clear");
}

pub fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
}
