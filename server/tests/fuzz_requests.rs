//! Property test over the whole API: arbitrary JSON bodies (wrong types, unknown fields, huge
//! numbers, control characters), arbitrary query strings and path ids, sent to every route the
//! OpenAPI document lists. The server never fails (5xx) and every refusal is the JSON error body.

mod common;

use common::TestServer;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use reqwest::Method;
use serde_json::Value;

const FIELDS: [&str; 14] = [
    "name",
    "email",
    "password",
    "action",
    "ids",
    "warningPercent",
    "errorPercent",
    "type",
    "data",
    "eventId",
    "url",
    "description",
    "enabled",
    "limit",
];
const QUERY_KEYS: [&str; 8] = ["limit", "cursor", "status", "area", "severity", "q", "range", "ids"];

fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\\x00-\\x1f\\x7f]{0,8}".prop_map(String::from),
        Just("1e999999".to_string()),
        Just("-340282366920938463463374607431768211456".to_string()),
        Just("x".repeat(5000)),
        Just("\"'\\;--/*".to_string()),
        Just("NEAR(\"a\" b) OR *".to_string()),
    ]
}

/// Query values: numbers around every limit, and hostile text.
fn query_value() -> impl Strategy<Value = String> {
    prop_oneof![(0u32..400).prop_map(|n| n.to_string()), any::<i64>().prop_map(|n| n.to_string()), hostile_text()]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        hostile_text().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(FIELDS.to_vec()).prop_map(String::from), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

#[derive(Debug, Clone)]
struct Probe {
    route: usize,
    id: String,
    query: Vec<(String, String)>,
    body: Option<String>,
    signed: bool,
}

fn probe(routes: usize) -> impl Strategy<Value = Probe> {
    let key = prop_oneof![prop::sample::select(QUERY_KEYS.to_vec()).prop_map(String::from), any::<String>()];
    let body = prop_oneof![
        json_value().prop_map(|v| Some(v.to_string())),
        hostile_text().prop_map(Some),
        Just(Some("{\"name\": 1e999999}".to_string())),
        Just(None),
    ];
    (0..routes, hostile_text(), prop::collection::vec((key, query_value()), 0..4), body, any::<bool>())
        .prop_map(|(route, id, query, body, signed)| Probe { route, id, query, body, signed })
}

#[test]
fn no_request_makes_the_server_fail_or_answer_without_the_error_body() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let (server, key) = rt.block_on(async {
        let server = TestServer::with_limit(1_000_000, 600).await;
        let key = server.tenant("Acme", "admin@acme.test").await.api_key;
        (server, key)
    });
    let doc: Value =
        rt.block_on(async { reqwest::get(server.url("/api/openapi.json")).await.unwrap().json().await.unwrap() });
    // The event stream never ends by design; everything else is walked.
    let routes: Vec<(String, Method)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(path, _)| path.starts_with("/api/v1/") && !path.ends_with("/stream"))
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter_map(|m| Method::from_bytes(m.to_uppercase().as_bytes()).ok())
                .map(move |m| (path.clone(), m))
        })
        .collect();
    let client = reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build().unwrap();
    let mut runner = TestRunner::new(Config { cases: 1500, failure_persistence: None, ..Config::default() });
    let result = runner.run(&probe(routes.len()), |p| {
        let (path, method) = &routes[p.route];
        let id: String = p.id.bytes().map(|b| format!("%{b:02X}")).collect();
        let path =
            path.split('/').map(|s| if s.starts_with('{') { id.as_str() } else { s }).collect::<Vec<_>>().join("/");
        let mut req = client.request(method.clone(), server.url(&path)).query(&p.query);
        if p.signed {
            req = req.bearer_auth(&key);
        }
        if let Some(body) = &p.body {
            req = req.header("content-type", "application/json").body(body.clone());
        }
        let (status, content_type, body) = rt.block_on(async {
            let res = req.send().await.expect("the server answers");
            let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            (res.status().as_u16(), ct, res.text().await.unwrap_or_default())
        });
        prop_assert!(status < 500, "{method} {path} {p:?} -> {status}: {body}");
        if status >= 400 {
            prop_assert!(content_type.starts_with("application/json"), "{method} {path} -> {status} as {content_type}");
            let parsed: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            prop_assert!(parsed["error"]["code"].is_string(), "{method} {path} -> {status}: {body}");
        }
        Ok(())
    });
    rt.block_on(server.stop());
    result.unwrap();
}
