#!/usr/bin/env bash
# Installs every tool Sluice needs, each step skipped when the pinned version is already there.
# Safe to run twice. Pins and reasons: ../shared/TOOLCHAIN.md.
set -euo pipefail

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130
BINARYEN_VERSION=132.0.0
BINARYEN_PREFIX=/opt/binaryen-$BINARYEN_VERSION
PLAYWRIGHT_VERSION=1.65.0
TERSER_VERSION=5.51.4
TERSER_PREFIX=/opt/terser-$TERSER_VERSION
WASM_SPLIT_VERSION=0.2.4

say() { printf '[setup] %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"
sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

what="${1:-all}"   # all | build | test

# wasm target
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# trunk
if ! trunk --version 2>/dev/null | grep -q "trunk $TRUNK_VERSION"; then
  say "installing trunk $TRUNK_VERSION (several minutes, once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

# wasm-bindgen-cli (no --locked: it fails on webpki-roots)
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# wasm-split-cli: cuts the release wasm into the shell and per-page chunks (scripts/split-wasm.sh)
if ! { command -v wasm-split-cli >/dev/null && cargo install --list | grep -q "^wasm_split_cli_support v$WASM_SPLIT_VERSION:"; }; then
  say "installing wasm-split-cli $WASM_SPLIT_VERSION (about 2 minutes, once)"
  cargo install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary --locked
fi

# wasm-opt from npm binaryen (never Debian's v108 package: it breaks release builds)
if dpkg -s binaryen >/dev/null 2>&1; then
  say "removing Debian's binaryen (v108 breaks release builds)"
  sudo_ apt-get remove -y binaryen
fi
if ! "$BINARYEN_PREFIX/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}"; then
  say "installing binaryen $BINARYEN_VERSION (wasm-opt) from npm"
  sudo_ mkdir -p "$BINARYEN_PREFIX"
  sudo_ npm install --no-audit --no-fund --prefix "$BINARYEN_PREFIX" "binaryen@$BINARYEN_VERSION"
fi
if [ "$(readlink -f "$HOME/.cargo/bin/wasm-opt" 2>/dev/null)" != "$(readlink -f "$BINARYEN_PREFIX/node_modules/.bin/wasm-opt")" ]; then
  ln -sf "$BINARYEN_PREFIX/node_modules/.bin/wasm-opt" "$HOME/.cargo/bin/wasm-opt"
fi

# terser: minifies the JS glue and the chunk loader in release builds (scripts/split-wasm.sh)
if ! "$TERSER_PREFIX/node_modules/.bin/terser" --version 2>/dev/null | grep -q "terser $TERSER_VERSION"; then
  say "installing terser $TERSER_VERSION from npm"
  sudo_ mkdir -p "$TERSER_PREFIX"
  sudo_ npm install --no-audit --no-fund --prefix "$TERSER_PREFIX" "terser@$TERSER_VERSION"
fi
if [ "$(readlink -f "$HOME/.cargo/bin/terser" 2>/dev/null)" != "$(readlink -f "$TERSER_PREFIX/node_modules/.bin/terser")" ]; then
  ln -sf "$TERSER_PREFIX/node_modules/.bin/terser" "$HOME/.cargo/bin/terser"
fi

[ "$what" = build ] && exit 0

# Chromium + chromedriver (browser tests and e2e)
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  say "installing chromium and chromium-driver from Debian"
  sudo_ apt-get update -qq
  sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
fi

# playwright-core for e2e (no browser download: tests use /usr/bin/chromium)
here="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -d "$here/e2e/node_modules/playwright-core" ] || [ ! -d "$here/e2e/node_modules/axe-core" ]; then
  say "installing e2e dependencies (playwright-core)"
  (cd "$here/e2e" && npm ci --no-audit --no-fund 2>/dev/null || npm install --no-audit --no-fund)
fi
say "tools ready"
