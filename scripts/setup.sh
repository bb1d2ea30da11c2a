#!/usr/bin/env bash
# Installs everything Attest needs to build, run and test, on Debian 12 or a laptop with
# rustup. Idempotent: each step checks first, so a second run takes seconds.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Debian packages: what each is for.
#   chromium          headless browser for the e2e tests (never a downloaded browser)
#   postgresql        the production database, started privately by the tests
#   nodejs, npm       runs Playwright (e2e only)
#   pkg-config, gcc   C code of some crates (bundled SQLite)
#   faketime          runs a second server days ahead in the CAPA tests (30-day effectiveness check)
#   poppler-utils     pdfsig, pdftotext, pdftoppm: independent checks of the signed reports
#   qpdf              independent structural check of the reports (qpdf --check)
#   brotli, zopfli    precompress the client at build time at the highest levels
PACKAGES=(chromium postgresql pkg-config gcc faketime poppler-utils qpdf brotli zopfli)
# Node may come from elsewhere (nvm, the machine image); then Debian's is not needed.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  step "Installing Debian packages: ${missing[*]}"
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install ${missing[*]} by hand"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  note "Debian packages present"
fi

step "Rust toolchain (rust-toolchain.toml) with the wasm32 target"
command -v cargo >/dev/null 2>&1 || die "cargo not found: install rustup from your distribution or rustup.rs"
if command -v rustup >/dev/null 2>&1; then
  (cd "$ROOT" && rustup show active-toolchain >/dev/null 2>&1) || (cd "$ROOT" && rustup toolchain install) || true
  if ! have_rustup_wasm; then
    (cd "$ROOT" && rustup target add wasm32-unknown-unknown) || true
  fi
fi
if have_rustup_wasm; then
  note "wasm32-unknown-unknown installed through rustup"
else
  # rustup could not fetch the target: fall back to Debian's web toolchain and build std.
  step "rustup has no wasm32 target; installing Debian's rustc-web fallback"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rustc-web cargo-web rust-web-src lld-22 >/dev/null
  note "using Debian rustc-web with -Zbuild-std for the client"
fi

step "wasm-bindgen CLI $WASM_BINDGEN_VERSION"
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  # Not --locked: one of its locked dependencies was yanked (see README).
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
else
  note "present"
fi

step "Build tools (binaryen's wasm-opt, pinned in scripts/package.json)"
if [ ! -x "$WASM_OPT" ] || [ "$ROOT/scripts/package-lock.json" -nt "$ROOT/scripts/node_modules/.package-lock.json" ]; then
  (cd "$ROOT/scripts" && npm ci --no-audit --no-fund --loglevel=error)
else
  note "present"
fi

step "Playwright for the browser tests"
if [ ! -d "$ROOT/e2e/node_modules/@playwright/test" ] || [ "$ROOT/e2e/package-lock.json" -nt "$ROOT/e2e/node_modules/.package-lock.json" ]; then
  # Installs the test runner only: the browser is Debian's chromium.
  (cd "$ROOT/e2e" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
else
  note "present"
fi

step "Set-up complete"
