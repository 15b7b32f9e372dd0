#!/usr/bin/env bash
# Customer.io processor benchmark (issue 3, "Must show" 4): the processor alone against simdjson
# parsing the same corpus alone, as a ratio, in one run (see processor_bench.cc for what is
# measured and how the answers are checked against a reference).
#
# Usage: bench/processor/run.sh [BINARY] [-- processor_bench flags]
#   BINARY  the processor_bench executable [<repo>/build/bench/processor_bench]; this script
#           builds nothing (cmake --build build --target processor_bench)
#   flags   --events=N [200000]  --reps=R [5]  --seed=S [42]
#
# Output: stdout carries only machine-readable results, one JSON object per line
# ({"bench":"customerio_processor","metric":...,"value":...}), ending with a "run" line that
# records the command, date, machine and load; the human summary goes to stderr. Exits non-zero if
# the benchmark's answers do not match the reference.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../common/binary.sh
source "$HERE/../common/binary.sh"
bench_binary processor processor_bench "$@"
set -- ${BENCH_ARGS[@]+"${BENCH_ARGS[@]}"}

load_before=$(cut -d' ' -f1 /proc/loadavg)
"$BIN" "$@"
load_after=$(cut -d' ' -f1 /proc/loadavg)

cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown)
printf '{"bench":"customerio_processor","metric":"run","value":{"command":"%s","date":"%s","cpu":"%s","cores":%s,"kernel":"%s","loadavg_1m_before":%s,"loadavg_1m_after":%s}}\n' \
  "$BIN${*:+ $*}" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$cpu" "$(nproc)" "$(uname -r)" "$load_before" "$load_after"
