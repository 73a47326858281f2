# Sluice: `make run` to use it, `make test` to check it. Both install what is missing first.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
export TRUNK_SKIP_VERSION_CHECK := true
export CARGO_TERM_COLOR := never

DATA_DIR ?= data
LISTEN ?= 127.0.0.1:8080

.PHONY: run test dev bench setup console server server-debug fmt lint clean-data

## run: install missing tools, build the console and the server, start on http://127.0.0.1:8080
run: setup console server
	./target/server/sluice-server precompress --dist-dir dist
	./target/server/sluice-server --demo --listen $(LISTEN) --data-dir $(DATA_DIR) --dist-dir dist

## test: install missing tools, run every suite (native, browser, e2e); ends with "N passed, N failed"
test:
	bash scripts/setup.sh
	bash scripts/test.sh

## dev: trunk serve with hot reload on :8081, proxying /api to a server started with `make run`
dev: setup
	cargo fetch --quiet
	trunk serve --dist target/trunk-dev --port 8081

## bench: print the figures (bundle size, issue list latency, 429 storm, webhooks, feeds, integrations)
bench: setup console
	bash bench/run.sh

setup:
	@bash scripts/setup.sh build

console:
	cargo fetch --quiet
	trunk build --release

server:
	cargo build --profile server -p sluice-server

server-debug:
	cargo build -p sluice-server

fmt:
	cargo fmt --all

lint:
	cargo fmt --all -- --check
	cargo clippy -p sluice-contract -p sluice-server -p sluice-bench --all-targets -- -D warnings
	cargo clippy -p sluice-console --target wasm32-unknown-unknown --all-targets -- -D warnings
	cargo clippy -p sluice-console --target wasm32-unknown-unknown --features split -- -D warnings

clean-data:
	rm -rf $(DATA_DIR)
