//! Sign-in under attack: parallel guesses, lock-out attempts, proxies, floods, cookies.

mod common;

use common::{expect_error, TestServer, PASSWORD};
use serde_json::{json, Value};
use std::net::IpAddr;

const ADMIN: &str = "admin@acme.test";

/// A client whose requests come from `from` (any 127.x address reaches the server on loopback).
fn client_from(from: &str) -> reqwest::Client {
    reqwest::Client::builder().local_address(from.parse::<IpAddr>().unwrap()).build().unwrap()
}

async fn sign_in(
    server: &TestServer,
    client: &reqwest::Client,
    password: &str,
    forwarded: Option<&str>,
) -> reqwest::Response {
    let mut req = client.post(server.url("/api/v1/session")).json(&json!({"email": ADMIN, "password": password}));
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn parallel_guesses_cannot_all_pass_the_limit() {
    let server = TestServer::start().await;
    server.tenant("Acme", ADMIN).await;
    let client = reqwest::Client::new();
    let guess = |password: String| {
        let (client, url) = (client.clone(), server.url("/api/v1/session"));
        tokio::spawn(async move {
            let body = json!({"email": ADMIN, "password": password});
            client.post(url).json(&body).send().await.unwrap().status().as_u16()
        })
    };
    let wrong: Vec<_> = (0..20).map(|i| guess(format!("guess number {i}"))).collect();
    // The burst is in; none of its passwords has been checked yet (argon2 takes a while each).
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    let right = guess(PASSWORD.to_string()).await.unwrap();
    let statuses: Vec<u16> = futures::future::join_all(wrong).await.into_iter().map(Result::unwrap).collect();
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(checked + refused, 20, "{statuses:?}");
    assert!(checked <= 5, "{checked} of 20 parallel guesses were checked: {statuses:?}");
    assert_eq!(right, 429, "a guess beyond the limit is refused even when it is right");
    server.stop().await;
}

#[tokio::test]
async fn wrong_guesses_from_elsewhere_never_lock_the_admin_out_and_failures_drain() {
    let server = TestServer::start().await;
    server.tenant("Acme", ADMIN).await;
    let attacker = client_from("127.0.0.2");
    let mut refused = 0;
    for i in 0..12 {
        let status = sign_in(&server, &attacker, &format!("wrong {i}"), None).await.status();
        refused += usize::from(status == 429);
    }
    assert!(refused >= 7, "the attacker's address is throttled");
    // The right password from an address that has not been failing goes straight in.
    let admin = client_from("127.0.0.3");
    assert_eq!(sign_in(&server, &admin, PASSWORD, None).await.status(), 200);
    // Failures drain: a quarter of an hour later one more wrong guess is just wrong, and the
    // address is not locked again by it.
    server.clock.advance_ms(15 * 60_000);
    expect_error(sign_in(&server, &attacker, "wrong again", None).await, 401, "invalid_credentials").await;
    assert_eq!(sign_in(&server, &attacker, PASSWORD, None).await.status(), 200);
    server.stop().await;
}

#[tokio::test]
async fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
    let server = TestServer::start_configured(Default::default(), |args| {
        args.trusted_proxy = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    server.tenant("Acme", ADMIN).await;
    let proxy = reqwest::Client::new();
    for i in 0..5 {
        sign_in(&server, &proxy, &format!("wrong {i}"), Some("198.51.100.7")).await;
    }
    let locked = sign_in(&server, &proxy, PASSWORD, Some("198.51.100.7")).await;
    expect_error(locked, 429, "too_many_attempts").await;
    // Another user behind the same proxy is another address.
    assert_eq!(sign_in(&server, &proxy, PASSWORD, Some("203.0.113.9")).await.status(), 200);
    // From a peer that is not the proxy the header is the client's own claim, and ignored.
    let direct = client_from("127.0.0.2");
    for i in 0..5 {
        sign_in(&server, &direct, &format!("wrong {i}"), Some(&format!("192.0.2.{i}"))).await;
    }
    expect_error(sign_in(&server, &direct, PASSWORD, Some("192.0.2.99")).await, 429, "too_many_attempts").await;
    server.stop().await;
}

#[tokio::test]
async fn overlong_fields_are_refused_before_any_work() {
    let server = TestServer::start().await;
    let client = reqwest::Client::new();
    let email = format!("{}@example.com", "a".repeat(300));
    let res = client.post(server.url("/api/v1/session")).json(&json!({"email": email, "password": "x"})).send().await;
    let body = expect_error(res.unwrap(), 400, "validation_failed").await;
    assert!(body["error"]["fields"]["email"].as_str().unwrap().contains("254"), "{body}");
    server.stop().await;
}

#[tokio::test]
async fn sign_in_rotates_the_session_id() {
    let server = TestServer::start().await;
    server.tenant("Acme", ADMIN).await;
    let client = reqwest::Client::new();
    let cookie_of = |res: &reqwest::Response| {
        let set = res.headers()["set-cookie"].to_str().unwrap();
        set.split(';').next().unwrap().to_string()
    };
    let first = sign_in(&server, &client, PASSWORD, None).await;
    let old = cookie_of(&first);
    let who = |cookie: String| client.get(server.url("/api/v1/session")).header("cookie", cookie).send();
    assert_eq!(who(old.clone()).await.unwrap().status(), 200);
    // Signing in again from a browser that holds a session replaces it.
    let again = client
        .post(server.url("/api/v1/session"))
        .header("cookie", old.clone())
        .json(&json!({"email": ADMIN, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let new = cookie_of(&again);
    assert_ne!(new, old);
    assert_eq!(who(new).await.unwrap().status(), 200);
    expect_error(who(old).await.unwrap(), 401, "unauthenticated").await;
    server.stop().await;
}

#[tokio::test]
async fn over_https_the_cookie_is_secure_with_the_host_prefix() {
    let server = TestServer::start_configured(Default::default(), |args| {
        args.public_url = Some("https://console.example.com".into());
    })
    .await;
    server.tenant("Acme", ADMIN).await;
    let client = reqwest::Client::new();
    let res = sign_in(&server, &client, PASSWORD, None).await;
    let set = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(set.starts_with("__Host-sluice_session="), "{set}");
    assert!(set.contains("; Secure") && set.contains("Path=/") && !set.contains("Domain"), "{set}");
    let me = client
        .get(server.url("/api/v1/session"))
        .header("cookie", set.split(';').next().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(me.json::<Value>().await.unwrap()["user"]["email"], ADMIN);
    server.stop().await;

    // Behind a trusted proxy that says the user came over HTTPS; never on a stranger's word.
    let server = TestServer::start_configured(Default::default(), |args| {
        args.trusted_proxy = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    server.tenant("Acme", ADMIN).await;
    let https = |client: reqwest::Client| {
        let url = server.url("/api/v1/session");
        async move {
            let res = client
                .post(url)
                .header("x-forwarded-proto", "https")
                .json(&json!({"email": ADMIN, "password": PASSWORD}))
                .send()
                .await
                .unwrap();
            res.headers()["set-cookie"].to_str().unwrap().to_string()
        }
    };
    assert!(https(reqwest::Client::new()).await.contains("; Secure"));
    assert!(!https(client_from("127.0.0.2")).await.contains("Secure"));
    server.stop().await;
}

#[tokio::test]
async fn a_flood_without_valid_credentials_is_refused_per_address_before_lookups() {
    let server = TestServer::start().await;
    let t = server.tenant("Acme", ADMIN).await;
    let flooder = client_from("127.0.0.2");
    let mut first_refusal = None;
    for i in 0..400 {
        let res = flooder.get(server.url("/api/v1/issues")).bearer_auth(format!("slk_guess{i}")).send().await.unwrap();
        if res.status() == 429 {
            assert!(res.headers().contains_key("retry-after"));
            first_refusal = Some(i);
            expect_error(res, 429, "rate_limited").await;
            break;
        }
        assert_eq!(res.status(), 401);
    }
    let first_refusal = first_refusal.expect("400 bad keys from one address were never refused");
    assert_eq!(first_refusal, sluice_server::preauth::BURST as usize, "refused once the burst was spent");
    // Other addresses, and valid callers, are not affected.
    let other = client_from("127.0.0.3");
    let res = other.get(server.url("/api/v1/issues")).bearer_auth(&t.api_key).send().await.unwrap();
    assert_eq!(res.status(), 200);
    server.stop().await;
}
