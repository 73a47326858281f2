//! Sign-in, sessions, API keys, tenant isolation, the error body and the OpenAPI document,
//! all over real HTTP against a real SQLite file.

mod common;

use common::{expect_error, TestServer, PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn sign_in_sets_a_strict_http_only_cookie_and_who_am_i_answers() {
    let server = TestServer::start().await;
    server.tenant("Acme", "admin@acme.test").await;
    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let res = client
        .post(server.url("/api/v1/session"))
        .json(&json!({"email": "ADMIN@acme.test", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(cookie.starts_with("sluice_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"), "{cookie}");
    let me: Value = client.get(server.url("/api/v1/session")).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["tenant"]["name"], "Acme");
    assert_eq!(me["user"]["email"], "admin@acme.test");

    // Sign-out invalidates the session on the server, not only in the browser.
    let token = cookie.split(';').next().unwrap().to_string();
    assert_eq!(client.delete(server.url("/api/v1/session")).send().await.unwrap().status(), 204);
    let replay =
        reqwest::Client::new().get(server.url("/api/v1/session")).header("cookie", token).send().await.unwrap();
    expect_error(replay, 401, "unauthenticated").await;
    server.stop().await;
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_generic_answer() {
    let server = TestServer::start().await;
    server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client("none");
    let client = reqwest::Client::new();
    for email in ["admin@acme.test", "nobody@acme.test"] {
        let res = client
            .post(server.url("/api/v1/session"))
            .json(&json!({"email": email, "password": "wrong password"}))
            .send()
            .await
            .unwrap();
        let body = expect_error(res, 401, "invalid_credentials").await;
        assert_eq!(body["error"]["message"], "Email or password is wrong.");
    }
    // Empty fields are named.
    let res =
        client.post(server.url("/api/v1/session")).json(&json!({"email": "", "password": ""})).send().await.unwrap();
    let body = expect_error(res, 400, "validation_failed").await;
    assert!(body["error"]["fields"]["email"].is_string() && body["error"]["fields"]["password"].is_string());
    drop(api);
    server.stop().await;
}

#[tokio::test]
async fn repeated_failures_from_one_address_lock_it_even_with_the_right_password() {
    let server = TestServer::start().await;
    server.tenant("Acme", "admin@acme.test").await;
    let client = reqwest::Client::new();
    let attempt = |password: &'static str| {
        client
            .post(server.url("/api/v1/session"))
            .json(&json!({"email": "admin@acme.test", "password": password}))
            .send()
    };
    for _ in 0..4 {
        expect_error(attempt("nope nope").await.unwrap(), 401, "invalid_credentials").await;
    }
    let locked = attempt("nope nope").await.unwrap();
    assert_eq!(locked.headers()["retry-after"], "30");
    expect_error(locked, 429, "too_many_attempts").await;
    expect_error(attempt(PASSWORD).await.unwrap(), 429, "too_many_attempts").await;
    // The lock lifts with time.
    server.clock.advance_ms(30_000);
    assert_eq!(attempt(PASSWORD).await.unwrap().status(), 200);
    server.stop().await;
}

#[tokio::test]
async fn api_keys_work_until_revoked_and_secrets_are_shown_once() {
    let server = TestServer::start().await;
    let acme = server.tenant("Acme", "admin@acme.test").await;
    let admin = server.session_client("admin@acme.test").await;
    let res = admin.post("/api/v1/api-keys", json!({"name": "nightly export"})).await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let secret = created["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("slk_"));
    let id = created["key"]["id"].as_str().unwrap().to_string();

    let program = server.key_client(&secret);
    let me = program.get_json("/api/v1/session").await;
    assert_eq!(me["tenant"]["id"], acme.tenant_id.as_str());

    let list = admin.get_json("/api/v1/api-keys").await;
    let text = list.to_string();
    assert!(!text.contains(&secret) && !text.contains("secret"), "a listing never carries secrets: {text}");
    assert_eq!(list["items"].as_array().unwrap().len(), 2, "provisioning key + the new one");

    let revoked = admin.delete(&format!("/api/v1/api-keys/{id}")).await;
    assert_eq!(revoked.status(), 200);
    assert!(revoked.json::<Value>().await.unwrap()["revokedAt"].is_string());
    expect_error(program.get("/api/v1/session").await, 401, "unauthenticated").await;
    server.stop().await;
}

#[tokio::test]
async fn another_tenants_key_answers_404() {
    let server = TestServer::start().await;
    let a = server.tenant("A", "a@a.test").await;
    let b = server.tenant("B", "b@b.test").await;
    let a_api = server.key_client(&a.api_key);
    let b_api = server.key_client(&b.api_key);
    let a_keys = a_api.get_json("/api/v1/api-keys").await;
    let a_key_id = a_keys["items"][0]["id"].as_str().unwrap().to_string();
    expect_error(b_api.delete(&format!("/api/v1/api-keys/{a_key_id}")).await, 404, "not_found").await;
    let b_keys = b_api.get_json("/api/v1/api-keys").await;
    assert!(!b_keys.to_string().contains(&a_key_id));
    // A's key still works.
    assert_eq!(a_api.get("/api/v1/session").await.status(), 200);
    server.stop().await;
}

#[tokio::test]
async fn every_error_path_answers_the_json_error_body() {
    let server = TestServer::start().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    expect_error(reqwest::get(server.url("/api/v1/api-keys")).await.unwrap(), 401, "unauthenticated").await;
    expect_error(api.get("/api/v1/no-such-thing").await, 404, "not_found").await;
    expect_error(api.get("/api/nothing-here").await, 404, "not_found").await;
    let malformed = api
        .request(Method::POST, "/api/v1/api-keys")
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    expect_error(malformed, 400, "malformed_json").await;
    let wrong_type = api
        .request(Method::POST, "/api/v1/api-keys")
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    expect_error(wrong_type, 415, "unsupported_media_type").await;
    let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(300 * 1024));
    let too_big = api
        .request(Method::POST, "/api/v1/api-keys")
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    expect_error(too_big, 413, "payload_too_large").await;
    let blank = expect_error(api.post("/api/v1/api-keys", json!({"name": "  "})).await, 400, "validation_failed").await;
    assert!(blank["error"]["fields"]["name"].as_str().unwrap().contains("name"));
    expect_error(api.get("/api/v1/api-keys?limit=0").await, 400, "validation_failed").await;
    expect_error(api.get("/api/v1/api-keys?cursor=garbage").await, 400, "validation_failed").await;
    let bad_key = server.key_client("slk_not_a_key");
    expect_error(bad_key.get("/api/v1/api-keys").await, 401, "unauthenticated").await;
    // Cross-origin changes with a session cookie are refused.
    let admin = server.session_client("admin@acme.test").await;
    let csrf = admin
        .request(Method::POST, "/api/v1/api-keys")
        .header("origin", "https://evil.example")
        .json(&json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    expect_error(csrf, 403, "forbidden").await;
    server.stop().await;
}

#[tokio::test]
async fn health_needs_no_auth_and_openapi_lists_every_route() {
    let server = TestServer::start().await;
    let health: Value = reqwest::get(server.url("/api/health")).await.unwrap().json().await.unwrap();
    assert_eq!(health["status"], "ok");
    let doc: Value = reqwest::get(server.url("/api/openapi.json")).await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/health", "get"),
        ("/api/openapi.json", "get"),
        ("/api/v1/session", "post"),
        ("/api/v1/session", "get"),
        ("/api/v1/session", "delete"),
        ("/api/v1/api-keys", "get"),
        ("/api/v1/api-keys", "post"),
        ("/api/v1/api-keys/{id}", "delete"),
        ("/api/v1/usage", "get"),
        ("/api/v1/usage/thresholds", "put"),
        ("/api/v1/issues", "get"),
        ("/api/v1/stream", "get"),
    ] {
        assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path} missing from OpenAPI");
    }
    server.stop().await;
}

#[tokio::test]
async fn the_cli_provisioning_path_creates_a_working_tenant() {
    let server = TestServer::start().await;
    let created = server.tenant("Ops", "ops@ops.test").await;
    assert!(created.api_key.starts_with("slk_"));
    // A short password is refused with the field named.
    let store = server.state.store.clone();
    let err = sluice_server::tenants::create(
        &store,
        &sluice_server::tenants::NewTenant {
            name: "X".into(),
            admin_email: "x@x.test".into(),
            admin_password: "short".into(),
        },
        0,
    )
    .unwrap_err();
    assert!(matches!(err, sluice_server::error::AppError::Validation(ref f) if f.get("password").is_some()));
    server.stop().await;
}
