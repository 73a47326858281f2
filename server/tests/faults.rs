//! Faults and hostile input: control characters in searches, a flush that fails, the search
//! index when row numbers change, the events outbox's retention.

mod common;

use common::issues::{autotask, ids, raise, report};
use common::{expect_error, TestServer, T0};
use sluice_contract::issues::{DistributorIssue, Severity};

fn db(server: &TestServer) -> rusqlite::Connection {
    rusqlite::Connection::open(server.dir.path().join("sluice.db")).expect("open db")
}

#[tokio::test]
async fn control_characters_in_a_search_are_a_field_error_not_a_failure() {
    let server = TestServer::start().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    raise(&server, &t.tenant_id, autotask("401 Unauthorized")).await;
    let api = server.key_client(&t.api_key);
    for q in ["%00", "abc%00def", "Unauth%0Aorized", "%1B%5B31m", "x%7F"] {
        let res = api.get(&format!("/api/v1/issues?q={q}")).await;
        let body = expect_error(res, 400, "validation_failed").await;
        assert!(body["error"]["fields"]["q"].as_str().is_some_and(|m| m.contains("control")), "q={q}: {body}");
    }
    // Ordinary searches still work, quotes and FTS syntax included.
    for q in ["Unauthorized", "NEAR(a b)", "a*", "\"", "AND OR NOT", "col:umn"] {
        let res = api.get(&format!("/api/v1/issues?q={}", urlencode(q))).await;
        assert_eq!(res.status(), 200, "q={q}");
    }
    server.stop().await;
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test]
async fn usage_counted_while_a_flush_fails_is_written_by_the_next_one() {
    let server = TestServer::start().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    // The table is gone for a while (a failing disk would do the same): every flush fails,
    // the background one included.
    db(&server).execute_batch("ALTER TABLE usage_minutes RENAME TO usage_away").unwrap();
    for _ in 0..7 {
        assert_eq!(api.get("/api/v1/api-keys").await.status(), 200);
    }
    assert!(sluice_server::usage::housekeeping(&server.state).await.is_err());
    db(&server).execute_batch("ALTER TABLE usage_away RENAME TO usage_minutes").unwrap();
    sluice_server::usage::housekeeping(&server.state).await.expect("flush");
    let written: i64 = db(&server)
        .query_row("SELECT SUM(requests) FROM usage_minutes WHERE route = 'GET /api/v1/api-keys'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(written, 7, "no request was lost with the failed flush");
    server.stop().await;
}

#[tokio::test]
async fn search_finds_the_right_issue_after_row_numbers_change() {
    let server = TestServer::start().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let tid = &t.tenant_id;
    let auth = raise(&server, tid, autotask("401 Unauthorized: BILLINGCODE")).await;
    let feed = raise(
        &server,
        tid,
        report(DistributorIssue::EmptyFeed, "Ingram Micro", Severity::Error, "Feed is empty", "0 rows"),
    )
    .await;
    // What VACUUM may do to a table without an INTEGER PRIMARY KEY, or a dump and reload:
    // every issue gets another implicit row number, and no trigger sees it.
    db(&server).execute_batch("UPDATE issues SET rowid = rowid + 1000").unwrap();
    let api = server.key_client(&t.api_key);
    assert_eq!(ids(&api.get_json("/api/v1/issues?q=BILLINGCODE").await), vec![auth]);
    assert_eq!(ids(&api.get_json("/api/v1/issues?q=ingram").await), vec![feed]);
    server.stop().await;
}

#[tokio::test]
async fn the_events_outbox_is_pruned_past_its_retention_and_not_before() {
    let server = TestServer::start().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let day = 24 * 3600 * 1000;
    let conn = db(&server);
    for (id, age_days) in [("evt_old", 31), ("evt_kept", 29), ("evt_new", 0)] {
        conn.execute(
            "INSERT INTO events (id, tenant_id, type, occurred_at, data) VALUES (?1, ?2, 'issue.opened', ?3, '{}')",
            rusqlite::params![id, t.tenant_id, (T0 - age_days * day) as i64],
        )
        .unwrap();
    }
    let pruned = sluice_server::housekeeping::prune(&server.state).await.unwrap();
    assert_eq!(pruned.events, 1);
    let left: Vec<String> = conn
        .prepare("SELECT id FROM events ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(left, ["evt_kept", "evt_new"], "webhook delivery keeps 30 days of events");
    assert_eq!(sluice_server::store::events::KEEP_MS, 30 * day);
    server.stop().await;
}
