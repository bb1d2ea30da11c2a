#!/usr/bin/env bash
# A private PostgreSQL cluster for the tests: its own data folder, port and socket, so it never
# touches a system database. `start` prints its URL; `fresh` wipes it first; `stop` stops it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PGPORT="${ATTEST_PG_PORT:-54329}"
PGDIR="${ATTEST_PG_DIR:-${TMPDIR:-/tmp}/attest-pg-$PGPORT}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -n "$bin" ] || die "PostgreSQL server binaries not found; run scripts/setup.sh"

# PostgreSQL refuses to run as root: as root, run it as the 'postgres' system user.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

running() { as_pg "$bin/pg_ctl" -D "$PGDIR" status >/dev/null 2>&1; }

stop() { if running; then as_pg "$bin/pg_ctl" -D "$PGDIR" -m fast -w stop >/dev/null; fi; }

start() {
  if ! running; then
    if [ ! -f "$PGDIR/PG_VERSION" ]; then
      mkdir -p "$PGDIR"
      [ "$(id -u)" -ne 0 ] || chown postgres: "$PGDIR"
      chmod 700 "$PGDIR"
      as_pg "$bin/initdb" -D "$PGDIR" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
    fi
    # Durability settings are off: this cluster holds throw-away test databases only.
    as_pg "$bin/pg_ctl" -D "$PGDIR" -l "$PGDIR/server.log" -w -t 60 \
      -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null || { cat "$PGDIR/server.log" >&2; die "PostgreSQL did not start"; }
  fi
  echo "postgres://postgres@127.0.0.1:$PGPORT/postgres"
}

case "${1:-start}" in
  start) start ;;
  fresh) stop; rm -rf "$PGDIR"; start ;;
  stop) stop ;;
  *) die "usage: $0 start|fresh|stop" ;;
esac
