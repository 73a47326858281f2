//! Console sessions spend their own rolling window (`--console-rate-limit`), API keys the tenant's
//! Public API window: a runaway API key never locks the admin out of the console.

mod common;

use common::{expect_error, Options, TestServer};
use sluice_server::config::RateLimitSpec;

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers().get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_else(|| panic!("no {name} header"))
}

async fn server(public_api: (u64, u64), console: (u64, u64)) -> TestServer {
    TestServer::start_with(Options {
        rate_limit: RateLimitSpec { count: public_api.0, window_secs: public_api.1 },
        console_rate_limit: Some(RateLimitSpec { count: console.0, window_secs: console.1 }),
        ..Default::default()
    })
    .await
}

#[tokio::test]
async fn an_api_key_exhausting_the_tenant_window_does_not_refuse_the_console() {
    let server = server((5, 600), (300, 60)).await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let key = server.key_client(&t.api_key);
    let console = server.session_client("admin@acme.test").await;
    for _ in 0..5 {
        assert_eq!(key.get("/api/v1/api-keys").await.status(), 200);
    }
    expect_error(key.get("/api/v1/api-keys").await, 429, "rate_limited").await;

    for i in 0..20 {
        let res = console.get("/api/v1/issues").await;
        assert_eq!(res.status(), 200, "console request {i} while the Public API window is closed");
        // The headers describe the window the caller spends: the session's own.
        assert_eq!(header(&res, "x-ratelimit-limit"), "300");
        assert_eq!(header(&res, "x-ratelimit-remaining"), (299 - i).to_string());
    }
    // The key's window is still closed, and the console did not spend it.
    let refused = key.get("/api/v1/api-keys").await;
    assert_eq!(header(&refused, "x-ratelimit-limit"), "5");
    expect_error(refused, 429, "rate_limited").await;

    // The usage report shows API-key use against the tenant limit, and console use apart.
    let report = console.get_json("/api/v1/usage?range=1h").await;
    assert_eq!(report["window"]["limit"], 5);
    assert_eq!(report["window"]["used"], 5, "only API-key requests count against the tenant: {report}");
    assert_eq!(report["totalRequests"], 7);
    assert_eq!(report["totalRejected"], 2);
    assert_eq!(report["totalConsoleRequests"], 21, "20 page loads and the report's own");
    assert_eq!(report["consoleWindow"]["limit"], 300);
    assert_eq!(report["consoleWindow"]["windowSecs"], 60);
    assert_eq!(report["consoleWindow"]["used"], 21);
    server.stop().await;
}

#[tokio::test]
async fn a_sessions_own_window_refuses_it_and_no_one_else() {
    let server = server((500, 600), (3, 30)).await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let first = server.session_client("admin@acme.test").await;
    for _ in 0..3 {
        assert_eq!(first.get("/api/v1/issues").await.status(), 200);
    }
    server.clock.advance_ms(10_000);
    let refused = first.get("/api/v1/issues").await;
    assert_eq!(header(&refused, "retry-after"), "20", "the oldest request leaves 20 s from now");
    assert_eq!(header(&refused, "x-ratelimit-limit"), "3");
    assert_eq!(header(&refused, "x-ratelimit-remaining"), "0");
    assert_eq!(header(&refused, "x-ratelimit-reset"), "20");
    let body = expect_error(refused, 429, "rate_limited").await;
    assert!(body["error"]["message"].as_str().unwrap().contains("console session"), "{body}");

    // Another session (another tab's sign-in) and the tenant's API keys have their own windows.
    let second = server.session_client("admin@acme.test").await;
    assert_eq!(second.get("/api/v1/issues").await.status(), 200);
    let key = server.key_client(&t.api_key).get("/api/v1/issues").await;
    assert_eq!(key.status(), 200);
    assert_eq!(header(&key, "x-ratelimit-limit"), "500");

    server.clock.advance_ms(20_000);
    assert_eq!(first.get("/api/v1/issues").await.status(), 200, "a slot, once the oldest request left");
    server.stop().await;
}
