//! Distributor feeds end to end: real HTTP and FTP servers on 127.0.0.1, a real server and
//! SQLite file, runs observed through the API.

mod common;

use common::feeds::{self, create, http_csv, issues_of, sync, FtpFeed, HttpFeed, HEADER};
use common::{expect_error, TestServer};
use serde_json::{json, Value};
use sluice_server::store::events;

async fn events_of(server: &TestServer, tenant: &str, event_type: &'static str) -> Vec<Value> {
    let tenant = tenant.to_string();
    let rows = server.state.store.call(move |c| events::recent(c, &tenant, Some(event_type), 100)).await.unwrap();
    rows.into_iter().map(|e| e.data).collect()
}

#[tokio::test]
async fn an_http_csv_feed_syncs_and_a_rerun_counts_what_changed() {
    let (server, api) = feeds::server().await;
    let feed = HttpFeed::start().await;
    feed.put(
        "/prices.csv",
        format!("{HEADER}A-1,M1,Cable,10.00,EUR,5\nA-2,M2,Mouse,\"1,000.50\",EUR,0\nA-3,M3,Desk,99.99,EUR,\n"),
    );
    let id = create(&api, http_csv("Ingram", &feed.url("/prices.csv"), 1)).await;

    let run = sync(&api, &id).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!((run["rowsRead"].as_u64(), run["rowsAdded"].as_u64()), (Some(3), Some(3)));
    assert_eq!(run["trigger"], "manual");
    let product = api.get_json("/api/v1/products?q=A-2").await;
    assert_eq!(product["items"][0]["offers"][0]["costPrice"], "1000.50");

    feed.put(
        "/prices.csv",
        format!("{HEADER}A-1,M1,Cable,12.50,EUR,5\nA-2,M2,Mouse,\"1,000.50\",EUR,0\nA-4,M4,Lamp,5,EUR,1\n"),
    );
    let run = sync(&api, &id).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    let counts: Vec<u64> = ["rowsRead", "rowsAdded", "rowsChanged", "rowsUnchanged", "rowsRemoved", "rowsRejected"]
        .iter()
        .map(|k| run[k].as_u64().unwrap())
        .collect();
    assert_eq!(counts, vec![3, 1, 1, 1, 1, 0], "{run}");

    let history = api.get_json(&format!("/api/v1/distributors/{id}/runs")).await;
    assert_eq!(history["items"].as_array().unwrap().len(), 2);
    let d = api.get_json(&format!("/api/v1/distributors/{id}")).await;
    assert!(d["lastSuccessAt"].is_string() && d["stale"] == false, "{d}");

    let tenant = server
        .state
        .store
        .call(move |c| Ok(c.query_row("SELECT tenant_id FROM distributors LIMIT 1", [], |r| r.get::<_, String>(0))?))
        .await
        .unwrap();
    let changed = events_of(&server, &tenant, "distributor.price_changed").await;
    assert_eq!(changed.len(), 1, "one batched event for the one price that moved: {changed:?}");
    assert_eq!(
        changed[0]["changes"],
        json!([{"sku": "A-1", "oldPrice": "10.00", "newPrice": "12.50", "currency": "EUR"}])
    );
    assert_eq!(events_of(&server, &tenant, "distributor.sync_completed").await.len(), 2);
    server.stop().await;
}

#[tokio::test]
async fn a_json_feed_maps_its_records() {
    let (server, api) = feeds::server().await;
    let feed = HttpFeed::start().await;
    feed.put("/api/prices", r#"{"data": {"items": [{"sku": "J-1", "price": 4.5, "qty": 3}, {"sku": "J-2", "price": "oops"}, {"price": 1}]}}"#);
    let mut body = http_csv("Json Co", &feed.url("/api/prices"), 1);
    body["format"] = json!("json");
    body["recordsPath"] = json!("data.items");
    body["mapping"] = json!({"sku": "sku", "costPrice": "price", "stock": "qty"});
    body["maxRejectedPercent"] = json!(80);
    let id = create(&api, body.clone()).await;
    let run = sync(&api, &id).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["rowsRejected"], 2);
    assert_eq!(run["rejectedRows"][0], json!({"line": 2, "reason": "cost price \"oops\" is not a number"}));
    assert_eq!(run["rejectedRows"][1]["line"], 3);
    let p = api.get_json("/api/v1/products?q=J-1").await;
    assert_eq!(
        (p["items"][0]["offers"][0]["costPrice"].as_str(), p["items"][0]["offers"][0]["stock"].as_i64()),
        (Some("4.50"), Some(3))
    );

    // The JSON is not the mapped shape: the run fails and says where.
    feed.put("/api/prices", r#"{"data": {"items": {"sku": "J-1"}}}"#);
    let run = sync(&api, &id).await;
    assert_eq!(run["status"], "failed");
    assert_eq!(run["error"], "The JSON at \"data.items\" is not an array of records.");
    feed.put("/api/prices", r#"{"items": []}"#);
    let run = sync(&api, &id).await;
    assert_eq!(run["error"], "The JSON has no \"data\" (records path \"data.items\").");
    // Records are handed on as they are read: a document that breaks after them fails the
    // run all the same, and the stored prices stay.
    feed.put("/api/prices", r#"{"data": {"items": [{"sku": "J-1", "price": 9}, {"sku": "J-2", "#);
    let run = sync(&api, &id).await;
    assert_eq!(run["status"], "failed");
    assert!(run["error"].as_str().unwrap().starts_with("The feed is not valid JSON: "), "{run}");
    let p = api.get_json("/api/v1/products?q=J-1").await;
    assert_eq!(p["items"][0]["offers"][0]["costPrice"], "4.50");

    // Test connection reads no further than the ten records it shows, however long the file.
    let records: Vec<String> = (0..12).map(|i| format!(r#"{{"sku": "P-{i}", "price": 1}}"#)).collect();
    feed.put("/api/preview", format!(r#"{{"data": {{"items": [{}, {{"sku": "#, records.join(", ")));
    body["url"] = json!(feed.url("/api/preview"));
    let test: Value = api.post("/api/v1/distributors/test", body).await.json().await.unwrap();
    assert_eq!((test["ok"].as_bool(), test["rows"].as_array().map(Vec::len)), (Some(true), Some(10)), "{test}");
    server.stop().await;
}

#[tokio::test]
async fn an_ftp_feed_syncs_and_a_changed_password_fails_with_the_servers_words() {
    let (server, api) = feeds::server().await;
    let ftp = FtpFeed::start("s3cret-pass").await;
    ftp.put("prices.txt", "A-1~M1~Cable~0000010.00~EUR~5\nA-2~M2~Mouse~0000002.50~EUR~7\n");
    let body = json!({
        "name": "Synnex", "kind": "ftp", "host": "127.0.0.1", "port": ftp.port, "username": feeds::FTP_USER,
        "password": "s3cret-pass", "path": "/prices.txt", "format": "csv",
        "csv": {"delimiter": "~", "header": false, "encoding": "utf-8"},
        "mapping": {"sku": "1", "mpn": "2", "description": "3", "costPrice": "4", "currency": "5", "stock": "6"},
        "priority": 2, "cadenceMinutes": 60, "staleAfterHours": 26, "maxRejectedPercent": 5
    });
    let id = create(&api, body).await;
    let shown = api.get_json(&format!("/api/v1/distributors/{id}")).await;
    assert!(shown.get("password").is_none() && shown["passwordSetAt"].is_string(), "{shown}");
    // The database and its write-ahead log: WAL mode keeps recent writes in the latter.
    let db: Vec<u8> = ["sluice.db", "sluice.db-wal"]
        .iter()
        .flat_map(|f| std::fs::read(server.dir.path().join(f)).unwrap_or_default())
        .collect();
    assert!(db.windows(6).any(|w| w == b"Synnex"), "the files hold the distributor");
    assert!(!db.windows(11).any(|w| w == b"s3cret-pass"), "the password is stored sealed");

    let test: Value = api.post(&format!("/api/v1/distributors/{id}/test"), json!({})).await.json().await.unwrap();
    assert_eq!(test["ok"], true, "{test}");
    assert_eq!(test["rows"][0]["sku"], "A-1");
    assert_eq!(test["rows"][0]["costPrice"], "10.00");
    assert_eq!(sync(&api, &id).await["rowsAdded"], 2);

    ftp.set_password("rotated-by-distributor");
    let test: Value = api.post(&format!("/api/v1/distributors/{id}/test"), json!({})).await.json().await.unwrap();
    assert_eq!(test["ok"], false);
    assert_eq!(test["error"], "530 Authentication failed", "libunftp's reply, verbatim");
    let run = sync(&api, &id).await;
    assert_eq!((run["status"].as_str(), run["error"].as_str()), (Some("failed"), Some("530 Authentication failed")));
    let open = issues_of(&api, &id).await;
    assert_eq!(open["connection_failed"]["message"], "530 Authentication failed");

    let mut update = shown.clone();
    update["password"] = json!("rotated-by-distributor");
    update["mapping"] = shown["mapping"].clone();
    let res = api.put(&format!("/api/v1/distributors/{id}"), update).await;
    assert_eq!(res.status(), 200);
    let test: Value = api.post(&format!("/api/v1/distributors/{id}/test"), json!({})).await.json().await.unwrap();
    assert_eq!(test["ok"], true, "{test}");
    assert_eq!(sync(&api, &id).await["status"], "succeeded");
    assert!(issues_of(&api, &id).await.is_empty(), "the connection issue cleared itself");

    // A path that is a directory, or missing: said with the path (the server's own 550 when missing).
    std::fs::create_dir(ftp.root.path().join("dir")).unwrap();
    let mut probe = shown.clone();
    probe["path"] = json!("/dir");
    let test: Value =
        api.post(&format!("/api/v1/distributors/test?distributor={id}"), probe.clone()).await.json().await.unwrap();
    assert_eq!(test["error"], "/dir is a directory, not a file: enter the price file's path.");
    probe["path"] = json!("/missing.csv");
    let test: Value =
        api.post(&format!("/api/v1/distributors/test?distributor={id}"), probe).await.json().await.unwrap();
    let error = test["error"].as_str().unwrap();
    assert!(error.starts_with("550 ") && error.ends_with("(/missing.csv is missing or is a directory)"), "{error}");
    server.stop().await;
}

#[tokio::test]
async fn an_empty_feed_fails_keeps_yesterdays_prices_and_raises_an_issue_that_clears() {
    let (server, api) = feeds::server().await;
    let feed = HttpFeed::start().await;
    feed.put("/prices.csv", format!("{HEADER}A-1,M1,Cable,10.00,EUR,5\n"));
    let id = create(&api, http_csv("Ingram", &feed.url("/prices.csv"), 1)).await;
    assert_eq!(sync(&api, &id).await["status"], "succeeded");

    for empty in ["", HEADER] {
        feed.put("/prices.csv", empty);
        let run = sync(&api, &id).await;
        assert_eq!(run["status"], "failed");
        assert_eq!(run["error"], sluice_server::distributors::sync::EMPTY_FEED);
    }
    let open = issues_of(&api, &id).await;
    let issue = &open["empty_feed"];
    assert_eq!(issue["message"], "Feed returned no data — the distributor may have deactivated the account, or the price file is temporarily unavailable. Contact the distributor.");
    assert_eq!(issue["occurrences"], 2);
    assert_eq!(issue["entity"]["link"], format!("/distributors/{id}"));
    let p = api.get_json("/api/v1/products?q=A-1").await;
    assert_eq!(p["items"][0]["offers"][0]["costPrice"], "10.00", "the previous prices stay");

    feed.put("/prices.csv", format!("{HEADER}A-1,M1,Cable,11.00,EUR,5\n"));
    assert_eq!(sync(&api, &id).await["status"], "succeeded");
    assert!(issues_of(&api, &id).await.is_empty());
    let resolved = api.get_json(&format!("/api/v1/issues/{}", issue["id"].as_str().unwrap())).await;
    assert_eq!(resolved["issue"]["status"], "resolved");
    server.stop().await;
}

#[tokio::test]
async fn bad_rows_are_rejected_with_line_numbers_and_too_many_fail_the_run() {
    let (server, api) = feeds::server().await;
    let feed = HttpFeed::start().await;
    let mut good: String = (1..=30).map(|n| format!("G-{n},M,Thing,{n}.00,EUR,1\n")).collect();
    good.insert_str(0, HEADER);
    let mut body = good.clone().into_bytes();
    body.extend_from_slice(b"B-1,M,Thing,abc,EUR,1\nB-2,M,Thing\nB-3,M,Caf\xe9,1.00,EUR,1\n");
    feed.put("/prices.csv", body);
    let id = create(&api, http_csv("Ingram", &feed.url("/prices.csv"), 1)).await;
    let run = sync(&api, &id).await;
    assert_eq!(run["status"], "succeeded", "3 of 33 is under the 10% allowed: {run}");
    assert_eq!(
        (run["rowsRead"].as_u64(), run["rowsRejected"].as_u64(), run["rowsAdded"].as_u64()),
        (Some(33), Some(3), Some(30))
    );
    assert_eq!(run["rejectedRows"][0], json!({"line": 32, "reason": "cost price \"abc\" is not a number"}));
    assert_eq!(run["rejectedRows"][1], json!({"line": 33, "reason": "expected 6 columns, found 3"}));
    assert_eq!(run["rejectedRows"][2]["line"], 34);
    assert!(run["rejectedRows"][2]["reason"].as_str().unwrap().contains("not valid UTF-8"));

    let mut worse = good.replace("G-1,M,Thing,1.00", "G-1,M,Thing,999.00");
    for n in 0..5 {
        worse.push_str(&format!("X-{n},M,Thing,-,EUR,1\n"));
    }
    feed.put("/prices.csv", worse);
    let run = sync(&api, &id).await;
    assert_eq!(run["status"], "failed");
    assert!(
        run["error"].as_str().unwrap().starts_with("5 of 35 rows (15%) were rejected, more than the 10% allowed."),
        "{run}"
    );
    assert!(issues_of(&api, &id).await.contains_key("rows_rejected"));
    let p = api.get_json("/api/v1/products?q=G-1").await;
    let g1 = p["items"].as_array().unwrap().iter().find(|i| i["sku"] == "G-1").unwrap().clone();
    assert_eq!(g1["offers"][0]["costPrice"], "1.00", "a failed run changes no price");

    // Removing the distributor takes its prices and closes its issues.
    assert_eq!(api.delete(&format!("/api/v1/distributors/{id}")).await.status(), 204);
    assert!(issues_of(&api, &id).await.is_empty());
    assert_eq!(api.get_json("/api/v1/products?q=G-1").await["items"], json!([]));
    expect_error(api.get(&format!("/api/v1/distributors/{id}")).await, 404, "not_found").await;
    server.stop().await;
}

#[tokio::test]
async fn test_connection_names_the_exact_failure_and_shows_rows_mapped() {
    let (server, api) = feeds::server().await;
    let feed = HttpFeed::start().await;
    feed.put("/latin1.csv", b"Artikel;Preis;Bezeichnung\nL-1;1.234,50;Kabel f\xfcr Stra\xdfe\n".to_vec());
    let missing = http_csv("Missing", &feed.url("/prices.csv"), 1);
    let test: Value = api.post("/api/v1/distributors/test", missing).await.json().await.unwrap();
    assert_eq!((test["ok"].as_bool(), test["error"].as_str()), (Some(false), Some("404 on /prices.csv")));

    let mut latin = http_csv("Latin", &feed.url("/latin1.csv"), 1);
    latin["csv"] = json!({"delimiter": ";", "header": true, "decimalComma": true, "encoding": "iso-8859-1"});
    latin["mapping"] = json!({"sku": "Artikel", "costPrice": "Preis", "description": "Bezeichnung"});
    let test: Value = api.post("/api/v1/distributors/test", latin.clone()).await.json().await.unwrap();
    assert_eq!(test["ok"], true, "{test}");
    assert_eq!(test["columns"], json!(["Artikel", "Preis", "Bezeichnung"]));
    assert_eq!(test["rows"][0]["costPrice"], "1234.50");
    assert_eq!(test["rows"][0]["description"], "Kabel für Straße");

    latin["mapping"]["stock"] = json!("Bestand");
    let test: Value = api.post("/api/v1/distributors/test", latin).await.json().await.unwrap();
    assert_eq!(
        test["error"],
        "The mapping's stock column \"Bestand\" is not in the file's header (columns: Artikel, Preis, Bezeichnung)."
    );
    server.stop().await;
}

#[tokio::test]
async fn bad_input_names_the_field_and_private_feeds_are_refused_by_default() {
    let server = TestServer::start().await;
    let tenant = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&tenant.api_key);
    let mut body = http_csv("", "ftp://nope", 0);
    body["csv"]["delimiter"] = json!("ab");
    let err = expect_error(api.post("/api/v1/distributors", body).await, 400, "validation_failed").await;
    for field in ["name", "url", "priority", "csv.delimiter"] {
        assert!(err["error"]["fields"][field].is_string(), "{field} in {err}");
    }
    let ftp = json!({"name": "F", "kind": "ftp", "host": "ftp.example.com", "username": "u", "path": "/p.csv",
        "mapping": {"sku": "SKU", "costPrice": "Price"}, "priority": 1, "cadenceMinutes": 60, "staleAfterHours": 24});
    let err = expect_error(api.post("/api/v1/distributors", ftp).await, 400, "validation_failed").await;
    assert!(err["error"]["fields"]["password"].is_string(), "{err}");

    let feed = HttpFeed::start().await;
    feed.put("/prices.csv", format!("{HEADER}A-1,M1,Cable,10.00,EUR,5\n"));
    let test: Value =
        api.post("/api/v1/distributors/test", http_csv("L", &feed.url("/prices.csv"), 1)).await.json().await.unwrap();
    assert_eq!(test["ok"], false);
    assert!(test["error"].as_str().unwrap().contains("127.0.0.1, a private or loopback address"), "{test}");
    let other = server.tenant("Other", "admin@other.test").await;
    let id = create(&api, http_csv("Mine", &feed.url("/prices.csv"), 1)).await;
    let res = server.key_client(&other.api_key).get(&format!("/api/v1/distributors/{id}")).await;
    expect_error(res, 404, "not_found").await;
    server.stop().await;
}
