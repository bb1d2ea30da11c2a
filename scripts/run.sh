#!/usr/bin/env bash
# One command from a fresh clone to a running Attest with the demo network:
# set up, build, migrate, seed, serve. Honours ATTEST_ADDR and ATTEST_DATABASE_URL.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

"$ROOT/scripts/setup.sh"
"$ROOT/scripts/build.sh"

export ATTEST_SITE_ROOT="${ATTEST_SITE_ROOT:-$SITE_ROOT}"
attest="$CARGO_TARGET_DIR/release/attest"
step "Database: migrate and seed the demo network"
"$attest" seed demo
step "Serving on http://${ATTEST_ADDR:-127.0.0.1:3000} (Ctrl-C to stop)"
exec "$attest" serve
