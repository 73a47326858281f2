#!/usr/bin/env bash
# Trunk post_build hook (Trunk.toml): cuts the console's wasm into the main module (the shell,
# login, router, API client) and one chunk per page in src/pages/lazy.rs, fetched on first visit.
#
# Trunk has no wasm splitting of its own (trunk-rs/trunk#1022), so this redoes its last steps on
# cargo's output: wasm-split-cli (needs `-C link-args=--emit-relocs`, .cargo/config.toml), then
# wasm-bindgen and wasm-opt as trunk would, under trunk's hashed names; the chunks go to
# `split-<hash>/` so a tab opened before an upgrade never mixes chunks of two builds.
set -euo pipefail

staging=${TRUNK_STAGING_DIR:?run by trunk as a post_build hook}
profile=${TRUNK_PROFILE:-release}
target_dir=${CARGO_TARGET_DIR:-${TRUNK_SOURCE_DIR:-.}/target}
input=$target_dir/wasm32-unknown-unknown/$profile/sluice-console.wasm

js=$(cd "$staging" && ls sluice-console-*.js)
name=${js%.js} # sluice-console-<hash>
hash=${name##*-}
chunks=split-$hash

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

wasm-split-cli "$input" "$work/split" --target web --out-name "$name"
wasm-bindgen --target web --keep-lld-exports --no-typescript \
  --out-dir "$work/bindgen" --out-name "$name" "$work/split/$name.wasm"

mkdir -p "$staging/$chunks"
cp "$work/bindgen/$name.js" "$staging/$name.js"
cp "$work/bindgen/${name}_bg.wasm" "$staging/${name}_bg.wasm"
rm "$work/split/$name.wasm"
cp "$work/split/"*.wasm "$work/split/__wasm_split.js" "$staging/$chunks/"

# The loader and the main module find each other across the chunk directory.
sed -i "s#from \"./__wasm_split.js\"#from \"./$chunks/__wasm_split.js\"#g" "$staging/$name.js"
sed -i "s#from \"./$name.js\"#from \"../$name.js\"#" "$staging/$chunks/__wasm_split.js"
grep -q "\./$chunks/__wasm_split.js" "$staging/$name.js" || echo "split-wasm: no lazy pages in this build" >&2

# trunk's own wasm-opt is off (index.html): it would optimise the unsplit module only to be replaced.
# The `producers` and `target_features` sections are dropped: no browser reads them, and they
# cost about 150 bytes of brotli in each of a page's fifty chunks.
# The chunks take -O4 before -Oz: 3-4% smaller pages (the main module gains nothing from it).
# One wasm-opt per core at a time: ~430 files, so this halves the build's last step on two cores.
# Each result is kept under target/ by the hash of its input: a rebuild after a small change
# optimises only the chunks that changed (a fresh clone, as CI, optimises them all).
optimise() {
  local wasm=$1 passes=(-O4 -Oz)
  case $wasm in *_bg.wasm) passes=(-Oz) ;; esac
  local key
  key=$( { echo "${passes[*]} $WASM_OPT_VERSION"; cat "$wasm"; } | sha256sum | cut -c1-32)
  if [ -f "$OPT_CACHE/$key.wasm" ]; then
    cp "$OPT_CACHE/$key.wasm" "$wasm" && touch "$OPT_CACHE/$key.wasm"
    return
  fi
  wasm-opt "${passes[@]}" --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    --strip-producers --strip-target-features "$wasm" -o "$wasm"
  cp "$wasm" "$OPT_CACHE/$key.wasm.tmp.$$" && mv "$OPT_CACHE/$key.wasm.tmp.$$" "$OPT_CACHE/$key.wasm"
}
if [ "$profile" = release ]; then
  OPT_CACHE=$target_dir/wasm-opt-cache
  WASM_OPT_VERSION=$(wasm-opt --version)
  mkdir -p "$OPT_CACHE"
  find "$OPT_CACHE" -type f -mtime +7 -delete # what no build has used for a week
  export OPT_CACHE WASM_OPT_VERSION
  export -f optimise
  printf '%s\0' "$staging/${name}_bg.wasm" "$staging/$chunks/"*.wasm | xargs -0 -n 1 -P "$(nproc)" bash -c 'optimise "$1"' _
fi

# The first page a tab opens fetches its chunks as one file (they compress far better together).
if grep -q "__wasm_split_load_" "$staging/$chunks/__wasm_split.js"; then
  node "${TRUNK_SOURCE_DIR:-.}/scripts/bundle-chunks.mjs" "$staging/$chunks"
fi

# The JS glue and the loader, minified: about 2.5 KiB brotli less on every first load.
if [ "$profile" = release ]; then
  for js_file in "$staging/$name.js" "$staging/$chunks/__wasm_split.js"; do
    terser "$js_file" --module --compress --mangle --output "$js_file"
  done
fi

# The stylesheets as one file (they compress better together, and it is one request).
node "${TRUNK_SOURCE_DIR:-.}/scripts/bundle-css.mjs" "$staging"

html=$staging/index.html
# The main module imports the loader statically: fetch it alongside, not after.
sed -i "s#<link rel=\"modulepreload\"#<link rel=\"modulepreload\" href=\"/$chunks/__wasm_split.js\" crossorigin=\"anonymous\"><link rel=\"modulepreload\"#" "$html"

# index.html pins the main module's bytes with Subresource Integrity: pin the new ones.
for file in "$name.js" "${name}_bg.wasm"; do
  sri="sha384-$(openssl dgst -sha384 -binary "$staging/$file" | base64 -w0)"
  sed -i -E "s#(href=\"[^\"]*/$file\"[^>]*integrity=\")[^\"]*#\1$sri#g" "$html"
done
