#!/usr/bin/env bash
# Memory benchmark of the pair (issue 17): base RSS of Proxy A and Proxy B after start and warm-up, then RSS and
# file descriptors per idle tunnel with N tunnels held through A -> B. `scripts/bench-idle.sh --help` explains.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

TUNNELS=100000
JVM_OPTIONS=deploy/jvm.options
BASE_PORT=21000
NMT=0
KEEP=0
WARMUP=1
PER_PROCESS=""
SERVE=0
usage() {
  cat <<'USAGE'
usage: scripts/bench-idle.sh [--tunnels N] [--java PATH] [--jvm-options FILE|none] [--cds DIR] [--nmt] [--no-warmup]
                             [--per-process N] [--base-port P] [--serve] [--keep-tmp]

Starts Proxy B and Proxy A on loopback (DevSetup's configs, ports moved, limits raised above N; A's location
table, in the run's temp dir, places the generator's 127.0.0.1 in Tokyo, so A signs a geohash for every tunnel and
B verifies it, binds its nonce and egresses from its tokyo pool, as for a real user), warms them up
with the load generator (HTTP/2 to A: bulk 10 s, rps 64 tunnels 10 s, setup 20 s; HTTP/1.1 setup 10 s), and
prints each proxy's RSS (VmRSS) and open file descriptors: the "base" figures. Then it opens N idle tunnels
(client HTTP/2 to A, 4 connections per generator; A -> B pooled HTTP/2; B dials a destination for each), waits
until A counts them all active (privacy_proxy_tunnels_active) or no more open for 60 s, and prints RSS and fds
again, per tunnel, at A and at B; then a setup run (HTTP/2 to A, 15 s) while they are held: setup p50/p99.

Options
  --tunnels N          idle tunnels to hold (default 100000; 0 = base figures only)
  --jvm-options FILE   JVM flags of both proxies, a java @argfile (default deploy/jvm.options, the production
                       set); "none" = the JVM's defaults (java -jar only)
  --java PATH          the java launcher of both proxies (default: java on the PATH, or $PROXY_JAVA), e.g.
                       /usr/lib/jvm/temurin-25-jdk-amd64/bin/java
  --cds DIR            keep an AppCDS archive per proxy jar and JDK in DIR: a run without one writes it when the
                       proxies exit (the next run maps it); see scripts/pair-env.sh (proxy_jvm). Measured: it
                       does not lower the RSS (docs/performance.md, "Memory"), so production does not use it
  --nmt                also -XX:NativeMemoryTracking=summary, and print `jcmd PID VM.native_memory summary`
                       of A and B after the warm-up (and after the tunnels are open)
  --no-warmup          base figures right after start
  --per-process N      at most N sockets per process (default: the file limit minus 1000, at most 20000): B
                       holds one socket per tunnel to its destination, so with a file limit below N the
                       tunnels' B side is spread over several B processes behind HAProxy (mode tcp,
                       leastconn; A's mTLS passes through it); destinations and generators likewise
  --base-port P        first loopback port used (P .. P+99; default 21000)
  --serve              after the figures, keep everything running (until Ctrl-C or SIGTERM) and print the
                       load generator's arguments for the pair, e.g. to compare throughput with other flags;
                       the tunnel limits are then at least 21,000, so the served pair also holds an idle
                       workload of the generator's own (e.g. HTTP/1.1 clients, which this script does not open)
  --keep-tmp           keep the temporary directory (configs, logs, generator reports)
  --help               this text

What it sets up itself: `ulimit -n` raised to the hard limit; HAProxy installed with apt-get when several B
processes are needed and it is missing. B dials with IP_BIND_ADDRESS_NO_PORT, so a source port is unique per
(egress address, destination address and port): each destination port takes at most --per-process tunnels,
below the ephemeral range (net.ipv4.ip_local_port_range), which is therefore left alone. Every process it starts
is recorded and killed by PID on exit. Needs python3, curl and the jars (built when missing).
USAGE
}
while [[ $# -gt 0 ]]; do
  case "$1" in
    --help|-h) usage; exit 0 ;;
    --tunnels) TUNNELS="$2"; shift ;;
    --tunnels=*) TUNNELS="${1#*=}" ;;
    --jvm-options) JVM_OPTIONS="$2"; shift ;;
    --jvm-options=*) JVM_OPTIONS="${1#*=}" ;;
    --java) PROXY_JAVA="$2"; shift ;;
    --java=*) PROXY_JAVA="${1#*=}" ;;
    --cds) PROXY_CDS_DIR="$2"; shift ;;
    --cds=*) PROXY_CDS_DIR="${1#*=}" ;;
    --nmt) NMT=1 ;;
    --no-warmup) WARMUP=0 ;;
    --per-process) PER_PROCESS="$2"; shift ;;
    --per-process=*) PER_PROCESS="${1#*=}" ;;
    --base-port) BASE_PORT="$2"; shift ;;
    --base-port=*) BASE_PORT="${1#*=}" ;;
    --keep-tmp) KEEP=1 ;;
    --serve) SERVE=1 ;;
    *) echo "bench-idle: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ "$TUNNELS" =~ ^[0-9]+$ ]] || { echo "--tunnels must be a number" >&2; exit 2; }
log() { echo "bench-idle: $*" >&2; }

# shellcheck source=scripts/pair-env.sh
source scripts/pair-env.sh
export PROXY_JAVA=${PROXY_JAVA:-java} PROXY_JVM_OPTIONS=$JVM_OPTIONS PROXY_CDS_DIR=${PROXY_CDS_DIR:-}
JAVA_BIN=$PROXY_JAVA
NMT_ARGS=()
[[ $NMT == 1 ]] && NMT_ARGS+=(-XX:NativeMemoryTracking=summary)
proxy_jvm proxy-a/target/proxy-a.jar "${NMT_ARGS[@]}" || exit 2
JVM_ARGS=("${PROXY_JVM[@]:1:${#PROXY_JVM[@]}-3}")   # what goes between java and -jar, for the report

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
FD_LIMIT=$(ulimit -n)
if [[ -z $PER_PROCESS ]]; then
  PER_PROCESS=$((FD_LIMIT - 1000)); [[ $PER_PROCESS -gt 20000 ]] && PER_PROCESS=20000
fi
[[ "$PER_PROCESS" =~ ^[0-9]+$ && $PER_PROCESS -gt 0 && $PER_PROCESS -lt $FD_LIMIT ]] \
  || { log "--per-process must be a number below the file limit ($FD_LIMIT)"; exit 2; }
SHARDS=$(( TUNNELS == 0 ? 1 : (TUNNELS + PER_PROCESS - 1) / PER_PROCESS ))
[[ $SHARDS -le 20 ]] || { log "$TUNNELS tunnels at $PER_PROCESS per process need $SHARDS processes of each kind (at most 20)"; exit 2; }

export PATH="$PATH:/usr/sbin:/sbin"
for c in python3 curl; do command -v $c >/dev/null || { log "$c is needed"; exit 1; }; done
if [[ $SHARDS -gt 1 ]] && ! command -v haproxy >/dev/null; then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  log "installing haproxy (apt-get)..."
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -qq haproxy >/dev/null 2>&1 \
    || { $SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq haproxy >/dev/null; }
fi

A_JAR=proxy-a/target/proxy-a.jar
B_JAR=proxy-b/target/proxy-b.jar
LG_JAR=loadgen/target/loadgen.jar
if [[ ! -f $A_JAR || ! -f $B_JAR || ! -f $LG_JAR ]]; then
  log "building (mvn -B -q -DskipTests package)..."
  mvn -B -q -DskipTests package
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-idle.XXXXXX")
pids=()
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    # a proxy writing its class data archive at exit (--cds) takes a few seconds more
    for _ in $(seq 1 $([[ -n $PROXY_CDS_DIR ]] && echo 600 || echo 100)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  wait "${pids[@]}" 2>/dev/null || true
  if [[ $KEEP == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ports: destinations P .. P+19, A P+20 (admin +21, issuer +22, gateway +23), HAProxy P+24, B i: P+30+i (admin
# P+50+i, OHTTP relay P+70+i)
P_A=$((BASE_PORT + 20)); P_A_ADMIN=$((BASE_PORT + 21)); P_A_ISSUER=$((BASE_PORT + 22)); P_A_GW=$((BASE_PORT + 23))
P_LB=$((BASE_PORT + 24))
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
listening=$(ss -Htln 2>/dev/null | awk '{print $4}' | sed 's/.*://' | sort -u)
for p in $(seq "$BASE_PORT" $((BASE_PORT + 99))); do
  if grep -qx "$p" <<<"$listening"; then log "port $p is in use: choose another --base-port"; exit 1; fi
done
start() { # name cmd...   (output to $TMP/name.log; PID in $STARTED_PID)
  local name=$1; shift
  "$@" >"$TMP/$name.log" 2>&1 &
  STARTED_PID=$!
  pids+=("$STARTED_PID")
}
wait_port() { # port name pid
  for _ in $(seq 1 240); do
    port_busy "$1" && return 0
    kill -0 "$3" 2>/dev/null || { log "$2 exited; its log:"; tail -20 "$TMP/$2.log" >&2 || true; exit 1; }
    sleep 0.25
  done
  log "$2 did not listen on $1"; exit 1
}
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }   # KiB
fds() { ls "/proc/$1/fd" | wc -l; }
lg() { java -Xmx1g -jar "$LG_JAR" "$@"; }

DEV=$TMP/dev
java -cp "$A_JAR" net.doublehop.proxya.DevSetup "$DEV" >/dev/null
# limits above N; idle-timeout (default 5m) above the run, or the first tunnels close while the last open
MAX=$((TUNNELS + 1000)); [[ $SERVE == 1 && $MAX -lt 21000 ]] && MAX=21000   # a served pair: room for any idle workload
LIMITS="{max-tunnels: $MAX, max-tunnels-per-connection: $MAX, max-concurrent-streams: $MAX, idle-timeout: 2h}"
# Proxy B i: own ports; its OHTTP relay to this A's gateway
for i in $(seq 0 $((SHARDS - 1))); do
  sed -e "s/^listen: 127.0.0.1:8443/listen: 127.0.0.1:$((BASE_PORT + 30 + i))/" \
      -e "s/^admin: 127.0.0.1:9090/admin: 127.0.0.1:$((BASE_PORT + 50 + i))/" \
      -e "s/listen: 127.0.0.1:8444/listen: 127.0.0.1:$((BASE_PORT + 70 + i))/" \
      -e "s#https://127.0.0.1:7445/gateway#https://127.0.0.1:$P_A_GW/gateway#" \
      "$DEV/proxy-b.yaml" >"$DEV/proxy-b$i.yaml"
  echo "limits: $LIMITS" >>"$DEV/proxy-b$i.yaml"
done
# Proxy A: own ports, upstream to B (or to HAProxy in front of the B processes: 4 connections per B); a preshared
# key for the load (alice's bcrypt would be paid by every connection); per-user limits above N
BENCH_KEY=bench-idle-$RANDOM$RANDOM
UPSTREAM_PORT=$((BASE_PORT + 30)); [[ $SHARDS -gt 1 ]] && UPSTREAM_PORT=$P_LB
sed -i -e "s/^listen: 127.0.0.1:7443/listen: 127.0.0.1:$P_A/" -e "s/^admin: 127.0.0.1:9091/admin: 127.0.0.1:$P_A_ADMIN/" \
       -e "s#url: https://127.0.0.1:8443#url: https://127.0.0.1:$UPSTREAM_PORT\n  max-connections: $((SHARDS * 4))#" \
       -e "s/listen: 127.0.0.1:7444/listen: 127.0.0.1:$P_A_ISSUER/" -e "s/listen: 127.0.0.1:7445/listen: 127.0.0.1:$P_A_GW/" \
       -e "s/^  file: users.txt/  file: users.txt\n  preshared-keys: [$BENCH_KEY]/" "$DEV/proxy-a.yaml"
echo "limits: {max-tunnels-per-user: $MAX, tunnels-per-second-per-user: 100000, ${LIMITS#\{}" >>"$DEV/proxy-a.yaml"
# A's location table: the generator's 127.0.0.1 in Tokyo (scripts/pair-env.sh, bench_location_table): a signed
# geohash per tunnel, as for a real user (DevSetup's embedded demo table maps only loopback aliases)
bench_location_table "$DEV/clients.csv"
sed -i -e "s#^geolocation: {precision: 5}#geolocation: {database: $DEV/clients.csv, precision: 5}#" "$DEV/proxy-a.yaml"
grep -q "preshared-keys: \[$BENCH_KEY\]" "$DEV/proxy-a.yaml" && grep -q "max-connections: " "$DEV/proxy-a.yaml" \
  && grep -q "^geolocation: {database: " "$DEV/proxy-a.yaml" || { log "could not edit proxy-a.yaml"; exit 1; }
grep -q "^listen: 127.0.0.1:$((BASE_PORT + 30))" "$DEV/proxy-b0.yaml" || { log "could not edit proxy-b.yaml"; exit 1; }

DESTS=$SHARDS
DEST_PIDS=()
for i in $(seq 0 $((DESTS - 1))); do
  start "dest$i" java -Xmx1g -jar "$LG_JAR" serve --listen "127.0.0.1:$((BASE_PORT + i))"
  DEST_PIDS+=("$STARTED_PID")
done
B_PIDS=()
for i in $(seq 0 $((SHARDS - 1))); do
  # one at a time: several JVMs starting at once on a busy machine overran B's start-up deadline
  proxy_jvm "$B_JAR" "${NMT_ARGS[@]}"
  start "proxy-b$i" "${PROXY_JVM[@]}" --config "$DEV/proxy-b$i.yaml"
  B_PIDS+=("$STARTED_PID")
  wait_port $((BASE_PORT + 50 + i)) "proxy-b$i" "$STARTED_PID"
done
LB_PID=""
if [[ $SHARDS -gt 1 ]]; then
  {
    echo "global"; echo "  maxconn 1000"; echo "  nbthread 1"   # carries A's few pooled connections to B only
    echo "defaults"; echo "  mode tcp"; echo "  timeout connect 5s"; echo "  timeout client 1h"; echo "  timeout server 1h"
    echo "frontend in"; echo "  bind 127.0.0.1:$P_LB"; echo "  default_backend bs"
    echo "backend bs"; echo "  balance leastconn"
    for i in $(seq 0 $((SHARDS - 1))); do echo "  server b$i 127.0.0.1:$((BASE_PORT + 30 + i))"; done
  } >"$TMP/lb.cfg"
  haproxy -c -q -f "$TMP/lb.cfg" || { log "haproxy rejects lb.cfg"; exit 1; }
  start lb haproxy -db -f "$TMP/lb.cfg"
  LB_PID=$STARTED_PID
  wait_port "$P_LB" lb "$LB_PID"
fi
proxy_jvm "$A_JAR" "${NMT_ARGS[@]}"
start proxy-a "${PROXY_JVM[@]}" --config "$DEV/proxy-a.yaml"
A_PID=$STARTED_PID
wait_port "$P_A_ADMIN" proxy-a "$A_PID"
for i in $(seq 0 $((DESTS - 1))); do wait_port $((BASE_PORT + i)) "dest$i" "${DEST_PIDS[$i]}"; done
for port in "$P_A_ADMIN" $(seq $((BASE_PORT + 50)) $((BASE_PORT + 49 + SHARDS))); do
  for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break; sleep 0.5; done
done
log "up: A pid $A_PID, B pids ${B_PIDS[*]}$([[ -n $LB_PID ]] && echo ", HAProxy pid $LB_PID"), destinations ${DEST_PIDS[*]}; JVM flags: ${JVM_ARGS[*]:-(defaults)}"

VIA_H2=(--proxy "https://127.0.0.1:$P_A" --proxy-version h2 --proxy-cacert "$DEV/ca.crt"
        --proxy-header "Proxy-Authorization: Preshared $BENCH_KEY")
VIA_H1=(--proxy "https://127.0.0.1:$P_A" --proxy-cacert "$DEV/ca.crt" --proxy-header "Proxy-Authorization: Preshared $BENCH_KEY")
if [[ $WARMUP == 1 ]]; then
  log "warm-up through A -> B: h2 bulk 10 s, h2 rps 10 s, h2 setup 20 s, h1 setup 10 s"
  lg "${VIA_H2[@]}" --target "127.0.0.1:$BASE_PORT" --workload bulk --tunnels 1 --duration 10s --quiet >"$TMP/warm1.txt" 2>&1 || true
  lg "${VIA_H2[@]}" --target "127.0.0.1:$BASE_PORT" --workload rps --tunnels 64 --duration 10s --quiet >"$TMP/warm2.txt" 2>&1 || true
  lg "${VIA_H2[@]}" --target "127.0.0.1:$BASE_PORT" --workload setup --tunnels 1 --duration 20s --quiet >"$TMP/warm3.txt" 2>&1 || true
  lg "${VIA_H1[@]}" --target "127.0.0.1:$BASE_PORT" --workload setup --tunnels 1 --duration 10s --quiet >"$TMP/warm4.txt" 2>&1 || true
  # what the warm-up did: on a starved machine it can be next to nothing, and the base figures depend on it
  log "warm-up did: $(grep -h -m1 '^  received' "$TMP/warm1.txt" | sed 's/^ *//; s/  */ /g' || true); $(grep -h -m1 '^  requests' "$TMP/warm2.txt" | sed 's/^ *//; s/  */ /g' || true); setups $(grep -h -m1 '^  tunnels' "$TMP/warm3.txt" "$TMP/warm4.txt" | awk '{print $2}' | paste -sd+ || true) (h2+h1)"
  log "B's tunnels after the warm-up: $(b_pool_tunnels $((BASE_PORT + 50)) tokyo) through its tokyo pool (signed geohash), $(b_pool_tunnels $((BASE_PORT + 50)) london) through london (no hint)"
  sleep 15 # past a native-heap trim (deploy/jvm.options: every 10 s) and a GC's settling
fi
nmt() { # label
  [[ $NMT == 1 ]] || return 0
  for pid in "$A_PID" "${B_PIDS[0]}"; do
    echo "--- $1: jcmd $pid VM.native_memory summary ($([[ $pid == "$A_PID" ]] && echo A || echo B))"
    "$(dirname "$(readlink -f "$(command -v "$JAVA_BIN")")")/jcmd" "$pid" VM.native_memory summary | grep -E "^(Total|-)|committed=" | grep -E "^(Total|-)" | sed 's/^ *//'
  done
}
sum_rss() { local s=0 p; for p in "$@"; do s=$((s + $(rss "$p"))); done; echo $s; }
sum_fds() { local s=0 p; for p in "$@"; do s=$((s + $(fds "$p"))); done; echo $s; }
A_RSS0=$(rss "$A_PID"); B_RSS0=$(sum_rss "${B_PIDS[@]}"); A_FDS0=$(fds "$A_PID"); B_FDS0=$(sum_fds "${B_PIDS[@]}")
echo
echo "load average $(cut -d' ' -f1-3 /proc/loadavg); $("$JAVA_BIN" -version 2>&1 | head -1); JVM flags: ${JVM_ARGS[*]:-(defaults)}"
rss_parts() { awk '/^Rss(Anon|File|Shmem)/ {printf "%s%s %d MiB", sep, $1, $2 / 1024; sep=", "}' "/proc/$1/status" | tr -d ':'; }
echo "base A: $(rss_parts "$A_PID"); B: $(rss_parts "${B_PIDS[0]}")"
echo "base (after start$([[ $WARMUP == 1 ]] && echo " and warm-up")): A RSS $((A_RSS0 / 1024)) MiB, B RSS $((B_RSS0 / 1024)) MiB$([[ $SHARDS -gt 1 ]] && echo " ($SHARDS processes)"), pair $(((A_RSS0 + $(rss "${B_PIDS[0]}")) / 1024)) MiB (A + one B); fds A $A_FDS0, B $B_FDS0"
nmt "after warm-up"
serve() {
  [[ $SERVE == 1 ]] || return 0
  echo "serving until Ctrl-C / SIGTERM (pid $$); the pair, HTTP/2 to A:"
  echo "  java -jar $LG_JAR ${VIA_H2[*]:0:6} --proxy-header 'Proxy-Authorization: Preshared $BENCH_KEY' --target 127.0.0.1:$BASE_PORT ..."
  while :; do sleep 5; done
}
[[ $TUNNELS == 0 ]] && { serve; exit 0; }

# ---- idle tunnels: one generator per destination, each HTTP/2 to A on 4 connections ------------------------------
active() { curl -fsS "http://127.0.0.1:$P_A_ADMIN/metrics" 2>/dev/null | awk '/^privacy_proxy_tunnels_active/ {s+=$2} END {print s+0}'; }
BEFORE_ACTIVE=$(active)
log "opening $TUNNELS idle tunnels ($DESTS generator(s), HTTP/2 to A, 4 connections each)"
T0=$(date +%s)
GEN_PIDS=()
for i in $(seq 0 $((DESTS - 1))); do
  n=$(( TUNNELS / DESTS + (i < TUNNELS % DESTS ? 1 : 0) ))
  # java itself, not the lg function: the PID recorded must be the JVM's, for the cleanup to reach it
  start "gen$i" java -Xmx1g -jar "$LG_JAR" "${VIA_H2[@]}" --target "127.0.0.1:$((BASE_PORT + i))" --workload idle --tunnels "$n" \
    --h2-connections 4 --concurrency 64 --duration 3600s --json "$TMP/gen$i.json"
  GEN_PIDS+=("$STARTED_PID")
done
last=-1; still=0
while :; do
  sleep 5
  now=$(( $(active) - BEFORE_ACTIVE ))
  [[ $now -ge $TUNNELS ]] && break
  if [[ $now -le $last ]]; then still=$((still + 5)); else still=0; fi
  last=$now
  [[ $still -ge 60 ]] && { log "no new tunnel for 60 s: measuring with $now held"; break; }
  (( ( $(date +%s) - T0 ) % 30 < 5 )) && log "  $now tunnels active at A after $(( $(date +%s) - T0 )) s"
done
OPEN_S=$(( $(date +%s) - T0 ))
sleep 10 # let the last openings settle before reading RSS
HELD=$(( $(active) - BEFORE_ACTIVE ))
A_RSS1=$(rss "$A_PID"); B_RSS1=$(sum_rss "${B_PIDS[@]}"); A_FDS1=$(fds "$A_PID"); B_FDS1=$(sum_fds "${B_PIDS[@]}")
LB_FDS=""; [[ -n $LB_PID ]] && LB_FDS=$(fds "$LB_PID")
per() { python3 -c "print(f'{($2 - $1) / max($3, 1):.2f}')"; }
echo "held: $HELD of $TUNNELS tunnels active at A, opened in ${OPEN_S} s"
echo "A: RSS $((A_RSS0 / 1024)) -> $((A_RSS1 / 1024)) MiB = $(per "$A_RSS0" "$A_RSS1" "$HELD") KiB per tunnel; fds $A_FDS0 -> $A_FDS1 = $(per "$A_FDS0" "$A_FDS1" "$HELD") per tunnel"
echo "B$([[ $SHARDS -gt 1 ]] && echo " (sum of $SHARDS processes)"): RSS $((B_RSS0 / 1024)) -> $((B_RSS1 / 1024)) MiB = $(per "$B_RSS0" "$B_RSS1" "$HELD") KiB per tunnel; fds $B_FDS0 -> $B_FDS1 = $(per "$B_FDS0" "$B_FDS1" "$HELD") per tunnel"
for i in $(seq 0 $((SHARDS - 1))); do
  [[ $SHARDS -gt 1 ]] && echo "  B$i: RSS $(( $(rss "${B_PIDS[$i]}") / 1024 )) MiB, fds $(fds "${B_PIDS[$i]}")"
done
[[ -n $LB_FDS ]] && echo "HAProxy (A -> B connections only): fds $LB_FDS"
nmt "with $HELD tunnels held"

log "setup through A -> B while they are held (h2, 5 s warm-up, 15 s)"
if lg "${VIA_H2[@]}" --target "127.0.0.1:$BASE_PORT" --workload setup --tunnels 1 --warmup 5s --duration 15s \
     --json "$TMP/setup.json" >"$TMP/setup.txt" 2>&1; then :; fi
python3 - "$TMP/setup.json" <<'PY' || echo "setup while held: no result (see the generator's output)"
import json, sys
j = json.load(open(sys.argv[1]))
p = j["latency"]["setup"]["percentiles"]
print(f"setup while held: p50 {p['p50'] / 1000:.2f} ms, p99 {p['p99'] / 1000:.2f} ms, "
      f"{j['totals'].get('errors', 0)} errors")
PY
echo "still active at A after the setup run: $(( $(active) - BEFORE_ACTIVE )); load average $(cut -d' ' -f1-3 /proc/loadavg)"
serve
