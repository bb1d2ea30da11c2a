# Shared by the scripts in this folder: paths, logging and privilege helpers. Source it.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
SITE_ROOT="$CARGO_TARGET_DIR/site"
WASM_BINDGEN_VERSION="0.2.130"   # must equal the wasm-bindgen crate pinned in Cargo.toml

step() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }
note() { printf '    %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# True when the wasm target comes from rustup for the pinned toolchain.
have_rustup_wasm() {
  command -v rustup >/dev/null 2>&1 &&
    (cd "$ROOT" && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown)
}

# The Debian fallback toolchain (see README, "Building the client"): rustc-web with build-std.
use_debian_wasm_toolchain() {
  export PATH="/usr/bin:$PATH" RUSTC_BOOTSTRAP=1
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$(ls -d /usr/lib/llvm-*/bin/wasm-ld 2>/dev/null | sort -V | tail -n 1)"
  export RUSTUP_TOOLCHAIN=""   # let /usr/bin/cargo win over rustup's proxy
  WASM_BUILD_STD=(-Zbuild-std=std,panic_abort)
}

# wasm-opt from binaryen, pinned in scripts/package.json (Debian's 108 breaks the release wasm).
WASM_OPT="$ROOT/scripts/node_modules/.bin/wasm-opt"
# Only passes that make the file smaller *as served* (brotli): -Oz shrinks the raw file but
# inlines so much that brotli does worse (see README, "Client size").
WASM_OPT_FLAGS=(-O1 --converge --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue)

# Writes file.br (brotli 11) and file.gz (zopfli, the best gzip) beside each file given, so the
# server never compresses static files per request.
precompress() {
  local file
  for file in "$@"; do
    brotli --best --force --keep --output="$file.br" "$file"
    zopfli --i15 -c "$file" > "$file.gz"
  done
}
