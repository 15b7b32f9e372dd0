#!/usr/bin/env bash
# fdatasync benchmark: what one synced commit costs on the data disk when the file grows (a
# plain RocksDB WAL) against overwriting space written with zeros beforehand (the zeroed WAL
# files of src/storage/prezeroed_wal.h), as a ratio, in one run.
#
# Usage: bench/storage/run.sh [BINARY] [-- fdatasync_bench flags]
#   BINARY  the fdatasync_bench executable [<repo>/build/bench/fdatasync_bench]; this script
#           builds nothing (cmake --build build --target fdatasync_bench)
#   flags   --syncs=N [3000]  --bytes=B [6000, about one group of single events]
#   BENCH_TMPDIR  directory on the disk to measure [${TMPDIR:-/tmp}]
#
# Output: stdout carries one JSON object per mode and round, then the ratios of the means;
# the human summary goes to stderr. Exits non-zero if a read-back does not match.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../common/binary.sh
source "$HERE/../common/binary.sh"
bench_binary storage fdatasync_bench "$@"
set -- ${BENCH_ARGS[@]+"${BENCH_ARGS[@]}"}
DIR=${BENCH_TMPDIR:-${TMPDIR:-/tmp}}
if [ "$(stat -f -c %T "$DIR")" = tmpfs ]; then
  echo "storage bench: $DIR is tmpfs, where fdatasync costs nothing; set BENCH_TMPDIR" >&2
fi

out=$("$BIN" --dir="$DIR" "$@")
echo "$out"
mean() {  # mean MODE FIELD: over the rounds
  jq -s --arg m "$1" --arg f "$2" '[.[] | select(.mode == $m) | .[$f]] | add / length' <<<"$out"
}
for f in wall_us_per_sync thread_cpu_us_per_sync; do
  a=$(mean append "$f")
  z=$(mean overwrite_zeroed "$f")
  echo "{\"bench\":\"fdatasync\",\"metric\":\"${f}_zeroed_vs_append\",\"value\":$(jq -n "$z / $a")}"
  printf 'fdatasync %-24s append %7.1f us, overwrite zeroed %7.1f us  (ratio %.2f)\n' \
    "$f" "$a" "$z" "$(jq -n "$z / $a")" >&2
done
if jq -e -s 'all(.[]; .verified)' <<<"$out" >/dev/null; then
  echo '{"bench":"fdatasync","metric":"verified","value":true}'
else
  echo "storage bench: FAILED: a chunk read back differs from what was written" >&2
  exit 1
fi
