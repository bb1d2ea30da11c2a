#!/usr/bin/env bash
# Builds the release server binary and the WebAssembly client into $CARGO_TARGET_DIR/site.
# The client lands in site/pkg/<content hash>/ with the hash in site/BUILD_ID, so browsers may
# cache it forever; public/ files are copied to the site root.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

step "Server (release)"
cargo build --release --locked -p server

step "Client (WebAssembly, size-optimised)"
WASM_BUILD_STD=()
have_rustup_wasm || use_debian_wasm_toolchain
cargo build --locked -p app --lib --target wasm32-unknown-unknown --features hydrate \
  --profile wasm-release "${WASM_BUILD_STD[@]}"

staging="$SITE_ROOT/.staging"
rm -rf "$staging"
mkdir -p "$staging"
wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section --out-dir "$staging" --out-name attest \
  "$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/app.wasm"
mv "$staging/attest_bg.wasm" "$staging/attest.wasm"
cp style/main.css "$staging/attest.css"
build_id="$(cat "$staging/attest.js" "$staging/attest.wasm" "$staging/attest.css" | sha256sum | cut -c1-16)"

# Only the current bundle stays; a running server keeps serving the files it opened.
find "$SITE_ROOT/pkg" -mindepth 1 -maxdepth 1 -type d ! -name "$build_id" -exec rm -rf {} + 2>/dev/null || true
mkdir -p "$SITE_ROOT/pkg"
rm -rf "$SITE_ROOT/pkg/$build_id"
mv "$staging" "$SITE_ROOT/pkg/$build_id"
cp -r public/. "$SITE_ROOT/"
echo "$build_id" > "$SITE_ROOT/BUILD_ID"

wasm="$SITE_ROOT/pkg/$build_id/attest.wasm"
note "client $build_id: $(stat -c %s "$wasm") bytes raw, $(gzip -9 -c "$wasm" | wc -c) bytes gzipped"
