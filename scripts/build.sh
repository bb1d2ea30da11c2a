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
[ -x "$WASM_OPT" ] || die "wasm-opt missing: run scripts/setup.sh"
"$WASM_OPT" "${WASM_OPT_FLAGS[@]}" "$staging/attest_bg.wasm" -o "$staging/attest.wasm"
rm "$staging/attest_bg.wasm"
cp style/main.css "$staging/attest.css"
build_id="$(cat "$staging/attest.js" "$staging/attest.wasm" "$staging/attest.css" | sha256sum | cut -c1-16)"

# Only the current bundle stays; a running server keeps serving the files it opened.
find "$SITE_ROOT/pkg" -mindepth 1 -maxdepth 1 -type d ! -name "$build_id" -exec rm -rf {} + 2>/dev/null || true
mkdir -p "$SITE_ROOT/pkg"
rm -rf "$SITE_ROOT/pkg/$build_id"
mv "$staging" "$SITE_ROOT/pkg/$build_id"
cp -r public/. "$SITE_ROOT/"
# The service worker names its caches after the build, so a new build replaces the old shell.
sed -i "s/__ATTEST_BUILD_ID__/$build_id/g" "$SITE_ROOT/sw.js"
echo "$build_id" > "$SITE_ROOT/BUILD_ID"

step "Precompressing (brotli 11, zopfli)"
mapfile -t compressible < <(find "$SITE_ROOT" -path "$SITE_ROOT/.staging" -prune -o -type f \
  \( -name '*.js' -o -name '*.wasm' -o -name '*.css' -o -name '*.svg' -o -name '*.html' -o -name '*.webmanifest' \) -print)
precompress "${compressible[@]}"

step "Client size"
mkdir -p "$CARGO_TARGET_DIR/client-size"
node scripts/client-size.mjs report "$SITE_ROOT" "$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/app.wasm" | tee "$CARGO_TARGET_DIR/client-size/report.txt" >&2
