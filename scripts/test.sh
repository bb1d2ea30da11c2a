#!/usr/bin/env bash
# The whole test suite, as CI runs it: set-up, formatting, lints (server and client), unit and
# integration tests on SQLite and PostgreSQL, the release build, and the browser tests.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
started=$SECONDS
timed() { local t=$SECONDS; "$@"; note "took $((SECONDS - t)) s"; }

step "Set-up"
timed "$ROOT/scripts/setup.sh"

step "Formatting"
timed cargo fmt --all --check

step "Lints: server and shared code"
timed cargo clippy --locked --workspace --all-targets -- -D warnings
step "Lints: browser client"
if have_rustup_wasm; then
  timed cargo clippy --locked -p app --lib --target wasm32-unknown-unknown --features hydrate -- -D warnings
else
  note "skipped: the Debian fallback toolchain has no clippy"
fi

step "PostgreSQL for the integration tests"
ATTEST_TEST_POSTGRES_URL="$("$ROOT/scripts/postgres.sh" fresh)"
export ATTEST_TEST_POSTGRES_URL
trap '"$ROOT/scripts/postgres.sh" stop || true' EXIT
note "$ATTEST_TEST_POSTGRES_URL"

step "Unit and integration tests (SQLite and PostgreSQL)"
# In parallel (as many at once as there are cores). Each test starts its own server in this
# one process; they used to hang about one run in six when one server rendered a page while
# another was working out its route list (leptos issue #4773): the list is now made once per
# process (server/src/http/mod.rs, `page_routes`). Two at a time the 222 integration tests take
# about 2.5 minutes (6 minutes one at a time).
timed cargo test --locked --workspace

step "Release build"
timed "$ROOT/scripts/build.sh"

step "Client size budgets (scripts/client-budgets.json)"
node --test "$ROOT/scripts/client-size.test.mjs"
node "$ROOT/scripts/client-size.mjs" check "$SITE_ROOT"

step "Browser tests (headless Chromium)"
(cd "$ROOT/e2e" && ATTEST_BIN="$CARGO_TARGET_DIR/release/attest" ATTEST_SITE_ROOT="$SITE_ROOT" \
  timed npx playwright test)

step "All tests passed in $((SECONDS - started)) s"
