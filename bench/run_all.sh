#!/usr/bin/env bash
# Runs every benchmark: each bench/<name>/run.sh that exists, in name order (`make bench`).
#
#   bench/run_all.sh              all benchmarks
#   bench/run_all.sh ingest ...   only the named ones
#
# Every run.sh prints machine-readable results on stdout (one JSON object per line, each with
# a "bench" field) and a human summary on stderr; this script passes both through, so
#   bench/run_all.sh > results.jsonl
# collects every result in one file. The environment is passed through (COHORT_BIN, DURATION,
# ...; see each run.sh and docs/benchmarks.md). COHORT_BIN defaults to build/cohort.
#
# Exit status: 0 when every benchmark ran and verified its answers, 1 otherwise. A benchmark
# that misses a performance target still exits 0 and says so in its summary.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
export COHORT_BIN=${COHORT_BIN:-$ROOT/build/cohort}

scripts=()
if [ $# -gt 0 ]; then
  for name in "$@"; do
    [ -x "$HERE/$name/run.sh" ] || { echo "run_all: no benchmark bench/$name/run.sh" >&2; exit 1; }
    scripts+=("$HERE/$name/run.sh")
  done
else
  for s in "$HERE"/*/run.sh; do
    [ -x "$s" ] && scripts+=("$s")
  done
fi
[ ${#scripts[@]} -gt 0 ] || { echo "run_all: no benchmarks found under bench/*/run.sh" >&2; exit 1; }

failed=()
for s in "${scripts[@]}"; do
  name=$(basename "$(dirname "$s")")
  echo "=== bench/$name ($(date -u +%FT%TZ))" >&2
  start=$SECONDS
  if "$s"; then
    echo "=== bench/$name: ok ($((SECONDS - start)) s)" >&2
  else
    rc=$?
    echo "=== bench/$name: FAILED (exit $rc, $((SECONDS - start)) s)" >&2
    failed+=("$name")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "run_all: failed: ${failed[*]}" >&2
  exit 1
fi
echo "run_all: all ${#scripts[@]} benchmark(s) ran and verified their answers" >&2
