//! Re-runs write only what changed: rows equal to the stored price are not staged, yet the
//! counts, duplicates (the feed's last row for a SKU wins) and dropped SKUs come out as if
//! every row had been compared.

mod common;

use common::feeds::{self, create, http_csv, sync, HttpFeed, HEADER};
use serde_json::Value;
use sluice_server::store::distributors::{self as store, PriceRow};

fn counts(run: &Value) -> Vec<u64> {
    ["rowsRead", "rowsAdded", "rowsChanged", "rowsUnchanged", "rowsRemoved", "rowsRejected"]
        .iter()
        .map(|k| run[k].as_u64().unwrap_or_else(|| panic!("{k} in {run}")))
        .collect()
}

async fn price(api: &common::Api, sku: &str) -> Value {
    let product = api.get_json(&format!("/api/v1/products?q={sku}")).await;
    product["items"][0]["offers"][0]["costPrice"].clone()
}

#[tokio::test]
async fn a_rerun_stages_only_changed_rows_and_counts_as_before() {
    let (server, api) = feeds::server().await;
    let feed = HttpFeed::start().await;
    feed.put(
        "/prices.csv",
        format!("{HEADER}A-1,M1,Cable,10.00,EUR,5\nA-2,M2,Mouse,20.00,EUR,0\nA-3,M3,Desk,99.99,EUR,\n"),
    );
    let id = create(&api, http_csv("Ingram", &feed.url("/prices.csv"), 1)).await;
    assert_eq!(counts(&sync(&api, &id).await), [3, 3, 0, 0, 0, 0]);

    // The store writes a row down only when it differs from the stored one.
    let row = |sku: &str, mpn: &str, description: &str, price: i64, stock: Option<i64>| PriceRow {
        sku: sku.into(),
        mpn: Some(mpn.into()),
        description: Some(description.into()),
        price,
        currency: Some("EUR".into()),
        stock,
    };
    let rows = vec![
        row("A-1", "M1", "Cable", 100_000, Some(5)),
        row("A-2", "M2", "Mouse", 200_000, Some(0)),
        row("A-3", "M3", "Desk", 999_900, None),
        row("A-2", "M2", "Mouse", 200_000, Some(1)),
        row("A-9", "M9", "New", 1, None),
    ];
    let did = id.clone();
    let staged = server
        .state
        .store
        .call(move |c| {
            let staged = store::stage(c, &did, "run_probe", &rows)?;
            // Equal to the stored row, but this run staged A-2 already: the later row replaces it.
            let again = store::stage(c, &did, "run_probe", &rows[1..2])?;
            let elsewhere = store::stage(c, &did, "run_other", &rows[1..2])?;
            Ok((staged, again, elsewhere))
        })
        .await
        .unwrap();
    assert_eq!(staged, (2, 1, 0), "the changed stock and the new SKU; a repeat of a staged SKU always");

    // Unchanged feed: nothing changes, every row counts as unchanged.
    assert_eq!(counts(&sync(&api, &id).await), [3, 0, 0, 3, 0, 0]);
    // One price moves, one SKU is dropped, one is new.
    feed.put(
        "/prices.csv",
        format!("{HEADER}A-1,M1,Cable,12.50,EUR,5\nA-2,M2,Mouse,20.00,EUR,0\nA-4,M4,Lamp,5,EUR,1\n"),
    );
    assert_eq!(counts(&sync(&api, &id).await), [3, 1, 1, 1, 1, 0]);
    assert_eq!(price(&api, "A-1").await, "12.50");
    assert!(api.get_json("/api/v1/products?q=A-3").await["items"].as_array().unwrap().is_empty());
    server.stop().await;
}

#[tokio::test]
async fn a_sku_listed_twice_takes_its_last_row_and_a_repeat_hides_no_dropped_sku() {
    let (server, api) = feeds::server().await;
    let feed = HttpFeed::start().await;
    feed.put(
        "/prices.csv",
        format!("{HEADER}A-1,M1,Cable,10.00,EUR,5\nA-2,M2,Mouse,20.00,EUR,0\nA-3,M3,Desk,30.00,EUR,1\n"),
    );
    let id = create(&api, http_csv("Ingram", &feed.url("/prices.csv"), 1)).await;
    assert_eq!(counts(&sync(&api, &id).await), [3, 3, 0, 0, 0, 0]);

    // A-1 first with a new price, then with the stored one: the last row wins, nothing moves.
    // A-3 is gone, and the repeated A-1 makes the feed as long as before.
    feed.put(
        "/prices.csv",
        format!("{HEADER}A-1,M1,Cable,11.00,EUR,5\nA-2,M2,Mouse,20.00,EUR,0\nA-1,M1,Cable,10.00,EUR,5\n"),
    );
    assert_eq!(counts(&sync(&api, &id).await), [3, 0, 0, 2, 1, 0]);
    assert_eq!(price(&api, "A-1").await, "10.00");
    assert!(api.get_json("/api/v1/products?q=A-3").await["items"].as_array().unwrap().is_empty());

    // The other way round: the stored price first, then a new one, which wins.
    feed.put(
        "/prices.csv",
        format!("{HEADER}A-1,M1,Cable,10.00,EUR,5\nA-2,M2,Mouse,20.00,EUR,0\nA-1,M1,Cable,13.00,EUR,5\n"),
    );
    assert_eq!(counts(&sync(&api, &id).await), [3, 0, 1, 1, 0, 0]);
    assert_eq!(price(&api, "A-1").await, "13.00");
    server.stop().await;
}

/// A feed of `n` rows `S-00000`…, each row's fields derived from its number.
fn long_feed(skus: impl Iterator<Item = usize>, changed: impl Fn(usize) -> bool) -> String {
    let mut body = HEADER.to_string();
    for n in skus {
        let cents = 1_000 + n * 7 + usize::from(changed(n));
        body.push_str(&format!("S-{n:05},M{n},Item {n},{}.{:02},EUR,{}\n", cents / 100, cents % 100, n % 7));
    }
    body
}

/// Rows left behind in the tables a run writes as it reads (its staging and its seen SKUs).
fn leftovers(server: &common::TestServer) -> (i64, i64) {
    let db = rusqlite::Connection::open(server.dir.path().join("sluice.db")).unwrap();
    let count = |table: &str| db.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap();
    (count("distributor_staging"), count("distributor_seen"))
}

#[tokio::test]
async fn dropped_skus_are_found_across_batches_and_the_run_leaves_nothing_behind() {
    let (server, api) = feeds::server().await;
    let feed = HttpFeed::start().await;
    // 12,000 rows: three staging batches, so what a run saw spans several transactions.
    feed.put("/prices.csv", long_feed(0..12_000, |_| false));
    let id = create(&api, http_csv("Ingram", &feed.url("/prices.csv"), 1)).await;
    assert_eq!(counts(&sync(&api, &id).await), [12_000, 12_000, 0, 0, 0, 0]);
    assert_eq!(leftovers(&server), (0, 0));

    // Every 1,000th SKU (from 7) is dropped, 1% of prices move, S-00003 is listed twice (as
    // stored) so the file hides one drop in its length, and five SKUs are new.
    let mut body = long_feed((0..12_000).filter(|n| n % 1_000 != 7), |n| n % 100 == 0);
    body.push_str("S-00003,M3,Item 3,10.21,EUR,3\n");
    for k in 0..5 {
        body.push_str(&format!("N-{k},MN{k},New {k},1.00,EUR,1\n"));
    }
    feed.put("/prices.csv", body);
    // read, added, changed, unchanged (12,000 − 12 dropped − 120 changed), removed, rejected.
    assert_eq!(counts(&sync(&api, &id).await), [11_994, 5, 120, 11_868, 12, 0]);
    assert_eq!(leftovers(&server), (0, 0), "a finished run leaves no staged or seen rows");
    for dropped in ["S-00007", "S-05007", "S-11007"] {
        let found = api.get_json(&format!("/api/v1/products?q={dropped}")).await;
        assert!(found["items"].as_array().unwrap().is_empty(), "{dropped} was dropped: {found}");
    }
    assert_eq!(price(&api, "S-00100").await, "17.01");
    assert_eq!(price(&api, "S-00003").await, "10.21");
    assert_eq!(price(&api, "N-4").await, "1.00");

    // The same file again: nothing moves and nothing more is dropped.
    assert_eq!(counts(&sync(&api, &id).await), [11_994, 0, 0, 11_993, 0, 0]);

    // A failed run (too many bad rows) drops nothing and leaves nothing behind either.
    feed.put("/prices.csv", format!("{HEADER}S-00001,M1,Item 1,oops,EUR,1\n"));
    assert_eq!(sync(&api, &id).await["status"], "failed");
    assert_eq!(leftovers(&server), (0, 0));
    assert_eq!(price(&api, "S-11999").await, "849.93");
    server.stop().await;
}
