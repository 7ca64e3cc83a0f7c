#!/usr/bin/env bash
# Soak test of the proxy pair: Proxy B, Proxy A and a `loadgen serve` destination on free loopback ports, the load
# generator's mixed workload through A -> B for N minutes, RSS / open fds / old-generation heap / tunnels of each
# proxy sampled into a CSV, a snapshot after a full GC at the end of every cycle, and a summary (the curve per third,
# the growth verdict, errors, byte checks) at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'USAGE'
usage: scripts/soak.sh [--minutes N] [--interval S] [--faults] [--out DIR] [--no-build]

Starts Proxy B, Proxy A (development certificates, user alice/wonderland, -Xmx512m each unless PROXY_JAVA_OPTS
says otherwise) and a `loadgen serve` destination on free loopback ports (A's location table places the
generator's 127.0.0.1 in Tokyo: A signs a geohash for every tunnel, B verifies it and egresses from its tokyo
pool), then runs one-minute cycles of the load generator's mixed workload through A -> B until N minutes have
passed. Each cycle runs, at the same time:
  bulk   2 tunnels over HTTP/2, 4 downloads of 64 MiB
  setup  2 loops of new TLS connection + CONNECT + 1-byte round trip (HTTP/1.1), 400 setups
  rps    8 keep-alive tunnels over HTTP/2, 30,000 request/response round trips
  idle   300 tunnels over HTTP/2 held for 40 s
  udp    4 CONNECT-UDP flows over HTTP/2, 20,000 datagrams (window 4)
  bytes  scripts/soak-check.py: 8 MiB SOURCE and 2 MiB ECHO through A, every byte compared (twice per cycle)
Every --interval seconds (default 5) it appends to DIR/samples.csv: the time, and for A and B their RSS (KiB),
open file descriptors, old-generation heap in use (KiB, jstat) and open tunnels (their metrics).

  --minutes N    how long to run (default 30)
  --interval S   seconds between samples (default 5)
  --faults       a fault every cycle: 20 s into it, Proxy B is killed (SIGKILL) and started again on its port;
                 the summary says, for each, how long after B was ready again (its /health/ready, polled every
                 50 ms) a user got a tunnel through A. Tunnels cut by it count as errors of that cycle (and byte
                 checks as "cut", not "corrupt").
  --out DIR      where the CSV, the logs and each cycle's loadgen output go (default target/soak/<time>)
  --no-build     use the jars already built (proxy-a, proxy-b, loadgen)

At the end of every cycle, once its work is done, it takes a snapshot into DIR/snapshots.csv: a full garbage
collection in each proxy (jcmd GC.run) and the heap then in use (the live data: "heap after GC"), RSS, fds and
open tunnels; after the last cycle it waits (at most 90 s) for the tunnels to drain and takes one more.

The summary (scripts/soak-summary.py) cuts the run into thirds and prints, per proxy and quantity, each third's
start, min, max and end (the curve) and the mean of its cycle-end snapshots; then the errors per workload and the
byte checks. Growth is judged on the snapshots, the last third against the middle third (the first is warm-up:
JIT, heap sizing, pools, TLS caches): a quantity grows without bound when its last third is above its middle
third by more than 10% plus a small slack (RSS 16 MiB, heap 4 MiB, fds 8, tunnels 8). Snapshots at the same
point of every cycle compare like with like; a first-minute "start" against a last-minute "end" does not (the
heap grows towards -Xmx on its own, and a cycle's tunnels may still be open). With --faults B restarts every
cycle, so only A's growth is judged. It exits 1 when a byte was corrupt, when a workload failed without a fault
to explain it, when a quantity grew, or when tunnels were still open after the load drained.
USAGE
}

MINUTES=30
INTERVAL=5
FAULTS=0
OUT=""
BUILD=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --minutes) MINUTES=$2; shift 2 ;;
    --interval) INTERVAL=$2; shift 2 ;;
    --faults) FAULTS=1; shift ;;
    --out) OUT=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "soak: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
OUT=${OUT:-target/soak/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# shellcheck source=scripts/pair-env.sh
source scripts/pair-env.sh
[[ $BUILD == 1 ]] && pair_build
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

SAMPLER_PID=""
cleanup() {
  [[ -n "$SAMPLER_PID" ]] && kill "$SAMPLER_PID" 2>/dev/null
  pair_stop
}
trap cleanup EXIT INT TERM

pair_start "$OUT/pair"
echo "$B_PID" >"$OUT/b.pid"
echo "soak: A 127.0.0.1:$A_PORT (pid $A_PID), B 127.0.0.1:$B_PORT (pid $B_PID), destination 127.0.0.1:$DEST_PORT;" \
  "$MINUTES min, samples every ${INTERVAL}s into $OUT/samples.csv"

# The fault: B killed (SIGKILL) mid-cycle and started again; how long after B is ready (its /health/ready, polled
# every 50 ms) A gives a user a tunnel again.
RECOVERY_MS=()
kill_and_restart_b() {
  kill -KILL "$B_PID" 2>/dev/null || true
  wait "$B_PID" 2>/dev/null || true
  # shellcheck disable=SC2086
  java ${PROXY_JAVA_OPTS:--Xmx512m} -jar "$B_JAR" --config "$OUT/pair/soak-b.yaml" >>"$OUT/pair/b.log" 2>&1 &
  B_PID=$!
  echo "$B_PID" >"$OUT/b.pid"
  for _ in $(seq 1 1200); do
    curl -fsS "http://127.0.0.1:$B_ADMIN/health/ready" >/dev/null 2>&1 && break
    sleep 0.05
  done
  python3 scripts/soak-check.py --proxy-port "$A_PORT" --cacert "$OUT/pair/ca.crt" --target "127.0.0.1:$DEST_PORT" \
    --probe-until-ok 30 >"$1/recovery.json" 2>&1 || true
  RECOVERY_MS+=("$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ms"])' "$1/recovery.json" 2>/dev/null || echo None)")
}

old_kb() { jstat -gc "$1" 2>/dev/null | awk 'NR == 2 {print int($8)}' || echo 0; }

# Heap in use right after a full collection (KiB): the live data, which is what a leak makes grow. Sums the "used"
# of the heap's lines of GC.heap_info (one for G1, two for the generational collectors), not the metaspace's.
live_kb() {
  jcmd "$1" GC.run >/dev/null 2>&1 || { echo 0; return; }
  jcmd "$1" GC.heap_info 2>/dev/null | awk '!/Metaspace|class space/ {
      while (match($0, /used [0-9]+K/)) { s += substr($0, RSTART + 5, RLENGTH - 6); $0 = substr($0, RSTART + RLENGTH) } }
    END { print s + 0 }'
}

T0=$(date +%s)
echo "label,elapsed_s,a_rss_kb,a_fds,a_live_kb,a_tunnels,b_rss_kb,b_fds,b_live_kb,b_tunnels" >"$OUT/snapshots.csv"
# snapshot LABEL: a full GC in both proxies, then one row of their figures into snapshots.csv
snapshot() {
  local a_live b_live
  a_live=$(live_kb "$A_PID")
  b_live=$(live_kb "$B_PID")
  echo "$1,$(( $(date +%s) - T0 )),$(rss_kb "$A_PID"),$(fds "$A_PID"),$a_live,$(metric "$A_ADMIN" privacy_proxy_tunnels_active),$(rss_kb "$B_PID"),$(fds "$B_PID"),$b_live,$(metric "$B_ADMIN" privacy_proxy_tunnels_active)" >>"$OUT/snapshots.csv"
}

sample_loop() {
  local b
  echo "epoch,elapsed_s,a_rss_kb,a_fds,a_old_kb,a_tunnels,b_rss_kb,b_fds,b_old_kb,b_tunnels" >"$OUT/samples.csv"
  while true; do
    b=$(cat "$OUT/b.pid")
    echo "$(date +%s),$(( $(date +%s) - T0 )),$(rss_kb "$A_PID"),$(fds "$A_PID"),$(old_kb "$A_PID"),$(metric "$A_ADMIN" privacy_proxy_tunnels_active),$(rss_kb "$b"),$(fds "$b"),$(old_kb "$b"),$(metric "$B_ADMIN" privacy_proxy_tunnels_active)" >>"$OUT/samples.csv"
    sleep "$INTERVAL"
  done
}
sample_loop &
SAMPLER_PID=$!

LG=(java -Xmx512m -jar "$LOADGEN_JAR" --proxy "https://127.0.0.1:$A_PORT" --proxy-cacert "$OUT/pair/ca.crt"
    --proxy-user alice:wonderland --target "127.0.0.1:$DEST_PORT")
WORKLOADS=(bulk setup rps idle udp)
declare -A ARGS=(
  [bulk]="--proxy-version h2 --workload bulk --tunnels 2 --bytes 64M --count 4 --duration 50s"
  [setup]="--proxy-version h1 --workload setup --tunnels 2 --count 400 --duration 50s"
  [rps]="--proxy-version h2 --workload rps --tunnels 8 --count 30000 --duration 50s"
  [idle]="--proxy-version h2 --workload idle --tunnels 300 --concurrency 50 --duration 40s"
  [udp]="--proxy-version h2 --workload udp --tunnels 4 --window 4 --count 20000 --duration 50s"
)
declare -A ERRORS RUNS FAILED_RUNS
for w in "${WORKLOADS[@]}"; do ERRORS[$w]=0; RUNS[$w]=0; FAILED_RUNS[$w]=0; done
UNEXPLAINED=0
CHECK_OK=0; CHECK_CUT=0; CHECK_CORRUPT=0; CHECK_REFUSED=0; CHECK_BYTES=0; FAULTS_DONE=0

END=$(( $(date +%s) + MINUTES * 60 ))
cycle=0
while (( $(date +%s) + 55 <= END )); do
  cycle=$((cycle + 1))
  start=$(date +%s)
  dir="$OUT/cycle-$cycle"
  mkdir -p "$dir"
  pids=()
  for w in "${WORKLOADS[@]}"; do
    # shellcheck disable=SC2086
    "${LG[@]}" ${ARGS[$w]} >"$dir/$w.txt" 2>&1 &
    pids+=($!)
  done
  python3 scripts/soak-check.py --proxy-port "$A_PORT" --cacert "$OUT/pair/ca.crt" \
    --target "127.0.0.1:$DEST_PORT" --rounds 2 >"$dir/bytes.json" 2>"$dir/bytes.err" &
  check_pid=$!
  fault=0
  if [[ $FAULTS == 1 ]]; then
    sleep 20
    kill_and_restart_b "$dir"
    fault=1
    FAULTS_DONE=$((FAULTS_DONE + 1))
  fi
  i=0
  for w in "${WORKLOADS[@]}"; do
    rc=0
    wait "${pids[$i]}" || rc=$?
    i=$((i + 1))
    e=$(awk '/^  errors / {print $2; exit}' "$dir/$w.txt")
    e=${e:-0}
    RUNS[$w]=$(( RUNS[$w] + 1 ))
    ERRORS[$w]=$(( ERRORS[$w] + e ))
    if [[ $rc != 0 ]]; then
      FAILED_RUNS[$w]=$(( FAILED_RUNS[$w] + 1 ))
      [[ $fault == 0 ]] && UNEXPLAINED=$((UNEXPLAINED + 1))
    fi
  done
  wait "$check_pid" || true
  if read -r ok cut corrupt refused bytes < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["ok"], r["cut"], r["corrupt"], r["refused"], r["bytes_checked"])' "$dir/bytes.json" 2>/dev/null); then
    CHECK_OK=$((CHECK_OK + ok)); CHECK_CUT=$((CHECK_CUT + cut)); CHECK_CORRUPT=$((CHECK_CORRUPT + corrupt))
    CHECK_REFUSED=$((CHECK_REFUSED + refused)); CHECK_BYTES=$((CHECK_BYTES + bytes))
    [[ $fault == 0 && $((cut + refused)) -gt 0 ]] && UNEXPLAINED=$((UNEXPLAINED + 1))
  else
    CHECK_REFUSED=$((CHECK_REFUSED + 1))
  fi
  snapshot "cycle-$cycle"
  IFS=, read -r _ _ a_rss a_fds a_live a_tun b_rss b_fds b_live b_tun < <(tail -1 "$OUT/snapshots.csv")
  echo "soak: cycle $cycle done in $(( $(date +%s) - start ))s$([[ $fault == 1 ]] && echo ' (B killed and restarted)');" \
    "A rss $(( a_rss / 1024 )) MiB heap $(( a_live / 1024 )) MiB fds $a_fds tunnels $a_tun;" \
    "B rss $(( b_rss / 1024 )) MiB heap $(( b_live / 1024 )) MiB fds $b_fds tunnels $b_tun"
  # cycles start once a minute
  now=$(date +%s)
  (( now - start < 60 && now + 55 <= END )) && sleep $(( 60 - (now - start) ))
done
# After the load: the tunnels drain (idle ones are held 40 s), then a last snapshot of what stays.
for _ in $(seq 1 90); do
  open=$(awk -v a="$(metric "$A_ADMIN" privacy_proxy_tunnels_active)" -v b="$(metric "$B_ADMIN" privacy_proxy_tunnels_active)" \
    'BEGIN {print a + b}')
  [[ $open == 0 ]] && break
  sleep 1
done
snapshot after
sleep "$INTERVAL"
kill "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=""

echo
echo "soak summary: $MINUTES min, $cycle cycles, $FAULTS_DONE faults (B killed), samples in $OUT/samples.csv," \
  "cycle-end snapshots in $OUT/snapshots.csv"
set +e
python3 scripts/soak-summary.py "$OUT/samples.csv" "$OUT/snapshots.csv" $([[ $FAULTS == 1 ]] && echo --faults) \
  | tee "$OUT/summary.txt"
grew=${PIPESTATUS[0]}
set -e
echo "loadgen runs (errors counted by the generator; failed = runs that exited non-zero):" | tee -a "$OUT/summary.txt"
for w in "${WORKLOADS[@]}"; do
  printf '  %-6s runs %3d  failed %3d  errors %d\n' "$w" "${RUNS[$w]}" "${FAILED_RUNS[$w]}" "${ERRORS[$w]}" | tee -a "$OUT/summary.txt"
done
echo "byte checks: $CHECK_OK whole, $CHECK_CUT cut short by a fault, $CHECK_CORRUPT corrupt, $CHECK_REFUSED not opened;" \
  "$(( CHECK_BYTES / 1048576 )) MiB compared" | tee -a "$OUT/summary.txt"
if [[ $FAULTS == 1 ]]; then
  echo "B killed and restarted $FAULTS_DONE times; first good tunnel through A after B was ready, ms: ${RECOVERY_MS[*]}" \
    | tee -a "$OUT/summary.txt"
fi
echo "failures without a fault to explain them: $UNEXPLAINED" | tee -a "$OUT/summary.txt"
if [[ $CHECK_CORRUPT -gt 0 || $UNEXPLAINED -gt 0 || $grew != 0 ]]; then
  echo "soak: FAILED" | tee -a "$OUT/summary.txt"
  exit 1
fi
echo "soak: passed" | tee -a "$OUT/summary.txt"
