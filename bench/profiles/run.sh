#!/usr/bin/env bash
# Profile benchmarks (issue 4, "Must show" 5; docs/benchmarks.md "## Profiles"):
#   1. rebuild throughput: profile_rebuild_bench — the profile stage rebuilding profiles with the
#      default Customer.io query from a stored corpus, beside simdjson parse-only throughput on
#      the same records, as a ratio in one run, checked against profile::BuildProfilesInMemory;
#   2. live lag: live_lag.sh — a fresh server at a steady 5,000 events/s, time from the 200 to
#      the profile change being readable, p50/p99, final counts verified.
#
# Usage: bench/profiles/run.sh [rebuild|live|all (default)] [-- profile_rebuild_bench flags]
#   env PROFILE_BENCH_BIN  [<repo>/build/bench/profiles/profile_rebuild_bench]
#   env COHORT_BIN         [<repo>/build/cohort]
#   env LIVE_LAG_ARGS      extra flags for live_lag.py, e.g. "--duration=10"
# This script builds nothing:
#   cmake --build build --target profile_rebuild_bench cohort
#
# stdout: JSON lines only (each with "bench"), one "run" line per benchmark with command, date
# and machine; stderr: human summaries. Exits non-zero if either benchmark's answers fail to
# verify (a missed performance target still exits 0 and says so).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WHAT=all
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
  WHAT=$1
  shift
fi
[ "${1:-}" = "--" ] && shift
BIN=${PROFILE_BENCH_BIN:-$ROOT/build/bench/profiles/profile_rebuild_bench}
export COHORT_BIN=${COHORT_BIN:-$ROOT/build/cohort}
cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown)

rc=0
if [ "$WHAT" = all ] || [ "$WHAT" = rebuild ]; then
  if [ ! -x "$BIN" ]; then
    echo "profiles bench: no binary at $BIN (cmake --build build --target profile_rebuild_bench)" >&2
    exit 1
  fi
  "$BIN" "$@" || rc=$?
  printf '{"bench":"profile_rebuild","metric":"run","value":{"command":"%s","date":"%s","cpu":"%s","cores":%s,"kernel":"%s","commit":"%s","loadavg":"%s"}}\n' \
    "$BIN $*" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$cpu" "$(nproc)" "$(uname -r)" \
    "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" "$(cut -d' ' -f1-3 /proc/loadavg)"
fi
if [ "$WHAT" = all ] || [ "$WHAT" = live ]; then
  # shellcheck disable=SC2086
  "$HERE/live_lag.sh" -- ${LIVE_LAG_ARGS:-} || rc=$?
fi
exit $rc
