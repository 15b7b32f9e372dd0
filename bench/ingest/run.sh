#!/usr/bin/env bash
# Ingest benchmark (issue 2, "Must show" 6): Cohort's durable webhook ingest against nginx
# answering `return 200` under the same wrk load, in one run, reported as ratios.
#
#   nginx   nginx `return 200 'ok'`, single-event Customer.io bodies     -> requests/s
#   single  cohort POST /collect/json/customerio, the same wrk load      -> durable events/s
#   ndjson  cohort, NDJSON bodies of NDJSON_EVENTS events, same load      -> durable events/s
#
# The three phases run once per round (ROUNDS rounds, order rotated each round); ratios are
# taken within a round and the median over rounds is reported, because the machine is shared
# and its speed drifts from one minute to the next.
#
# Every event_id is unique (bench/ingest/collect.lua). Each Cohort phase gets a fresh server
# and data directory, and its answers are checked against the load generator's own record of
# what it sent (the reference):
#   - no acknowledged event lost: stored events >= 200s wrk read x events per request;
#   - stream event_count == (200s Cohort answered, from /metrics) x events per request, exactly;
#   - 200s wrk read  <=  200s Cohort answered  <=  requests wrk wrote (request() calls); the
#     gap is requests in flight when wrk's duration ended (at most one per connection);
#   - duplicate_count == 0 and rejected_count == 0;
#   - the stored event_ids, read back through GET /api/stream/customerio/events (all of them
#     for single-event phases, the newest 20,000 for NDJSON phases), are distinct and each one
#     is an id wrk sent.
# Any failure exits non-zero with the reason. A missed performance target does not fail the
# run; it is reported.
#
# Output: stdout carries only machine-readable results, one JSON object per line
# ({"bench":"ingest","metric":...,"value":...}); the human summary goes to stderr.
#
# Environment (defaults in brackets):
#   COHORT_BIN        cohort binary [<repo>/build/cohort]; this script builds nothing
#   DURATION          wrk duration of each phase in each round [10s]
#   ROUNDS            rounds of the three phases [3]
#   CONNECTIONS       wrk connections [32]        WRK_THREADS   wrk threads [2]
#   NDJSON_EVENTS     events per NDJSON body [1000]
#   IO_THREADS        cohort --io-threads [0 = one per core]; nginx gets as many workers
#   BENCH_TMPDIR      where data dirs go [${TMPDIR:-/tmp}]; must be a real disk for fsync
#                     to mean anything (the script warns on tmpfs)
#   TEMPLATE          the Customer.io event every body is made of [bench/ingest/event_template.json,
#                     a copy of shared/fixtures/customerio/current_email_opened.json]
#   NGINX_BIN [/usr/sbin/nginx]   WRK_BIN [wrk]   KEEP_TMP=1 keeps the temp dir
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
COHORT_BIN=${COHORT_BIN:-$ROOT/build/cohort}
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-32}
WRK_THREADS=${WRK_THREADS:-2}
NDJSON_EVENTS=${NDJSON_EVENTS:-1000}
IO_THREADS=${IO_THREADS:-0}
BENCH_TMPDIR=${BENCH_TMPDIR:-${TMPDIR:-/tmp}}
TEMPLATE=${TEMPLATE:-$HERE/event_template.json}
NGINX_BIN=${NGINX_BIN:-/usr/sbin/nginx}
WRK_BIN=${WRK_BIN:-wrk}
LUA=$HERE/collect.lua
STREAM=customerio

log() { printf '%s\n' "$*" >&2; }
die() { log "ingest bench: FAILED: $*"; exit 1; }

[[ "$COHORT_BIN" = /* ]] || COHORT_BIN=$ROOT/$COHORT_BIN
[ -x "$COHORT_BIN" ] || die "no cohort binary at $COHORT_BIN (build it, or set COHORT_BIN)"
command -v "$WRK_BIN" >/dev/null || die "wrk not found (apt-get install wrk)"
[ -x "$NGINX_BIN" ] || die "nginx not found at $NGINX_BIN (apt-get install nginx-light)"
for t in curl jq awk ss; do command -v "$t" >/dev/null || die "$t not found"; done
[ -r "$TEMPLATE" ] || die "cannot read TEMPLATE $TEMPLATE"

NICE=$(nice)
NPROC=$(nproc)
if [ "$IO_THREADS" -gt 0 ]; then SERVER_THREADS=$IO_THREADS; else SERVER_THREADS=$NPROC; fi

WORK=$(mktemp -d "$BENCH_TMPDIR/cohort-ingest-bench.XXXXXX")
NGINX_PID=""
COHORT_PID=""

stop_pid() {  # stop_pid PID: SIGTERM, then SIGKILL after 15 s; only the process we started.
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 150); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  stop_pid "$COHORT_PID"
  stop_pid "$NGINX_PID"
  if [ "${KEEP_TMP:-0}" = 1 ] || [ $rc -ne 0 ]; then
    log "ingest bench: temp files kept in $WORK"
  else
    rm -rf "$WORK"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {  # a TCP port nothing listens on (a small race with other processes is tolerated)
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    ss -Htln "sport = :$p" | grep -q . || { echo "$p"; return; }
  done
}

emit() {  # emit METRIC VALUE [UNIT]: one JSON result line on stdout
  jq -cn --arg m "$1" --argjson v "$2" --arg u "${3:-}" \
    '{bench:"ingest",metric:$m,value:$v} + (if $u == "" then {} else {unit:$u} end)'
}

# ---- machine ---------------------------------------------------------------------------------
CPU_MODEL=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
DATA_FS=$(findmnt -no FSTYPE -T "$WORK" 2>/dev/null | head -1)
[ -n "$DATA_FS" ] || DATA_FS=$(stat -f -c %T "$WORK")
[ "$DATA_FS" = tmpfs ] && log "WARNING: $WORK is on tmpfs; fsync costs nothing there and the " \
  "Cohort numbers are not durable rates. Set BENCH_TMPDIR to a directory on a disk."

# Mean latency of a synced 4 KiB append on the data filesystem (dd with O_DSYNC, 100 writes),
# as a process on this machine sees it right now (device flush plus any wait for a CPU): a
# rough floor under each group commit. Shared disks vary a lot, so it is measured every round.
dsync_write_ms() {
  local t
  t=$(LC_ALL=C dd if=/dev/zero of="$WORK/dsync-probe" bs=4k count=100 oflag=dsync 2>&1 |
    awk '/copied/ { for (i = 1; i <= NF; i++) if ($i ~ /^s,?$/) print $(i - 1) }')
  rm -f "$WORK/dsync-probe"
  jq -n "${t:-0} * 1000 / 100"
}

# ---- nginx -----------------------------------------------------------------------------------
start_nginx() {
  local port=$1 prefix=$WORK/nginx
  mkdir -p "$prefix/logs"
  cat >"$prefix/nginx.conf" <<EOF
# Generated by bench/ingest/run.sh: the static baseline, one worker per Cohort I/O thread.
worker_processes $SERVER_THREADS;
daemon off;
pid $prefix/nginx.pid;
error_log $prefix/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  # Cohort keeps a keep-alive connection for any number of requests; so does nginx here.
  keepalive_requests 100000000;
  keepalive_timeout 75s;
  client_max_body_size 16m;
  client_body_temp_path $prefix/client_body;
  proxy_temp_path $prefix/proxy; fastcgi_temp_path $prefix/fastcgi;
  uwsgi_temp_path $prefix/uwsgi; scgi_temp_path $prefix/scgi;
  server {
    listen 127.0.0.1:$port;
    location / { return 200 'ok'; }
  }
}
EOF
  "$NGINX_BIN" -c "$prefix/nginx.conf" -p "$prefix" >"$prefix/logs/stdout.log" 2>&1 &
  NGINX_PID=$!
  local i
  for i in $(seq 100); do
    curl -fsS -o /dev/null -X POST --data-binary @"$TEMPLATE" "http://127.0.0.1:$port/" 2>/dev/null \
      && return 0
    kill -0 "$NGINX_PID" 2>/dev/null || { cat "$prefix/logs/"* >&2; die "nginx did not start"; }
    sleep 0.1
  done
  die "nginx is not answering on port $port"
}

# ---- cohort ----------------------------------------------------------------------------------
ADMIN_TOKEN="bench-admin-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
COHORT_PORT=""
start_cohort() {  # start_cohort NAME: a fresh server on a fresh data dir; sets COHORT_PORT
  local name=$1 dir=$WORK/cohort-$1
  mkdir -p "$dir"
  COHORT_ADMIN_TOKEN=$ADMIN_TOKEN "$COHORT_BIN" serve --data "$dir/data" \
    --listen 127.0.0.1:0 --io-threads "$IO_THREADS" >"$dir/server.log" 2>&1 &
  COHORT_PID=$!
  local i
  COHORT_PORT=""
  for i in $(seq 200); do
    COHORT_PORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$dir/server.log" |
      head -1)
    if [ -n "$COHORT_PORT" ] &&
      curl -fsS -o /dev/null "http://127.0.0.1:$COHORT_PORT/healthz" 2>/dev/null; then
      return 0
    fi
    kill -0 "$COHORT_PID" 2>/dev/null || { cat "$dir/server.log" >&2; die "cohort did not start"; }
    sleep 0.05
  done
  die "cohort is not answering (log: $dir/server.log)"
}
stop_cohort() { stop_pid "$COHORT_PID"; COHORT_PID=""; }

api() { curl -fsS -H "Authorization: Bearer $ADMIN_TOKEN" "http://127.0.0.1:$COHORT_PORT$1"; }
stream_stats() { api "/api/stream/$STREAM" | jq -c '.data'; }
metric() {  # metric 'exact series text': its value from /metrics, 0 when absent
  api /metrics | awk -v s="$1" 'index($0, s " ") == 1 { v = $NF } END { print v + 0 }'
}
collect_200s() { metric 'cohort_http_requests_total{route="POST /collect/json/{stream}",code="200"}'; }

# ---- wrk -------------------------------------------------------------------------------------
RUN_ID="b$(date +%s)$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
# CPU accounting, to tell a slow server from a busy machine. Jiffies of the given processes
# (all their threads), and of the whole machine: busy (user+nice+system+irq+softirq) and steal.
proc_jiffies() {
  local p s=0
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] && s=$((s + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{ print $12 + $13 }')))
  done
  echo "$s"
}
machine_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $9 }' /proc/stat; }
HZ=$(getconf CLK_TCK)

# run_wrk PHASE URL EVENTS_PER_REQUEST SERVER_PID...: prints the INGEST_RESULT json of wrk,
# extended with the CPU each party used during the run, in cores (CPU seconds per second):
# server_cores, wrk_cores, other_cores (everything else busy on the machine: other users' jobs,
# and kernel threads such as ksoftirqd and I/O workers that partly serve this benchmark) and
# steal_cores (taken by the hypervisor); and background_cores_before, what other work used in
# the quiet second before the load started (so other_cores above it is this benchmark's own
# kernel-thread work, or a change in the background).
run_wrk() {
  local phase=$1 url=$2 epr=$3 out=$WORK/wrk-$1.txt tfile=$WORK/wrk-$1.time
  shift 3
  local s0 m0 s1 m1 mb sb wall wu ws bb stb b0 st0 b1 st1 TIMEFORMAT='%R %U %S'
  # One quiet second first: what the machine is busy with while our servers idle.
  sb=$(proc_jiffies "$@")
  mb=$(machine_jiffies)
  sleep 1
  s0=$(proc_jiffies "$@")
  m0=$(machine_jiffies)
  { time INGEST_TEMPLATE=$TEMPLATE INGEST_EVENTS_PER_REQUEST=$epr \
    INGEST_RUN_ID="$RUN_ID$phase" "$WRK_BIN" -t "$WRK_THREADS" -c "$CONNECTIONS" \
    -d "$DURATION" --timeout 30s --latency -s "$LUA" "$url" >"$out" 2>&1; } 2>"$tfile" ||
    { cat "$out" >&2; die "wrk failed in phase $phase"; }
  s1=$(proc_jiffies "$@")
  m1=$(machine_jiffies)
  local res
  res=$(sed -n 's/^INGEST_RESULT //p' "$out" | tail -1)
  [ -n "$res" ] || { cat "$out" >&2; die "wrk printed no INGEST_RESULT in phase $phase"; }
  read -r wall wu ws <"$tfile"
  read -r bb stb <<<"$mb"
  read -r b0 st0 <<<"$m0"
  read -r b1 st1 <<<"$m1"
  jq -c --argjson wall "$wall" --argjson wcpu "$(jq -n "$wu + $ws")" \
    --argjson srv "$(((s1 - s0)))" --argjson busy "$((b1 - b0))" --argjson steal "$((st1 - st0))" \
    --argjson hz "$HZ" --argjson bg "$(((b0 - bb) - (s0 - sb)))" \
    '. + {server_cores: ($srv / $hz / $wall), wrk_cores: ($wcpu / $wall),
          other_cores: ([(($busy / $hz) - ($srv / $hz) - $wcpu) / $wall, 0] | max),
          steal_cores: ($steal / $hz / $wall),
          background_cores_before: ([$bg / $hz, 0] | max)}' <<<"$res"
}
rate() {  # rate RESULT_JSON EVENTS_PER_REQUEST: 2xx-answered events per second
  jq -r --argjson epr "$2" '(.requests - .non2xx) * $epr / (.duration_us / 1e6)' <<<"$1"
}

# Waits until the stream's event count stops moving (requests wrk abandoned when its duration
# ended may still be committing), then checks the stored events against the reference.
verify_cohort() {  # verify_cohort PHASE RESULT_JSON EVENTS_PER_REQUEST ID_CHECK(all|sample)
  local phase=$1 res=$2 epr=$3 idcheck=$4
  local prev=-1 cur stats i
  for i in $(seq 100); do
    stats=$(stream_stats)
    cur=$(jq -r '.event_count' <<<"$stats")
    [ "$cur" = "$prev" ] && break
    prev=$cur
    sleep 0.3
  done
  local stored dups rejected served ok sent
  stored=$(jq -r '.event_count' <<<"$stats")
  dups=$(jq -r '.duplicate_count' <<<"$stats")
  rejected=$(jq -r '.rejected_count' <<<"$stats")
  served=$(collect_200s)
  ok=$(jq -r '.requests - .non2xx' <<<"$res")
  sent=$(jq -r '.sent' <<<"$res")
  log "  check $phase: stored=$stored events; 200s answered by cohort=$served, read by wrk=$ok," \
    "requests written<=$sent; duplicates=$dups rejected=$rejected"
  [ "$dups" = 0 ] || die "$phase: duplicate_count is $dups, but every event_id was unique"
  [ "$rejected" = 0 ] || die "$phase: rejected_count is $rejected; every event was valid"
  [ "$stored" -ge $((ok * epr)) ] ||
    die "$phase: LOST EVENTS: $((ok * epr)) events were answered 200 but only $stored are stored"
  [ "$stored" -eq $((served * epr)) ] ||
    die "$phase: stored $stored events but cohort answered 200 to $served requests x $epr"
  [ "$served" -ge "$ok" ] || die "$phase: wrk read $ok 200s but cohort counted only $served"
  [ "$served" -le "$sent" ] || die "$phase: cohort answered $served > $sent requests written"

  # Read stored ids back (newest first) and check them against what wrk generated.
  local ids=$WORK/ids-$phase.txt before=0 page n want
  : >"$ids"
  if [ "$idcheck" = all ]; then want=$stored; else want=$((stored < 20000 ? stored : 20000)); fi
  while :; do
    n=$(wc -l <"$ids")
    [ "$n" -lt "$want" ] || break
    page=$(api "/api/stream/$STREAM/events?limit=10000&before=$before")
    jq -r '.data[].event.event_id' <<<"$page" >>"$ids"
    before=$(jq -r '.data[-1].seq // 0' <<<"$page")
    [ "$before" -gt 1 ] || break
  done
  n=$(wc -l <"$ids")
  [ "$n" -ge "$want" ] || die "$phase: read back only $n of $want events"
  [ "$(sort -u "$ids" | wc -l)" -eq "$n" ] || die "$phase: a stored event_id occurs twice"
  # Reference: ids are <run><phase>-<thread>-<counter>[-<line>], thread 1..WRK_THREADS,
  # counter <= that thread's request() calls, line 1..epr.
  jq -r '.sent_by_thread | @tsv' <<<"$res" | tr '\t' '\n' >"$WORK/sent-$phase.txt"
  awk -v pfx="$RUN_ID$phase" -v epr="$epr" -v nthreads="$WRK_THREADS" '
    NR == FNR { sent[FNR] = $1; next }
    {
      k = split($0, f, "-")
      bad = (f[1] != pfx) || (epr == 1 ? k != 3 : k != 4)
      if (!bad) bad = (f[2] < 1 || f[2] > nthreads || f[3] < 1 || f[3] > sent[f[2]])
      if (!bad && epr > 1) bad = (f[4] < 1 || f[4] > epr)
      if (bad) { print "unexpected event_id: " $0 > "/dev/stderr"; exit 1 }
    }' "$WORK/sent-$phase.txt" "$ids" || die "$phase: a stored event_id was never sent"
  log "  check $phase: $n stored event_ids read back ($idcheck): distinct, all sent by wrk"
}

# ---- phases ----------------------------------------------------------------------------------
# Each phase runs DURATION once per round; rounds rotate the phase order, so slow spells of the
# shared machine fall on every phase alike. Ratios are taken within a round (phases minutes
# apart would compare different machines), and the reported figure is the median over rounds.
declare -A R  # R[<key>,<round>] = value

record_cpu() {  # record_cpu PHASE RESULT_JSON ROUND: keeps the CPU split of a phase
  local k
  for k in server wrk other steal; do R[$1_${k}_cores,$3]=$(jq ".${k}_cores" <<<"$2"); done
  R[$1_background_cores,$3]=$(jq ".background_cores_before" <<<"$2")
}
cpu_text() {  # cpu_text PHASE ROUND
  printf 'cores: server %.2f, wrk %.2f, other %.2f (%.2f just before), steal %.2f' \
    "${R[$1_server_cores,$2]}" "${R[$1_wrk_cores,$2]}" "${R[$1_other_cores,$2]}" \
    "${R[$1_background_cores,$2]}" "${R[$1_steal_cores,$2]}"
}

phase_nginx() {
  local r=$1 res
  res=$(run_wrk "nginx$r" "http://127.0.0.1:$NGINX_PORT/collect/json/$STREAM?key=x" 1 \
    "$NGINX_PID" $(pgrep -P "$NGINX_PID"))
  [ "$(jq -r '.non2xx' <<<"$res")" = 0 ] || die "nginx answered non-2xx: $res"
  R[nginx_rps,$r]=$(rate "$res" 1)
  R[nginx_p99,$r]=$(jq '.latency_p99_us / 1000' <<<"$res")
  record_cpu nginx "$res" "$r"
  R[nginx_us_per_event,$r]=$(jq -n "${R[nginx_server_cores,$r]} * 1e6 / ${R[nginx_rps,$r]}")
  log "  round $r nginx:  $(printf '%.0f' "${R[nginx_rps,$r]}") requests/s; $(cpu_text nginx "$r")"
}

phase_cohort() {  # phase_cohort single|ndjson ROUND
  local kind=$1 r=$2 epr=1 idcheck=all res commits records lag
  if [ "$kind" = ndjson ]; then epr=$NDJSON_EVENTS; idcheck=sample; fi
  start_cohort "$kind$r"
  res=$(run_wrk "$kind$r" \
    "http://127.0.0.1:$COHORT_PORT/collect/json/$STREAM?key=$ADMIN_TOKEN" "$epr" "$COHORT_PID")
  # Right when the load stops: group commits and log records so far (the log also holds what
  # the server's own pipeline stages append, e.g. customerio_events), and how far the
  # Customer.io processor stage is behind.
  local m
  m=$(api /metrics)
  commits=$(awk '$1 == "cohort_log_group_commits_total" { print $2 }' <<<"$m")
  records=$(awk '$1 == "cohort_log_last_seq" { print $2 }' <<<"$m")
  lag=$(awk 'index($1, "cohort_pipeline_lag_events{stage=\"processor:customerio\"}") == 1 \
    { print $2 }' <<<"$m")
  verify_cohort "$kind$r" "$res" "$epr" "$idcheck"
  stop_cohort
  R[${kind}_eps,$r]=$(rate "$res" "$epr")
  R[${kind}_rps,$r]=$(rate "$res" 1)
  R[${kind}_p50,$r]=$(jq '.latency_p50_us / 1000' <<<"$res")
  R[${kind}_p99,$r]=$(jq '.latency_p99_us / 1000' <<<"$res")
  R[${kind}_non2xx,$r]=$(jq '.non2xx' <<<"$res")
  R[${kind}_per_commit,$r]=$(jq -n "if ${commits:-0} > 0 then ${records:-0} / $commits else 0 end")
  R[${kind}_lag,$r]=${lag:-0}
  record_cpu "$kind" "$res" "$r"
  R[${kind}_us_per_event,$r]=$(jq -n "${R[${kind}_server_cores,$r]} * 1e6 / ${R[${kind}_eps,$r]}")
  log "  round $r $kind: $(printf '%.0f' "${R[${kind}_eps,$r]}") events/s," \
    "$(printf '%.1f' "${R[${kind}_per_commit,$r]}") log records per group commit," \
    "processor lag ${R[${kind}_lag,$r]};" \
    "$(cpu_text "$kind" "$r")"
}

cpu_json() {  # cpu_json ROUND: {"nginx":{"server":..,"wrk":..,"other":..,"steal":..},...}
  local p k out="{}"
  for p in nginx single ndjson; do
    for k in server wrk other background steal; do
      out=$(jq -c --arg p "$p" --arg k "$k" --argjson v "${R[${p}_${k}_cores,$1]}" \
        '.[$p][$k] = $v' <<<"$out")
    done
  done
  echo "$out"
}

median() {  # median KEY: the median over rounds of R[KEY,*]
  local r
  for r in $(seq "$ROUNDS"); do echo "${R[$1,$r]}"; done | sort -g |
    awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
sum() {  # sum KEY
  local r
  for r in $(seq "$ROUNDS"); do echo "${R[$1,$r]}"; done | awk '{ s += $1 } END { print s + 0 }'
}

# ---- run -------------------------------------------------------------------------------------
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
log "ingest bench: $(date -u +%FT%TZ), $NPROC x $CPU_MODEL, data on $DATA_FS ($WORK)"
log "  wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION x $ROUNDS rounds; nginx workers =" \
  "cohort io threads = $SERVER_THREADS; NDJSON bodies of $NDJSON_EVENTS events;" \
  "load average $LOAD_START"

NGINX_PORT=$(free_port)
start_nginx "$NGINX_PORT"
PHASES=(nginx single ndjson)
for r in $(seq "$ROUNDS"); do
  R[dsync_ms,$r]=$(dsync_write_ms)
  log "round $r/$ROUNDS (synced 4 KiB write on the data disk: $(printf '%.2f' "${R[dsync_ms,$r]}") ms)"
  for i in 0 1 2; do
    p=${PHASES[$(((i + r - 1) % 3))]}
    if [ "$p" = nginx ]; then phase_nginx "$r"; else phase_cohort "$p" "$r"; fi
  done
  R[ratio,$r]=$(jq -n "${R[single_eps,$r]} / ${R[nginx_rps,$r]}")
  R[ndjson_ratio,$r]=$(jq -n "${R[ndjson_eps,$r]} / ${R[single_eps,$r]}")
done
stop_pid "$NGINX_PID"
NGINX_PID=""
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

NGINX_RPS=$(median nginx_rps)
SINGLE_EPS=$(median single_eps)
NDJSON_EPS=$(median ndjson_eps)
RATIO=$(median ratio)
NDJSON_RATIO=$(median ndjson_ratio)
MET_RATIO=$(jq -n "$RATIO >= 0.5")
MAX_OTHER=$(for k in "${!R[@]}"; do if [[ $k == *_other_cores,* ]]; then echo "${R[$k]}"; fi; done |
  sort -g | tail -1)
MET_NDJSON=$(jq -n "$NDJSON_RATIO >= 10")

# ---- results ---------------------------------------------------------------------------------
jq -cn --arg date "$(date -u +%FT%TZ)" --arg cpu "$CPU_MODEL" --argjson nproc "$NPROC" \
  --arg fs "$DATA_FS" --arg duration "$DURATION" --argjson rounds "$ROUNDS" \
  --argjson c "$CONNECTIONS" --argjson t "$WRK_THREADS" --argjson st "$SERVER_THREADS" \
  --argjson nd "$NDJSON_EVENTS" --arg l0 "$LOAD_START" --arg l1 "$LOAD_END" --argjson nice "$NICE" \
  '{bench:"ingest",metric:"setup",value:null,date:$date,nproc:$nproc,cpu:$cpu,data_fs:$fs,
    duration_per_phase:$duration,rounds:$rounds,connections:$c,wrk_threads:$t,
    server_threads:$st,ndjson_events:$nd,loadavg_start:$l0,loadavg_end:$l1,nice:$nice}'
for r in $(seq "$ROUNDS"); do
  jq -cn --argjson r "$r" --argjson n "${R[nginx_rps,$r]}" --argjson s "${R[single_eps,$r]}" \
    --argjson d "${R[ndjson_eps,$r]}" --argjson a "${R[ratio,$r]}" \
    --argjson b "${R[ndjson_ratio,$r]}" --argjson cpu "$(cpu_json "$r")" \
    --argjson ds "${R[dsync_ms,$r]}" \
    '{bench:"ingest",metric:"round",value:$r,nginx_static_rps:$n,cohort_single_event_rps:$s,
      cohort_ndjson_events_per_s:$d,ratio_vs_nginx:$a,ndjson_vs_single_ratio:$b,
      dsync_write_ms:$ds,cores:$cpu}'
done
# Rates and ratios below are medians over rounds (each ratio is taken within its round).
emit nginx_static_rps "$NGINX_RPS" requests/s
emit cohort_single_event_rps "$SINGLE_EPS" events/s
emit ratio_vs_nginx "$RATIO"
emit "cohort_ndjson${NDJSON_EVENTS}_events_per_s" "$NDJSON_EPS" events/s
emit "cohort_ndjson${NDJSON_EVENTS}_rps" "$(median ndjson_rps)" requests/s
emit ndjson_vs_single_ratio "$NDJSON_RATIO"
emit nginx_latency_p99_ms "$(median nginx_p99)" ms
emit cohort_single_latency_p50_ms "$(median single_p50)" ms
emit cohort_single_latency_p99_ms "$(median single_p99)" ms
emit cohort_ndjson_latency_p50_ms "$(median ndjson_p50)" ms
emit cohort_ndjson_latency_p99_ms "$(median ndjson_p99)" ms
emit cohort_single_log_records_per_commit "$(median single_per_commit)" records
emit cohort_ndjson_log_records_per_commit "$(median ndjson_per_commit)" records
emit cohort_single_processor_lag_at_end "$(median single_lag)" events
emit cohort_ndjson_processor_lag_at_end "$(median ndjson_lag)" events
emit cohort_single_non2xx "$(sum single_non2xx)"
emit cohort_ndjson_non2xx "$(sum ndjson_non2xx)"
emit nginx_server_cores "$(median nginx_server_cores)" cores
emit cohort_single_server_cores "$(median single_server_cores)" cores
emit cohort_ndjson_server_cores "$(median ndjson_server_cores)" cores
emit nginx_cpu_us_per_request "$(median nginx_us_per_event)" us
emit cohort_single_cpu_us_per_event "$(median single_us_per_event)" us
emit cohort_ndjson_cpu_us_per_event "$(median ndjson_us_per_event)" us
emit max_other_cores "$MAX_OTHER" cores
emit disk_dsync_write_ms "$(median dsync_ms)" ms
emit target_ratio_vs_nginx_met "$MET_RATIO"
emit target_ndjson_vs_single_met "$MET_NDJSON"
emit verified true

yesno() { if [ "$1" = true ]; then echo "MET"; else echo "NOT MET"; fi; }
per_round() { local r; for r in $(seq "$ROUNDS"); do printf ' %.*f' "$2" "${R[$1,$r]}"; done; }
{
  echo
  echo "Ingest benchmark: $NPROC x $CPU_MODEL, data on $DATA_FS, wrk -t$WRK_THREADS" \
    "-c$CONNECTIONS -d$DURATION, $ROUNDS rounds (median; per round in brackets)"
  printf '  %-36s %10.0f requests/s  [%s ]\n' "nginx return 200:" "$NGINX_RPS" \
    "$(per_round nginx_rps 0)"
  printf '  %-36s %10.0f events/s    [%s ]  %.1f log records per fsync\n' \
    "cohort single-event, durable:" "$SINGLE_EPS" "$(per_round single_eps 0)" \
    "$(median single_per_commit)"
  printf '  %-36s %10.0f events/s    [%s ]  %.0f log records per fsync\n' \
    "cohort NDJSON x$NDJSON_EVENTS, durable:" "$NDJSON_EPS" "$(per_round ndjson_eps 0)" \
    "$(median ndjson_per_commit)"
  printf '  %-36s %10.3f  [%s ]  target >= 0.5: %s\n' "cohort single / nginx:" "$RATIO" \
    "$(per_round ratio 3)" "$(yesno "$MET_RATIO")"
  printf '  %-36s %10.1f  [%s ]  target >= 10:  %s\n' "NDJSON events/s / single events/s:" \
    "$NDJSON_RATIO" "$(per_round ndjson_ratio 1)" "$(yesno "$MET_NDJSON")"
  echo "  answers verified in every Cohort phase: stored == 200s x events, no duplicates," \
    "stored ids are ids wrk sent"
  echo "  load average: $LOAD_START at start, $LOAD_END at end; synced 4 KiB write on the" \
    "data disk: [$(per_round dsync_ms 2) ] ms"
  printf '  CPU in cores (median): nginx %.2f + wrk %.2f; cohort single %.2f + wrk %.2f;' \
    "$(median nginx_server_cores)" "$(median nginx_wrk_cores)" \
    "$(median single_server_cores)" "$(median single_wrk_cores)"
  printf ' cohort NDJSON %.2f + wrk %.2f\n' "$(median ndjson_server_cores)" \
    "$(median ndjson_wrk_cores)"
  printf '  server CPU per answered event (median): nginx %.1f us, cohort single %.1f us,' \
    "$(median nginx_us_per_event)" "$(median single_us_per_event)"
  printf ' cohort NDJSON %.1f us\n' "$(median ndjson_us_per_event)"
  if jq -e -n "$MAX_OTHER > 0.5" >/dev/null; then
    printf '  WARNING: other work used up to %.2f of the %d cores during a phase; the machine was\n' \
      "$MAX_OTHER" "$NPROC"
    echo "  busy, and a server whose requests hop between threads suffers most from that."
  fi
} >&2
