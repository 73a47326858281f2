#!/usr/bin/env bash
# Runs every suite: native (contract, server), the console in headless Chromium, and e2e.
# Fails if any suite fails or runs no test; ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
export CARGO_TERM_COLOR=never

total_passed=0
total_failed=0
broken=()
logs=target/test-logs
mkdir -p "$logs"

# Sums "test result: ... N passed; M failed" lines of cargo test / wasm-bindgen-test-runner.
count_cargo() {
  awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
       END { print p + 0, f + 0 }' "$1"
}

record() {
  local name=$1 status=$2 passed=$3 failed=$4
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  if [ "$status" -ne 0 ]; then
    broken+=("$name failed (exit $status)")
  elif [ "$passed" -eq 0 ]; then
    broken+=("$name ran no test")
  fi
  echo "== $name: $passed passed, $failed failed"
}

echo "== native: contract and server"
cargo test -p sluice-contract -p sluice-server 2>&1 | tee "$logs/native.log"
status=${PIPESTATUS[0]}
read -r p f < <(count_cargo "$logs/native.log")
record native "$status" "$p" "$f"

echo "== console: wasm-bindgen-test in headless Chromium"
CHROMEDRIVER=/usr/bin/chromedriver \
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
WASM_BINDGEN_TEST_TIMEOUT=120 \
  cargo test -p sluice-console --target wasm32-unknown-unknown 2>&1 | tee "$logs/wasm.log"
status=${PIPESTATUS[0]}
read -r p f < <(count_cargo "$logs/wasm.log")
record console "$status" "$p" "$f"

echo "== e2e: real Chromium against the real server"
( cargo fetch --quiet && trunk build --release && cargo build -p sluice-server \
  && ./target/debug/sluice-server precompress --dist-dir dist ) > "$logs/e2e-build.log" 2>&1
status=$?
if [ "$status" -ne 0 ]; then
  tail -50 "$logs/e2e-build.log"
  record e2e "$status" 0 0
else
  (cd e2e && SLUICE_BIN="$PWD/../target/debug/sluice-server" SLUICE_DIST="$PWD/../dist" node --test --test-concurrency=1 --test-reporter=tap tests/) 2>&1 | tee "$logs/e2e.log"
  status=${PIPESTATUS[0]}
  p=$(grep -E '^# pass ' "$logs/e2e.log" | tail -1 | awk '{print $3}')
  f=$(grep -E '^# fail ' "$logs/e2e.log" | tail -1 | awk '{print $3}')
  record e2e "$status" "${p:-0}" "${f:-0}"
fi

for b in "${broken[@]}"; do echo "!! $b"; done
echo "$total_passed passed, $total_failed failed"
[ ${#broken[@]} -eq 0 ] && [ "$total_failed" -eq 0 ]
