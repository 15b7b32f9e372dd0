#!/usr/bin/env bash
# Live profile lag (issue 4, "Must show" 5): starts a fresh Cohort server on a free loopback
# port with an empty data directory, then runs bench/profiles/live_lag.py against it: installs
# the default Customer.io query, posts Customer.io events at a steady 5,000 events/s (NDJSON
# bodies of 50 every 10 ms) for 20 s, measures for sampled events the time from the 200 to the
# profile change being readable (p50/p99), and verifies the final counts. Stops the server.
#
# Usage: bench/profiles/live_lag.sh [-- live_lag.py flags]
#   env COHORT_BIN  the server binary [<repo>/build/cohort]; this script builds nothing
#   flags           --rate=5000 --batch=50 --duration=20 --senders=4 --people=50000
#                   --sample-every=4 --poll-ms=1 --seed=11 (see live_lag.py)
#
# stdout: JSON lines ({"bench":"profile_live_lag",...}) ending with a "run" line (command,
# date, machine); stderr: the human summary and the server's log tail on failure.
# Exit status: 0 when the answers verified (a missed lag target still exits 0 and says so).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${COHORT_BIN:-$ROOT/build/cohort}
[ "${1:-}" = "--" ] && shift
[[ "$BIN" = /* ]] || BIN=$PWD/$BIN
if [ ! -x "$BIN" ]; then
  echo "live lag: no server binary at $BIN (cmake --build build --target cohort)" >&2
  exit 1
fi

WORK=$(mktemp -d /tmp/cohort-live-lag-XXXXXX)
TOKEN="lagbench-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# setsid: the server gets its own session, hence its own scheduler autogroup, so that on a
# shared machine it does not share one CPU slice with this client (a real client is elsewhere).
COHORT_ADMIN_TOKEN=$TOKEN setsid "$BIN" serve --data "$WORK/data" --listen "127.0.0.1:$PORT" \
  >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 200); do
  if python3 - "$PORT" <<'PY' 2>/dev/null; then break; fi
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=1)
c.request("GET", "/readyz")
sys.exit(0 if c.getresponse().status == 200 else 1)
PY
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "live lag: the server exited at start:" >&2
    tail -20 "$WORK/server.log" >&2
    exit 1
  fi
  sleep 0.05
done

rc=0
python3 "$HERE/live_lag.py" --port "$PORT" --token "$TOKEN" --server-pid "$SERVER_PID" "$@" || rc=$?
if [ $rc -ne 0 ]; then
  echo "live lag: server log tail:" >&2
  tail -20 "$WORK/server.log" >&2
fi

cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown)
printf '{"bench":"profile_live_lag","metric":"run","value":{"command":"%s","date":"%s","cpu":"%s","cores":%s,"kernel":"%s","commit":"%s","loadavg":"%s"}}\n' \
  "COHORT_BIN=$BIN $0 $*" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$cpu" "$(nproc)" "$(uname -r)" \
  "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" "$(cut -d' ' -f1-3 /proc/loadavg)"
exit $rc
