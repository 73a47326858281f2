//! Walks the OpenAPI document against the running server: every status a route answers is
//! listed, values the document calls valid are accepted, and methods a path does not have
//! answer 405 with `Allow`.

mod common;

use common::TestServer;
use reqwest::Method;
use serde_json::Value;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Values the parameter's schema accepts, at its edges.
fn valid_values(schema: &Value) -> Vec<String> {
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if let Some(values) = schema["enum"].as_array() {
        return values.iter().filter_map(Value::as_str).map(String::from).collect();
    }
    if types.contains(&"integer") {
        let min = schema["minimum"].as_i64().unwrap_or(0);
        return [Some(min), schema["maximum"].as_i64()].into_iter().flatten().map(|n| n.to_string()).collect();
    }
    if types.contains(&"string") && schema["pattern"].is_null() {
        let min = schema["minLength"].as_u64().unwrap_or(0) as usize;
        let mut values = vec!["x".repeat(min)];
        if let Some(max) = schema["maxLength"].as_u64() {
            values.push("x".repeat(max as usize));
        }
        return values;
    }
    vec![]
}

#[tokio::test]
async fn every_route_answers_only_what_the_document_says() {
    let server = TestServer::start().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let doc: Value = reqwest::get(server.url("/api/openapi.json")).await.unwrap().json().await.unwrap();
    let client = reqwest::Client::new();
    let mut mismatches = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap().iter().filter(|(p, _)| p.starts_with("/api/v1/")) {
        let concrete: String =
            path.split('/').map(|s| if s.starts_with('{') { "no_such_id" } else { s }).collect::<Vec<_>>().join("/");
        let url = server.url(&concrete);
        let documented: Vec<&str> = METHODS.iter().copied().filter(|m| item.get(*m).is_some()).collect();
        for method in &documented {
            let op = &item[*method];
            // 0 stands for "refused a value the document allows", which nothing lists.
            let listed = |status: u16| status != 0 && op["responses"].get(status.to_string()).is_some();
            let verb = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let has_body = !op["requestBody"].is_null();
            let mut check = |what: &str, status: u16| {
                if !listed(status) {
                    mismatches.push(format!("{method} {path} ({what}) answered {status}, not in the document"));
                }
            };

            let mut anonymous = client.request(verb.clone(), &url);
            if has_body {
                anonymous = anonymous.json(&serde_json::json!({}));
            }
            check("no credentials", anonymous.send().await.unwrap().status().as_u16());

            if has_body {
                let res = client
                    .request(verb.clone(), &url)
                    .bearer_auth(&t.api_key)
                    .header("content-type", "text/plain")
                    .body("{}")
                    .send()
                    .await
                    .unwrap();
                check("text body", res.status().as_u16());
            }

            let query_params: Vec<&Value> =
                op["parameters"].as_array().into_iter().flatten().filter(|p| p["in"] == "query").collect();
            // Required parameters carry a valid value while another one is being tried.
            let required: Vec<(String, String)> = query_params
                .iter()
                .filter(|p| p["required"] == true)
                .map(|p| {
                    let value =
                        valid_values(&p["schema"]).pop().filter(|v| !v.is_empty()).unwrap_or_else(|| "x".into());
                    (p["name"].as_str().unwrap().to_string(), value)
                })
                .collect();
            for param in &query_params {
                let name = param["name"].as_str().unwrap();
                for value in valid_values(&param["schema"]) {
                    let mut query: Vec<(String, String)> =
                        required.iter().filter(|(n, _)| n != name).cloned().collect();
                    query.push((name.to_string(), value.clone()));
                    let mut req = client.request(verb.clone(), &url).query(&query).bearer_auth(&t.api_key);
                    if has_body {
                        req = req.json(&serde_json::json!({}));
                    }
                    let status = req.send().await.unwrap().status().as_u16();
                    // A value the document allows must not be refused as invalid (with an empty
                    // body, a 400 may be the body's, so only body-less routes are judged on it).
                    check(&format!("{name}={value:?}"), if status == 400 && !has_body { 0 } else { status });
                }
            }
        }

        let trace = client.request(Method::TRACE, &url).bearer_auth(&t.api_key).send().await.unwrap();
        let allow = trace.headers().get("allow").and_then(|v| v.to_str().ok()).unwrap_or("").to_uppercase();
        if trace.status() != 405 || documented.iter().any(|m| !allow.contains(&m.to_uppercase())) {
            mismatches
                .push(format!("TRACE {path}: {} with Allow {allow:?}, documented {documented:?}", trace.status()));
        }
    }
    assert!(mismatches.is_empty(), "{} mismatches:\n{}", mismatches.len(), mismatches.join("\n"));
    server.stop().await;
}
