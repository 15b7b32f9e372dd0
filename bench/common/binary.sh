# Sourced by the run.sh of benchmarks that drive one benchmark binary:
#   bench_binary NAME TARGET "$@"
# takes the optional leading BINARY argument (default <repo>/build/bench/TARGET) and the
# optional "--" from the arguments, sets BIN (absolute) and BENCH_ARGS (the rest, passed to
# the binary), and exits with a message naming the build target when there is no binary.
bench_binary() {
  local name=$1 target=$2 root
  shift 2
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  BIN=$root/build/bench/$target
  if [ $# -gt 0 ] && [ "$1" != "--" ]; then
    BIN=$1
    shift
  fi
  [ "${1:-}" = "--" ] && shift
  [[ "$BIN" = /* ]] || BIN=$PWD/$BIN
  BENCH_ARGS=("$@")
  if [ ! -x "$BIN" ]; then
    echo "$name bench: no binary at $BIN (cmake --build build --target $target)" >&2
    exit 1
  fi
}
