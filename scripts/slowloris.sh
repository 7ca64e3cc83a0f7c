#!/usr/bin/env bash
# The slowloris figure of issue 16: many TLS connections to Proxy A trickling a request header one byte per second
# while good users open tunnels; their setup p99 loaded vs unloaded (same run), and what A's request-header deadline
# did with the slow connections.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'USAGE'
usage: scripts/slowloris.sh [--connections N] [--rate R] [--header-timeout D] [--out DIR] [--no-build]

Starts Proxy B, Proxy A and a `loadgen serve` destination on free loopback ports (scripts/pair-env.sh), raises
the open-file limit to its hard limit, then:
  1. unloaded: the load generator's setup workload through A (2 loops of new TLS connection + CONNECT + 1-byte
     round trip, HTTP/1.1, 5 s warm-up, 15 s measured): setup latency p50/p99;
  2. starts scripts/slowloris-client.py: N TLS connections to A (R new ones per second), each sending
     "CONNECT 127.0.0.1:1 HTTP/1.1" and then one header byte per second, never finishing the header;
  3. loaded: once all N are open, the same setup workload again, while A holds them;
  4. waits until A's request-header deadline has closed every slow connection (408, then the close) and prints
     the figures: p99 unloaded, p99 loaded and their ratio (the issue's bound: under 2), slow connections held at
     once, closed by the deadline, answered 408, their lifetimes, and A's open fds and RSS at the peak.

  --connections N     slow connections (default 10000)
  --rate R            new slow connections per second (default 250)
  --header-timeout D  A's limits.request-header-timeout for this run (default 90s: long enough that all N are
                      held at once while the loaded figure is measured; the default of the proxy is 10s)
  --out DIR           logs and outputs (default target/slowloris/<time>)
  --no-build          use the jars already built

Exit 0 when the loaded p99 is under twice the unloaded one and every slow connection was closed by A.
USAGE
}

CONNECTIONS=10000
RATE=250
HEADER_TIMEOUT=90s
OUT=""
BUILD=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --connections) CONNECTIONS=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --header-timeout) HEADER_TIMEOUT=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "slowloris: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
OUT=${OUT:-target/slowloris/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

ulimit -n "$(ulimit -Hn)"
need=$((CONNECTIONS + 1000))
if (( $(ulimit -n) < need )); then
  echo "slowloris: the open-file limit is $(ulimit -n), $need needed (raise the hard limit: ulimit -Hn)" >&2
  exit 2
fi

# shellcheck source=scripts/pair-env.sh
source scripts/pair-env.sh
[[ $BUILD == 1 ]] && pair_build

CLIENT_PID=""
cleanup() {
  [[ -n "$CLIENT_PID" ]] && kill "$CLIENT_PID" 2>/dev/null
  pair_stop
}
trap cleanup EXIT INT TERM

PAIR_A_LIMITS="{request-header-timeout: $HEADER_TIMEOUT, max-tunnels-per-user: 20000, tunnels-per-second-per-user: 100000}"
pair_start "$OUT/pair"
echo "slowloris: A 127.0.0.1:$A_PORT (pid $A_PID, request-header-timeout $HEADER_TIMEOUT), B pid $B_PID"

setup_p99() { # label -> prints "p50 p99" in ms of the whole setup
  java -Xmx256m -jar "$LOADGEN_JAR" --proxy "https://127.0.0.1:$A_PORT" --proxy-cacert "$OUT/pair/ca.crt" \
    --proxy-user alice:wonderland --target "127.0.0.1:$DEST_PORT" --proxy-version h1 --workload setup \
    --tunnels 2 --warmup 5s --no-jit-settle --duration 15s --json "$OUT/setup-$1.json" >"$OUT/setup-$1.txt" 2>&1 || true
  python3 - "$OUT/setup-$1.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))["latency"]["setup"]["percentiles"]  # microseconds
print("%.2f %.2f" % (p["p50"] / 1000, p["p99"] / 1000))
PY
}

read -r U50 U99 < <(setup_p99 unloaded)
echo "slowloris: unloaded setup p50 ${U50} ms, p99 ${U99} ms"

python3 scripts/slowloris-client.py --port "$A_PORT" --connections "$CONNECTIONS" --rate "$RATE" \
  --duration $(( CONNECTIONS / ${RATE%.*} + ${HEADER_TIMEOUT%s} + 30 )) --status-file "$OUT/slow-status.json" \
  >"$OUT/slow-summary.json" 2>"$OUT/slow-client.err" &
CLIENT_PID=$!
status() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$OUT/slow-status.json" "$1" 2>/dev/null || echo 0; }
while (( $(status started) < CONNECTIONS )) && kill -0 "$CLIENT_PID" 2>/dev/null; do sleep 1; done
# the last handshakes
for _ in $(seq 1 30); do (( $(status open) + $(status handshake_failed) + $(status closed_by_proxy) >= CONNECTIONS )) && break; sleep 1; done
HELD_BEFORE=$(status open)
A_FDS_PEAK=$(fds "$A_PID"); A_RSS_PEAK=$(( $(rss_kb "$A_PID") / 1024 ))
echo "slowloris: $HELD_BEFORE slow connections open at A (A: $A_FDS_PEAK fds, RSS $A_RSS_PEAK MiB); measuring good users"
read -r L50 L99 < <(setup_p99 loaded)
HELD_AFTER=$(status open)
echo "slowloris: loaded setup p50 ${L50} ms, p99 ${L99} ms; slow connections open after the measurement: $HELD_AFTER"

wait "$CLIENT_PID" || true
CLIENT_PID=""
A_FDS_END=$(fds "$A_PID")
python3 - "$OUT/slow-summary.json" "$U50" "$U99" "$L50" "$L99" "$HELD_BEFORE" "$HELD_AFTER" "$A_FDS_PEAK" \
  "$A_RSS_PEAK" "$A_FDS_END" "$CONNECTIONS" "$HEADER_TIMEOUT" <<'PY' | tee "$OUT/summary.txt"
import json, sys
s = json.load(open(sys.argv[1]))
u50, u99, l50, l99 = map(float, sys.argv[2:6])
held_before, held_after, fds_peak, rss_peak, fds_end, n = map(int, sys.argv[6:12])
ratio = l99 / u99 if u99 else float("inf")
print(f"slowloris figure: {n} slow connections to A (one header byte per second), request-header-timeout {sys.argv[12]}")
print(f"  good users' setup (new TLS connection + CONNECT through A and B + 1-byte round trip), 2 loops, 15 s each:")
print(f"    unloaded p50 {u50:.2f} ms  p99 {u99:.2f} ms")
print(f"    loaded   p50 {l50:.2f} ms  p99 {l99:.2f} ms   ratio p99 {ratio:.2f} (bound: < 2)")
print(f"  slow connections: {s['started']} started, {s['peak_open']} held at once (peak), {held_before} open when the"
      f" loaded measurement began, {held_after} when it ended; {s['handshake_failed']} handshakes failed")
print(f"  closed by A: {s['closed_by_proxy']} ({s['answered_408']} after a 408, {s['answered_other']} after another"
      f" answer), lifetime min {s['lifetime_s_min']} s, p50 {s['lifetime_s_p50']} s, max {s['lifetime_s_max']} s;"
      f" still open at the end: {s['open']}")
print(f"  A at the peak: {fds_peak} open fds, RSS {rss_peak} MiB; after: {fds_end} fds")
ok = ratio < 2 and s["open"] == 0 and s["closed_by_proxy"] >= s["started"] - s["handshake_failed"]
print("  result: " + ("PASS" if ok else "FAIL"))
sys.exit(0 if ok else 1)
PY
