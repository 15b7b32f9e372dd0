#!/usr/bin/env bash
# Audience benchmark (issue 6, "Must show" 5; docs/benchmarks.md "## Audiences"): starts a
# throwaway PostgreSQL 15 cluster (data and socket in a fresh /tmp directory, Unix socket only,
# so no TCP port can clash), runs audience_bench against it, and always stops and removes the
# cluster on the way out.
#
# Usage: bench/audiences/run.sh [-- audience_bench flags, e.g. --people=200000]
#   env AUDIENCE_BENCH_BIN  [<repo>/build/bench/audiences/audience_bench]
#   env PG_BIN              [/usr/lib/postgresql/15/bin]
#   env PG_JIT              PostgreSQL's jit setting [off]
# This script builds nothing:
#   cmake --build build --target audience_bench
#
# stdout: JSON lines only ({"bench":"audiences",...}), the last one ("metric":"run") with the
# command, date, CPU, cores, memory, kernel and load averages; stderr: progress, PostgreSQL's
# plans and a human summary. Exits non-zero if an answer fails to verify (a missed performance
# target still exits 0 and says so in its *_target_met line).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
[ "${1:-}" = "--" ] && shift
BIN=${AUDIENCE_BENCH_BIN:-$ROOT/build/bench/audiences/audience_bench}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$BIN" ]; then
  echo "audiences bench: no binary at $BIN (cmake --build build --target audience_bench)" >&2
  exit 1
fi
if [ ! -x "$PG_BIN/initdb" ]; then
  echo "audiences bench: no PostgreSQL at $PG_BIN (apt-get install postgresql-15)" >&2
  exit 1
fi

WORK=$(mktemp -d /tmp/cohort-audience-pg-XXXXXX)
PGDATA=$WORK/data
# As root, PostgreSQL runs as the postgres user; otherwise as whoever runs this.
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$WORK"
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi
cleanup() {
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
  >"$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log" >&2; exit 1; }
# Tuned as a DBA would for a read-mostly analytics table on this machine (2 cores, 24 GiB):
# the table and its indexes fit in shared buffers, parallel scans on, SSD costs. Durability
# settings only speed up the load; they change nothing for the timed SELECTs.
cat >>"$PGDATA/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$WORK'
port = 5432
shared_buffers = 4GB
effective_cache_size = 12GB
work_mem = 256MB
maintenance_work_mem = 2GB
max_parallel_workers_per_gather = 2
max_parallel_maintenance_workers = 2
random_page_cost = 1.1
effective_io_concurrency = 200
jit = ${PG_JIT:-off}
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
max_wal_size = 16GB
checkpoint_timeout = 1h
autovacuum = off
CONF
as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$WORK/postgres.log" -w start >/dev/null

rc=0
"$BIN" --pg="host=$WORK port=5432 user=postgres dbname=postgres" --sql-dir="$HERE" "$@" || rc=$?
cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown)
mem=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
printf '{"bench":"audiences","metric":"run","value":{"command":"%s","date":"%s","cpu":"%s","cores":%s,"memory":"%s","kernel":"%s","postgres":"%s","loadavg":"%s"}}\n' \
  "$0 -- $*" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$cpu" "$(nproc)" "$mem" "$(uname -r)" \
  "$("$PG_BIN/postgres" --version)" "$(cut -d' ' -f1-3 /proc/loadavg)"
exit $rc
