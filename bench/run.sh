#!/usr/bin/env bash
# Prints Sluice's figures. Not a test: nothing here passes or fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

echo "### Bundle size"
cargo run --quiet --profile server -p sluice-bench --bin bundle_size -- dist

echo
echo "### Issues list latency (100,000 issues, 1,000,000 occurrences)"
cargo run --quiet --profile server -p sluice-bench --bin issues_list

echo
echo "### 429 storm"
cargo run --quiet --profile server -p sluice-bench --bin storm

echo
echo "### Webhook delivery (10,000 events to 10 local endpoints, then one endpoint slow, then a steady 200 events/s)"
cargo run --quiet --profile server -p sluice-bench --bin webhooks

echo
echo "### Distributor feed sync (1,000,000-row CSV over HTTP, then over FTP: first load, then 1% changed)"
cargo run --quiet --profile server -p sluice-bench --bin feed_sync -- 1000000 http
cargo run --quiet --profile server -p sluice-bench --bin feed_sync -- 1000000 ftp

echo
echo "### Integrations (Test connection against the fakes, outbound client overhead, 100,000-record sync through a 429)"
cargo run --quiet --profile server -p sluice-bench --bin integrations

echo
echo "### 429 storm in Chromium (tabs of one admin, real server)"
cargo build --quiet -p sluice-server
./target/debug/sluice-server precompress --dist-dir dist
SLUICE_BIN="$PWD/target/debug/sluice-server" SLUICE_DIST="$PWD/dist" node bench/storm_browser.mjs

echo
echo "### First render"
cargo build --quiet -p sluice-server
./target/debug/sluice-server precompress --dist-dir dist
SLUICE_BIN="$PWD/target/debug/sluice-server" SLUICE_DIST="$PWD/dist" node bench/first_render.mjs
