#!/usr/bin/env bash
# Peer benchmark (issue 6): the same loadgen workloads, in one run, through
#   direct          no proxy (loadgen --direct)
#   direct TLS      HAProxy (mode tcp) terminating TLS in front of the destination (loadgen --direct-tls)
#   haproxy chain   TLS -> HAProxy #1 -(TLS)-> HAProxy #2 -> destination, no CONNECT (loadgen --direct-tls)
#                   -- the baseline every ratio is computed against
#   squid chain     HTTP CONNECT -> squid #1 -(cache_peer parent)-> squid #2 -> destination
#   our pair h1     HTTPS CONNECT (HTTP/1.1, one TLS connection per tunnel) -> Proxy A -(pooled h2, TLS)-> Proxy B
#   our pair h2     the same with HTTP/2 CONNECT streams to A
#   our pair h3     HTTP/3 CONNECT streams to A -(pooled h3, QUIC)-> Proxy B (a second pair, configured for HTTP/3)
#   socat UDP       UDP -> socat #1 -> socat #2 -> the destination's UDP echo (the baseline of the UDP rows)
# and writes the table to docs/performance.md. `scripts/bench-peers.sh --help` explains the options.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

QUICK=0
IDLE_TUNNELS=""
BASE_PORT=18000
KEEP=0
usage() {
  cat <<'USAGE'
usage: scripts/bench-peers.sh [--quick] [--rounds N] [--idle-tunnels N] [--base-port P] [--java PATH]
                              [--jvm-options FILE|none] [--no-doc] [--keep-tmp]

Runs the same loadgen workloads through every path below, one after the other, on loopback, and prints a
markdown table (one row per workload, one column per path; each cell the figure and its ratio to the HAProxy
TLS->TLS chain). bulk, setup and rps run in rounds: each round measures every path back to back, so the
paths of one round share the machine's state of that minute; a cell is the median over the rounds of the
figure, and its ratio the median of the per-round ratios. The table, the date, nproc, the load average before the run and the exact commands are
written to docs/performance.md (its "Peer benchmark" section is replaced on each run).

Paths
  direct        no proxy (loadgen --direct)
  direct TLS    HAProxy in mode tcp terminating TLS in front of the destination (loadgen --direct-tls)
  haproxy       baseline: TLS to HAProxy #1 (mode tcp), TLS to HAProxy #2, TCP to the destination. HAProxy is
                not a forward proxy: the client sends no CONNECT (loadgen --direct-tls at HAProxy #1)
  squid         HTTP CONNECT to squid #1, which relays through its cache_peer parent squid #2
  ours h1       HTTPS CONNECT over HTTP/1.1 to Proxy A, pooled HTTP/2 over TLS (mTLS) from A to B. As for a real
                user, A locates the client (a location table in the run's temp dir, `geolocation.database`, places
                the generator's 127.0.0.1 in Tokyo) and signs a geohash for every tunnel (Ed25519, RFC 9421
                Signature over sec-ch-geohash); B verifies it and egresses from its tokyo pool. The script checks
                B's tunnels by pool after the priming and stops if B saw no signed hint
  ours h2       the same with HTTP/2 CONNECT streams from the client to A
  ours h3       HTTP/3 CONNECT streams to A, pooled HTTP/3 (QUIC, mTLS) from A to B: a second A and B, configured
                for HTTP/3 (`http3: true`, `upstream.protocol: h3`). HAProxy's chain has no HTTP/3: its ratio is
                still to the TCP chain, which is what a user would otherwise deploy
  socat UDP     UDP relayed by two socat processes (UDP4-LISTEN,fork -> UDP4), the UDP rows' baseline: plain UDP
                through two user-space hops. Our pair's UDP rows are CONNECT-UDP (RFC 9298) to A, carried to B
                as A's upstream says (h2: DATAGRAM capsules on streams; h3: HTTP/3 datagrams)

Workloads (each with warm-up, except idle)
  bulk          one tunnel downloading as fast as it can: MB/s
  setup         new client connection (TCP + TLS + CONNECT) each time, one 1-byte round trip: p50 latency
  firstbyte     the same with a 64-byte request, timed to the destination's first answer byte (loadgen
                --workload firstbyte): p50; a second row with the JDK's TLS client (--client-tls jdk) instead of
                BoringSSL (TLS paths over TCP only)
  setup resumed setup where each new TLS connection resumes the previous one's session with its ticket
                (--tls-resume), as browsers do: p50 and the share of handshakes resumed (every TLS path)
  udp rtt       one UDP flow, one 1200-byte datagram in flight, to the destination's UDP echo: p50 round trip
  udp pps       one UDP flow, 32 datagrams of 1200 bytes in flight: datagrams echoed per second
  rps           64 keep-alive tunnels doing 64-byte request/response round trips: requests/s
  idle          N tunnels held open: RSS growth per tunnel of the path's proxy processes (--pids)
  CPU rows      from the bulk, setup, rps and udp pps runs: the CPU time (user + system, /proc/PID/stat) the path's
                proxy processes used during the measured window (loadgen --pids: HAProxy, squid, socat, A and B),
                summed, per MB, per setup, per 1,000 requests, per 1,000 datagrams; the generator and the
                destination are not counted (their share is in each run's JSON report, totals.cpu.generator)

Options
  --quick            smoke run of a few minutes: one round, 1 s warm-up, 2 s per measurement, 500 idle tunnels
                     held 4 s (default: 3 rounds, each measurement 3 s of warm-up, more while the generator's JIT
                     is busy, then 5 s; 8000 idle tunnels opened and held within 60 s; about 35 minutes)
  --rounds N         rounds of every workload but idle (default 3, --quick 1)
  --idle-tunnels N   tunnels the idle workload opens (default 8000, --quick 500)
  --base-port P      first of the loopback ports used (P .. P+17, TCP and UDP; default 18000)
  --java PATH        the java launcher of Proxy A and B (default: $JAVA, else java on the PATH), e.g.
                     /usr/lib/jvm/temurin-25-jdk-amd64/bin/java; the load generator and destination keep java
  --jvm-options FILE JVM flags of Proxy A and B, a java @argfile (default deploy/jvm.options, the production
                     set); none = the JVM's defaults
  --no-doc           do not touch docs/performance.md
  --keep-tmp         keep the temporary directory (configs, logs, JSON reports) and print its path
  --help             this text

Installs haproxy, squid and socat with apt-get if missing (sudo when not root), builds the jars if missing
(mvn -B -q -DskipTests package). Every process it starts is recorded and killed by PID on exit.
USAGE
}
DOC=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --help|-h) usage; exit 0 ;;
    --quick) QUICK=1 ;;
    --rounds) ROUNDS="$2"; shift ;;
    --rounds=*) ROUNDS="${1#*=}" ;;
    --idle-tunnels) IDLE_TUNNELS="$2"; shift ;;
    --idle-tunnels=*) IDLE_TUNNELS="${1#*=}" ;;
    --base-port) BASE_PORT="$2"; shift ;;
    --base-port=*) BASE_PORT="${1#*=}" ;;
    --java) PROXY_JAVA="$2"; shift ;;
    --java=*) PROXY_JAVA="${1#*=}" ;;
    --jvm-options) PROXY_JVM_OPTIONS="$2"; shift ;;
    --jvm-options=*) PROXY_JVM_OPTIONS="${1#*=}" ;;
    --no-doc) DOC=0 ;;
    --keep-tmp) KEEP=1 ;;
    *) echo "bench-peers: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [[ $QUICK == 1 ]]; then
  WARMUP=1s; DURATION=2s; IDLE_HOLD=4s; PRIME=2s; PRIME_SETUP=2s; : "${IDLE_TUNNELS:=500}" "${ROUNDS:=1}"
else
  # idle at 8,000 tunnels, the issue's figure: opening them takes 20-40 s of the hold on this machine
  WARMUP=3s; DURATION=5s; IDLE_HOLD=60s; PRIME=5s; PRIME_SETUP=45s; : "${IDLE_TUNNELS:=8000}" "${ROUNDS:=3}"
fi
[[ "$IDLE_TUNNELS" =~ ^[0-9]+$ && "$IDLE_TUNNELS" -gt 0 ]] || { echo "--idle-tunnels must be a number" >&2; exit 2; }
[[ "$ROUNDS" =~ ^[0-9]+$ && "$ROUNDS" -gt 0 ]] || { echo "--rounds must be a positive number" >&2; exit 2; }

log() { echo "bench-peers: $*" >&2; }
# the proxies' JVM and flags (proxy_jvm)
# shellcheck source=scripts/pair-env.sh
source scripts/pair-env.sh
export PROXY_JAVA=${PROXY_JAVA:-${JAVA:-java}} PROXY_JVM_OPTIONS=${PROXY_JVM_OPTIONS:-deploy/jvm.options}
proxy_jvm proxy-a/target/proxy-a.jar || exit 2
PROXY_FLAGS="${PROXY_JVM[*]:1:${#PROXY_JVM[@]}-3}"; PROXY_FLAGS=${PROXY_FLAGS//$ROOT\//}   # for the doc

# ---- 1. what it needs -------------------------------------------------------------------------------------------
need_pkgs=()
command -v haproxy >/dev/null 2>&1 || [[ -x /usr/sbin/haproxy ]] || need_pkgs+=(haproxy)
command -v squid >/dev/null 2>&1 || [[ -x /usr/sbin/squid ]] || need_pkgs+=(squid)
command -v socat >/dev/null 2>&1 || need_pkgs+=(socat)
if [[ ${#need_pkgs[@]} -gt 0 ]]; then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  log "installing ${need_pkgs[*]} (apt-get)..."
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null 2>&1 \
    || { $SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null; }
fi
export PATH="$PATH:/usr/sbin:/sbin"
command -v python3 >/dev/null || { log "python3 is needed to read loadgen's JSON"; exit 1; }

A_JAR=proxy-a/target/proxy-a.jar
B_JAR=proxy-b/target/proxy-b.jar
LG_JAR=loadgen/target/loadgen.jar
if [[ ! -f $A_JAR || ! -f $B_JAR || ! -f $LG_JAR ]]; then
  log "building (mvn -B -q -DskipTests package)..."
  mvn -B -q -DskipTests package
fi

# ---- 2. processes, recorded by PID -----------------------------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-peers.XXXXXX")
pids=()
socat_pids=()
cleanup() {
  local rc=$?
  # socat's UDP listeners fork a child per peer: those children of our socat processes go first
  for pid in "${socat_pids[@]}"; do
    for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do kill -TERM "$child" 2>/dev/null || true; done
  done
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  if [[ $KEEP == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

P_DEST=$BASE_PORT
P_TLS=$((BASE_PORT + 1))      # HAProxy terminating TLS in front of the destination (direct TLS)
P_HP1=$((BASE_PORT + 2))      # HAProxy #1
P_HP2=$((BASE_PORT + 3))      # HAProxy #2
P_SQ1=$((BASE_PORT + 4))      # squid #1
P_SQ2=$((BASE_PORT + 5))      # squid #2 (parent)
P_A=$((BASE_PORT + 6)); P_A_ADMIN=$((BASE_PORT + 7)); P_A_ISSUER=$((BASE_PORT + 8))
P_B=$((BASE_PORT + 9)); P_B_ADMIN=$((BASE_PORT + 10))
P_A3=$((BASE_PORT + 11)); P_A3_ADMIN=$((BASE_PORT + 12)); P_A3_ISSUER=$((BASE_PORT + 13))
P_B3=$((BASE_PORT + 14)); P_B3_ADMIN=$((BASE_PORT + 15))
P_SOC1=$((BASE_PORT + 16)); P_SOC2=$((BASE_PORT + 17))  # socat UDP relays #1 and #2
for p in $(seq "$BASE_PORT" $((BASE_PORT + 17))); do
  if python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.3); sys.exit(0 if s.connect_ex(('127.0.0.1',$p))==0 else 1)"; then
    log "port $p is in use on 127.0.0.1: choose another --base-port"; exit 1
  fi
done

wait_port() { # port what pid
  for _ in $(seq 1 120); do
    if python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.3); sys.exit(0 if s.connect_ex(('127.0.0.1',$1))==0 else 1)"; then return 0; fi
    kill -0 "$3" 2>/dev/null || { log "$2 exited; its log:"; cat "$TMP/$2.log" >&2 || true; exit 1; }
    sleep 0.25
  done
  log "$2 did not listen on $1"; exit 1
}
start() { # name cmd...   (output to $TMP/name.log; PID recorded)
  local name=$1; shift
  "$@" >"$TMP/$name.log" 2>&1 &
  pids+=($!)
  eval "PID_${name//-/_}=$!"
}

LOADAVG_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
NPROC=$(nproc)
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')

# dev PKI and configs for our pair; the same certificates serve HAProxy
DEV=$TMP/dev
java -cp "$A_JAR" net.doublehop.proxya.DevSetup "$DEV" >/dev/null
cat "$DEV/a.crt" "$DEV/a.key" >"$DEV/a.pem"
cat "$DEV/b.crt" "$DEV/b.key" >"$DEV/b.pem"

# Proxy B: own ports; the per-connection and total tunnel limits above what the idle workload opens
sed -i -e "s/^listen: 127.0.0.1:8443/listen: 127.0.0.1:$P_B/" -e "s/^admin: 127.0.0.1:9090/admin: 127.0.0.1:$P_B_ADMIN/" "$DEV/proxy-b.yaml"
cat >>"$DEV/proxy-b.yaml" <<EOF
limits: {max-tunnels: 100000, max-tunnels-per-connection: 100000, max-concurrent-streams: 100000}
EOF
# Proxy A: own ports, upstream to this B; per-user limits (abuse controls: 256 tunnels, 50/s) out of the way.
# The load authenticates with a preshared key: HAProxy and squid check no credentials, and alice's bcrypt
# (cost 10) would be paid again by every connection opened concurrently after A's 60 s cache expires.
BENCH_KEY=bench-peers-$RANDOM$RANDOM
sed -i -e "s/^listen: 127.0.0.1:7443/listen: 127.0.0.1:$P_A/" -e "s/^admin: 127.0.0.1:9091/admin: 127.0.0.1:$P_A_ADMIN/" \
       -e "s#url: https://127.0.0.1:8443#url: https://127.0.0.1:$P_B#" -e "s/listen: 127.0.0.1:7444/listen: 127.0.0.1:$P_A_ISSUER/" \
       -e "s/^  file: users.txt/  file: users.txt\n  preshared-keys: [$BENCH_KEY]/" "$DEV/proxy-a.yaml"
grep -q "preshared-keys: \[$BENCH_KEY\]" "$DEV/proxy-a.yaml" || { log "could not add the preshared key to proxy-a.yaml"; exit 1; }
# A's location table: the generator's 127.0.0.1 in Tokyo (bench_location_table, scripts/pair-env.sh), so that A
# signs a geohash for every tunnel and B verifies it, as for a real user; DevSetup's embedded demo table maps only
# loopback aliases, and without this the pair was measured without that work (before 2026-12-04)
bench_location_table "$DEV/clients.csv"
sed -i -e "s#^geolocation: {precision: 5}#geolocation: {database: $DEV/clients.csv, precision: 5}#" "$DEV/proxy-a.yaml"
grep -q "^geolocation: {database: " "$DEV/proxy-a.yaml" || { log "could not set geolocation.database in proxy-a.yaml"; exit 1; }
cat >>"$DEV/proxy-a.yaml" <<EOF
limits: {max-tunnels-per-user: 100000, tunnels-per-second-per-user: 100000, max-tunnels: 100000, max-tunnels-per-connection: 100000, max-concurrent-streams: 100000}
EOF

# DevSetup's configs also start an OHTTP gateway (A) and relay (B) on fixed ports: not measured here, and two pairs
# would collide on them, so their sections go.
drop_section() { # file top-level-key
  awk -v key="$2:" 'BEGIN{skip=0} /^[^ #]/{skip=(index($0,key)==1)} !skip' "$1" >"$1.tmp" && mv "$1.tmp" "$1"
}
drop_section "$DEV/proxy-a.yaml" gateway
drop_section "$DEV/proxy-b.yaml" ohttp-relay
# The HTTP/3 pair: the same configs on their own ports, HTTP/3 on both listeners and between A and B.
sed -e "s/^listen: 127.0.0.1:$P_B\$/listen: 127.0.0.1:$P_B3/" -e "s/^admin: 127.0.0.1:$P_B_ADMIN\$/admin: 127.0.0.1:$P_B3_ADMIN/" \
    "$DEV/proxy-b.yaml" >"$DEV/proxy-b3.yaml"
grep -q "^http3: true" "$DEV/proxy-b3.yaml" || echo "http3: true" >>"$DEV/proxy-b3.yaml"  # DevSetup's B may serve it already
sed -e "s/^listen: 127.0.0.1:$P_A\$/listen: 127.0.0.1:$P_A3/" -e "s/^admin: 127.0.0.1:$P_A_ADMIN\$/admin: 127.0.0.1:$P_A3_ADMIN/" \
    -e "s#url: https://127.0.0.1:$P_B\$#url: https://127.0.0.1:$P_B3\n  protocol: h3#" \
    -e "s/listen: 127.0.0.1:$P_A_ISSUER\$/listen: 127.0.0.1:$P_A3_ISSUER/" "$DEV/proxy-a.yaml" >"$DEV/proxy-a3.yaml"
echo "http3: true" >>"$DEV/proxy-a3.yaml"
for f in proxy-a3 proxy-b3; do
  grep -q "127.0.0.1:$P_B3" "$DEV/$f.yaml" || { log "could not move $f.yaml to its ports"; exit 1; }
done
grep -q "protocol: h3" "$DEV/proxy-a3.yaml" || { log "could not set upstream.protocol h3 in proxy-a3.yaml"; exit 1; }

# HAProxy: three processes, mode tcp
HP=$(command -v haproxy)
hp_conf() { # file frontend-bind backend-server
  cat >"$1" <<EOF
global
  maxconn 9000
  nbthread 1
defaults
  mode tcp
  timeout connect 5s
  timeout client 10m
  timeout server 10m
frontend in
  bind $2
  default_backend out
backend out
  server s1 $3
EOF
}
hp_conf "$TMP/hp-tls.cfg" "127.0.0.1:$P_TLS ssl crt $DEV/b.pem" "127.0.0.1:$P_DEST"
hp_conf "$TMP/hp1.cfg" "127.0.0.1:$P_HP1 ssl crt $DEV/a.pem" "127.0.0.1:$P_HP2 ssl verify required ca-file $DEV/ca.crt"
hp_conf "$TMP/hp2.cfg" "127.0.0.1:$P_HP2 ssl crt $DEV/b.pem" "127.0.0.1:$P_DEST"
for f in hp-tls hp1 hp2; do "$HP" -c -q -f "$TMP/$f.cfg" || { log "haproxy rejects $f.cfg"; exit 1; }; done

# squid: two processes in the foreground (-N), own dirs; as root squid drops to cache_effective_user
SQ=$(command -v squid)
SQUID_USER=$(id -un)
if [[ $(id -u) -eq 0 ]]; then SQUID_USER=proxy; id proxy >/dev/null 2>&1 || SQUID_USER=nobody; fi
sq_conf() { # name port [parent-port]
  local d=$TMP/$1
  mkdir -p "$d"
  {
    echo "http_port 127.0.0.1:$2"
    echo "pid_filename $d/squid.pid"
    echo "cache_log $d/cache.log"
    echo "access_log none"
    echo "cache_store_log none"
    echo "coredump_dir $d"
    echo "netdb_filename none"
    echo "cache deny all"
    echo "cache_mem 8 MB"
    echo "max_filedescriptors $(ulimit -n)"
    echo "shutdown_lifetime 1 seconds"
    echo "dns_nameservers 127.0.0.1"
    echo "acl lo src 127.0.0.0/8"
    echo "acl dest_port port $P_DEST"
    echo "acl CONNECT method CONNECT"
    echo "http_access deny CONNECT !dest_port"
    echo "http_access allow lo"
    echo "http_access deny all"
    [[ $(id -u) -eq 0 ]] && echo "cache_effective_user $SQUID_USER"
    if [[ -n "${3:-}" ]]; then
      echo "cache_peer 127.0.0.1 parent $3 0 no-query no-digest default"
      echo "never_direct allow all"
    fi
  } >"$d/squid.conf"
  [[ $(id -u) -eq 0 ]] && chown -R "$SQUID_USER" "$d"
  "$SQ" -k parse -f "$d/squid.conf" >"$d/parse.log" 2>&1 || { log "squid rejects $d/squid.conf:"; cat "$d/parse.log" >&2; exit 1; }
}
sq_conf squid2 "$P_SQ2"
sq_conf squid1 "$P_SQ1" "$P_SQ2"

log "starting the destination, HAProxy x3, squid x2, Proxy B, Proxy A (logs in $TMP)"
start dest java -jar "$LG_JAR" serve --listen "127.0.0.1:$P_DEST"
start hp_tls "$HP" -db -f "$TMP/hp-tls.cfg"
start hp2 "$HP" -db -f "$TMP/hp2.cfg"
start hp1 "$HP" -db -f "$TMP/hp1.cfg"
start squid2 "$SQ" -N -f "$TMP/squid2/squid.conf"
start squid1 "$SQ" -N -f "$TMP/squid1/squid.conf"
# socat: each UDP4-LISTEN,fork forks a child per client address, connected to it, relaying to the next hop; -T ends
# a child after 30 s without traffic
start socat2 socat -T 30 "UDP4-LISTEN:$P_SOC2,bind=127.0.0.1,reuseaddr,fork" "UDP4:127.0.0.1:$P_DEST"
socat_pids+=("$PID_socat2")
start socat1 socat -T 30 "UDP4-LISTEN:$P_SOC1,bind=127.0.0.1,reuseaddr,fork" "UDP4:127.0.0.1:$P_SOC2"
socat_pids+=("$PID_socat1")
ready() { # admin ports: pair-env.sh's wait_ready for each (it fails the run after 240 s)
  local port
  for port in "$@"; do wait_ready "$port"; done
}
start_tcp_pair() { # Proxy B, then Proxy A in front of it
  proxy_jvm "$B_JAR"; start proxy_b "${PROXY_JVM[@]}" --config "$DEV/proxy-b.yaml"
  wait_port "$P_B_ADMIN" proxy_b "$PID_proxy_b"
  proxy_jvm "$A_JAR"; start proxy_a "${PROXY_JVM[@]}" --config "$DEV/proxy-a.yaml"
  wait_port "$P_A_ADMIN" proxy_a "$PID_proxy_a"
}
start_tcp_pair
proxy_jvm "$B_JAR"; start proxy_b3 "${PROXY_JVM[@]}" --config "$DEV/proxy-b3.yaml"
wait_port "$P_B3_ADMIN" proxy_b3 "$PID_proxy_b3"
proxy_jvm "$A_JAR"; start proxy_a3 "${PROXY_JVM[@]}" --config "$DEV/proxy-a3.yaml"
wait_port "$P_DEST" dest "$PID_dest"
wait_port "$P_TLS" hp_tls "$PID_hp_tls"
wait_port "$P_HP1" hp1 "$PID_hp1"
wait_port "$P_HP2" hp2 "$PID_hp2"
wait_port "$P_SQ2" squid2 "$PID_squid2"
wait_port "$P_SQ1" squid1 "$PID_squid1"
wait_port "$P_A3_ADMIN" proxy_a3 "$PID_proxy_a3"
ready "$P_B_ADMIN" "$P_A_ADMIN" "$P_B3_ADMIN" "$P_A3_ADMIN"

# ---- 3. the workloads -------------------------------------------------------------------------------------------
PATHS=(direct direct_tls haproxy squid socat ours_h1 ours_h2 ours_h3)
declare -A TITLE=([direct]="direct" [direct_tls]="direct TLS (HAProxy)" [haproxy]="HAProxy TLS→TLS chain"
                  [squid]="squid → squid parent" [socat]="socat UDP → socat UDP" [ours_h1]="A→B, h1 to A"
                  [ours_h2]="A→B, h2 to A" [ours_h3]="A→B h3, h3 to A")
declare -A VIA=(
  [direct]="--direct --target 127.0.0.1:$P_DEST"
  [direct_tls]="--direct-tls --proxy-cacert $DEV/ca.crt --target 127.0.0.1:$P_TLS"
  [haproxy]="--direct-tls --proxy-cacert $DEV/ca.crt --target 127.0.0.1:$P_HP1"
  [squid]="--proxy http://127.0.0.1:$P_SQ1 --target 127.0.0.1:$P_DEST"
  [socat]="--direct --target 127.0.0.1:$P_SOC1"
  [ours_h1]="--proxy https://127.0.0.1:$P_A --proxy-cacert $DEV/ca.crt --proxy-header Proxy-Authorization:Preshared_KEY --target 127.0.0.1:$P_DEST"
  [ours_h2]="--proxy https://127.0.0.1:$P_A --proxy-version h2 --proxy-cacert $DEV/ca.crt --proxy-header Proxy-Authorization:Preshared_KEY --target 127.0.0.1:$P_DEST"
  [ours_h3]="--proxy https://127.0.0.1:$P_A3 --proxy-version h3 --proxy-cacert $DEV/ca.crt --proxy-header Proxy-Authorization:Preshared_KEY --target 127.0.0.1:$P_DEST"
)
declare -A PIDS_OF=(
  [direct]="" [direct_tls]="$PID_hp_tls" [haproxy]="$PID_hp1,$PID_hp2"
  [squid]="$PID_squid1,$PID_squid2" [socat]="$PID_socat1,$PID_socat2" [ours_h1]="$PID_proxy_a,$PID_proxy_b" [ours_h2]="$PID_proxy_a,$PID_proxy_b"
  [ours_h3]="$PID_proxy_a3,$PID_proxy_b3"
)
WORKLOADS=(bulk setup firstbyte firstbyte_jdk setup_resume rps udp_rtt udp_pps idle)
declare -A WL_ARGS=(
  [bulk]="--workload bulk --tunnels 1 --warmup $WARMUP --duration $DURATION"
  [setup]="--workload setup --tunnels 1 --warmup $WARMUP --duration $DURATION"
  [firstbyte]="--workload firstbyte --tunnels 1 --request-size 64 --response-size 64 --warmup $WARMUP --duration $DURATION"
  [firstbyte_jdk]="--workload firstbyte --tunnels 1 --request-size 64 --response-size 64 --client-tls jdk --warmup $WARMUP --duration $DURATION"
  [setup_resume]="--workload setup --tunnels 1 --tls-resume --warmup $WARMUP --duration $DURATION"
  [udp_rtt]="--workload udp --tunnels 1 --size 1200 --window 1 --warmup $WARMUP --duration $DURATION"
  [udp_pps]="--workload udp --tunnels 1 --size 1200 --window 32 --warmup $WARMUP --duration $DURATION"
  [rps]="--workload rps --tunnels 64 --warmup $WARMUP --duration $DURATION"
  [idle]="--workload idle --tunnels $IDLE_TUNNELS --duration $IDLE_HOLD"
)
RESULTS=$TMP/results; mkdir -p "$RESULTS"
# Which path takes which workload: the UDP rows only the paths that carry UDP (our pair as CONNECT-UDP), the socat
# relays only the UDP rows; --client-tls only TLS over TCP (QUIC's TLS is BoringSSL inside quiche), --tls-resume
# every TLS path (QUIC's too).
applies() { # workload path
  case "$1" in
    udp_*) [[ $2 == direct || $2 == socat || $2 == ours_* ]] ;;
    firstbyte_jdk) [[ $2 == direct_tls || $2 == haproxy || $2 == ours_h1 || $2 == ours_h2 ]] ;;
    setup_resume) [[ $2 == direct_tls || $2 == haproxy || $2 == ours_h* ]] ;;
    idle) [[ $2 != direct && $2 != socat ]] ;;
    *) [[ $2 != socat ]] ;;
  esac
}
# loadgen with the words of $1 (the placeholder Preshared_KEY becomes the header value "Preshared <key>"), then "$@"
lg() {
  local words=() w
  for w in $1; do words+=("${w//Preshared_KEY/Preshared $BENCH_KEY}"); done
  shift
  # shellcheck disable=SC2086
  java ${LOADGEN_JAVA_OPTS:-} -jar "$LG_JAR" "${words[@]}" "$@"
}
COMMANDS=()
# The idle rows measure RSS growth, and a JVM keeps the heap it has grown: h2's idle row on the A and B that just
# held h1's tunnels read 3.8 + 1.0 KiB per tunnel instead of 8.4 + 8.2 on a fresh pair (2026-12-04). So h2's idle
# row gets its own A and B, started afresh and primed through h2 like the first ones.
restart_tcp_pair() {
  local pid n
  for pid in "$PID_proxy_a" "$PID_proxy_b"; do
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  log "idle via ${TITLE[ours_h2]}: a fresh Proxy A and B (the heap h1's idle tunnels grew stays committed)"
  for n in proxy_a proxy_b; do cat "$TMP/$n.log" >>"$TMP/$n.before-idle.log"; done # the warnings count reads both
  start_tcp_pair
  ready "$P_B_ADMIN" "$P_A_ADMIN"
  PIDS_OF[ours_h1]="$PID_proxy_a,$PID_proxy_b"; PIDS_OF[ours_h2]="$PID_proxy_a,$PID_proxy_b"
  prime ours_h2
  sleep 5 # the priming's last connections close
}
# The JVMs of Proxy A and B compile their TLS and relay paths during the first seconds: prime them once (bulk, rps
# and setup through both client protocols, not recorded) so that the measured workloads do not pay for it, as a
# proxy in service would not. The setup path (handshake, CONNECT, the stream to B, the dial) takes longest: at
# ~150 setups/s its p50 was 14 ms after 5 s and 5.8 ms after 30 s (2026-11-28, through A with h1); after 50 s,
# C2 compilation was still 37 % of A's CPU (async-profiler) and p50 3.9 ms.
prime() { # path
  local wl d
  for wl in "--workload bulk --tunnels 1" "--workload rps --tunnels 64" "--workload udp --tunnels 1 --window 32" \
            "--workload setup --tunnels 1"; do
    d=$PRIME; [[ $wl == *setup* ]] && d=$PRIME_SETUP
    log "priming Proxy A and B: ${TITLE[$1]}, $wl, $d"
    lg "${VIA[$1]} $wl" --duration "$d" --quiet >"$RESULTS/prime.txt" 2>&1 \
      || { log "  (priming run had errors:)"; grep -i -m3 "error\|tunnels" "$RESULTS/prime.txt" >&2 || true; }
  done
}
for p in ours_h1 ours_h2 ours_h3; do prime "$p"; done
# Every primed tunnel went through B's tokyo pool, which only A's signed geohash selects (B's default pool is london)
for b in "B:$P_B_ADMIN" "B3:$P_B3_ADMIN"; do
  tokyo=$(b_pool_tunnels "${b#*:}" tokyo); london=$(b_pool_tunnels "${b#*:}" london)
  log "Proxy ${b%%:*} after the priming: $tokyo tunnels through its tokyo pool (signed geohash verified), $london through london (no hint)"
  if [[ $tokyo == 0 || $london != 0 ]]; then
    log "Proxy ${b%%:*} did not get a signed geohash for every tunnel: A's location table is not used"; exit 1
  fi
done
# Rounds: the machine's speed drifts by tens of percent from one minute to the next (other tenants, its own page
# cache and TIME_WAIT sockets); measuring every path back to back, several times, lets each ratio compare paths
# that ran under the same conditions. idle runs once: its figure is memory, not time.
for wl in "${WORKLOADS[@]}"; do
  rounds=$ROUNDS; [[ $wl == idle ]] && rounds=1
  for r in $(seq 1 "$rounds"); do
    for p in "${PATHS[@]}"; do
      applies "$wl" "$p" || { : >"$RESULTS/na-$wl-$p"; continue; } # the table says n/a
      args="${VIA[$p]} ${WL_ARGS[$wl]}"
      # idle: their RSS; bulk, setup, rps and udp: their CPU per unit of work (the CPU rows)
      if [[ -n "${PIDS_OF[$p]}" && $wl =~ ^(idle|bulk|setup|rps|udp_rtt|udp_pps)$ ]]; then
        args="$args --pids ${PIDS_OF[$p]}"
      fi
      if [[ $wl == idle ]]; then
        [[ $p == ours_h2 ]] && restart_tcp_pair && args="${VIA[$p]} ${WL_ARGS[$wl]} --pids ${PIDS_OF[$p]} --h2-connections 4"
        [[ $p == ours_h3 ]] && args="$args --h3-connections 4"
      fi
      [[ $r == 1 ]] && COMMANDS+=("loadgen $args")
      log "$wl via ${TITLE[$p]}$([[ $rounds -gt 1 ]] && echo ", round $r of $rounds")"
      lg "$args" --quiet --json "$RESULTS/$wl-$p-r$r.json" \
        >"$RESULTS/$wl-$p-r$r.txt" 2>&1 || log "  (exit $?: errors during the run, see below)"
      grep -i -m3 "error" "$RESULTS/$wl-$p-r$r.txt" >&2 || true
    done
  done
done

# ---- 4. the table -----------------------------------------------------------------------------------------------
TABLE=$TMP/table.md
python3 - "$RESULTS" "$TABLE" "${PATHS[@]}" <<'PY'
import glob, json, os, re, statistics, sys
res, out, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
titles = {"direct": "direct", "direct_tls": "direct TLS (HAProxy)", "haproxy": "HAProxy TLS→TLS chain",
          "squid": "squid → squid parent", "socat": "socat UDP → socat UDP", "ours_h1": "A→B, h1 to A",
          "ours_h2": "A→B, h2 to A", "ours_h3": "A→B h3, h3 to A"}
def rounds(wl, p):
    """{round: report} for the runs of one workload through one path."""
    found = {}
    for f in glob.glob(os.path.join(res, f"{wl}-{p}-r*.json")):
        try:
            with open(f) as fh:
                found[int(re.search(r"-r(\d+)\.json$", f).group(1))] = json.load(fh)
        except Exception:
            pass
    return found
def pct(j, *names):
    for n in names:
        h = (j.get("latency") or {}).get(n)
        if h and (h.get("percentiles") or {}).get("p50") is not None:
            return h["percentiles"]["p50"] / 1000.0
    return None
def figure(wl, j):
    t = j.get("totals", {})
    if wl.startswith("cpu_"):  # ms of CPU per unit, summed over the path's proxy processes (loadgen --pids)
        return ((t.get("cpu") or {}).get("listed") or {}).get("msPerUnit")
    if wl == "bulk":
        return t.get("mbps")
    if wl in ("setup", "setup_resume"):
        return pct(j, "setup")
    if wl in ("firstbyte", "firstbyte_jdk"):
        return pct(j, "firstByte")
    if wl == "udp_rtt":
        return pct(j, "udpRoundTrip")
    if wl == "udp_pps":
        return t.get("packetsPerSecEchoed")
    if wl == "rps":
        return t.get("requestsPerSec")
    per = [q.get("growthKiBPerTunnel") for q in t.get("processes") or []]
    return sum(per) if per and all(x is not None for x in per) else None
# (row, the workload whose runs it reads, label)
CPU_OF = "the path's proxy processes summed, generator and destination excluded; lower is better"
rows = [("bulk", "bulk", "bulk, 1 tunnel (MB/s, higher is better)"),
        ("setup", "setup", "setup p50 (ms, new client TLS connection each time; lower is better)"),
        ("firstbyte", "firstbyte", "first byte p50 (ms, new connection, CONNECT, 64 B request, to the destination's first byte)"),
        ("firstbyte_jdk", "firstbyte_jdk", "first byte p50, JDK TLS client (ms, the same with `--client-tls jdk`)"),
        ("setup_resume", "setup_resume", "setup p50, TLS resumed (ms, `--tls-resume`: each connection offers the last "
                         "one's ticket; [share resumed])"),
        ("rps", "rps", "rps, 64 tunnels (req/s, higher is better)"),
        ("udp_rtt", "udp_rtt", "UDP round trip p50 (ms, 1 flow, 1200 B, 1 in flight; ratio to socat; lower is better)"),
        ("udp_pps", "udp_pps", "UDP datagrams echoed/s (1 flow, 1200 B, 32 in flight; ratio to socat; higher is better)"),
        ("idle", "idle", "idle: RSS growth per tunnel of the path's proxies (KiB, lower is better)"),
        ("cpu_bulk", "bulk", f"CPU per MB, bulk (ms of CPU; {CPU_OF})"),
        ("cpu_setup", "setup", f"CPU per setup (ms of CPU; {CPU_OF})"),
        ("cpu_rps", "rps", f"CPU per 1,000 requests, rps (ms of CPU; {CPU_OF})"),
        ("cpu_udp", "udp_pps", f"CPU per 1,000 datagrams echoed, UDP 32 in flight (ms of CPU; ratio to socat; {CPU_OF})")]
lines = ["| workload | " + " | ".join(titles[p] for p in paths) + " |",
         "|---|" + "---|" * len(paths)]
spread = []
for key, wl, label in rows:
    if all(os.path.exists(os.path.join(res, f"na-{wl}-{p}")) or not rounds(wl, p) for p in paths):
        continue  # a workload this run did not measure
    baseline = "socat" if wl.startswith("udp") else "haproxy"
    base = {r: figure(key, j) for r, j in rounds(wl, baseline).items()}
    cells = []
    for p in paths:
        if os.path.exists(os.path.join(res, f"na-{wl}-{p}")):
            cells.append("n/a (no proxy)" if wl == "idle" and p == "direct" else "n/a")
            continue
        runs = rounds(wl, p)
        err = sum((j.get("totals", {}).get("errors", 0) or 0) for j in runs.values())
        figs = {r: figure(key, j) for r, j in runs.items()}
        vals = [v for v in figs.values() if v is not None]
        if not vals:
            if p == "direct" and (wl == "idle" or key.startswith("cpu_")):
                cells.append("n/a (no proxy)")
            else:
                cells.append("—" + (f" [{err} errors]" if err else " (no result)"))
            continue
        v = statistics.median(vals)
        fmt = "{:.0f}" if v >= 100 else ("{:.1f}" if v >= 10 else ("{:.2f}" if v >= 1 else "{:.3f}"))
        c = fmt.format(v)
        ratios = [figs[r] / base[r] for r in sorted(figs) if figs[r] is not None and base.get(r)]
        if ratios:
            c += " (×{:.2f})".format(statistics.median(ratios))
            if len(ratios) > 1 and p.startswith("ours") and key in ("bulk", "setup", "rps", "firstbyte"):
                spread.append(f"{wl} via {titles[p]}: " + ", ".join("×{:.2f}".format(x) for x in ratios))
        if key == "setup_resume":
            hs = sum((j.get("totals", {}).get("tlsHandshakes") or 0) for j in runs.values())
            rs = sum((j.get("totals", {}).get("tlsResumed") or 0) for j in runs.values())
            c += " [{:.0f} % resumed]".format(100.0 * rs / hs) if hs else " [no TLS handshake seen]"
        if key.startswith("udp"):
            lost = [j.get("totals", {}).get("lossPercent") or 0 for j in runs.values()]
            if max(lost) >= 0.1:
                c += " [{:.1f} % lost]".format(max(lost))
        if err and not key.startswith("cpu_"):  # the workload's own row says so already
            c += f" [{err} errors]"
        if key == "idle":
            t = next(iter(runs.values())).get("totals") or {}
            if t.get("tunnelsHeld") is not None and t.get("tunnelsHeld") != t.get("tunnelsRequested"):
                c += f" [{t.get('tunnelsHeld')} held]"
        cells.append(c)
    lines.append(f"| {label} | " + " | ".join(cells) + " |")
if spread:
    lines += ["", "Per-round ratios of our pair to the HAProxy chain (round 1, 2, ...):", ""]
    lines += [f"- {x}" for x in spread]
open(out, "w").write("\n".join(lines) + "\n")
PY
LOADAVG_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
echo
cat "$TABLE"
echo
echo "nproc $NPROC; load average before $LOADAVG_BEFORE, after $LOADAVG_AFTER"

# ---- docs/performance.md: the "Peer benchmark" section is replaced ------------------------------------------------
if [[ $DOC == 1 ]]; then
  SECTION=$TMP/section.md
  {
    echo "## Peer benchmark"
    echo
    echo "Written by \`scripts/bench-peers.sh$([[ $QUICK == 1 ]] && echo " --quick")\` on $STARTED: $NPROC CPUs"
    echo "($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))," \
         "load average before the run $LOADAVG_BEFORE (after: $LOADAVG_AFTER); $(haproxy -v | head -1 | cut -d' ' -f1-3)," \
         "$(squid -v | head -1); Proxy A and B: $("$PROXY_JAVA" -version 2>&1 | head -1), JVM flags \`${PROXY_FLAGS:-none (JVM defaults)}\`."
    echo "Everything runs on this one machine (generator, destination and proxies share its CPUs), so the figures compare"
    echo "paths with each other, not with other machines. Each cell: the figure and (×ratio) to the HAProxy TLS→TLS chain;"
    echo "every workload but idle ran in $ROUNDS round$([[ $ROUNDS != 1 ]] && echo s), each measuring every path back to back: the figure is the median over"
    echo "the rounds, the ratio the median of the per-round ratios (so a ratio compares paths measured in the same minute)."
    echo "The UDP rows' ratios are to the socat relays; n/a: the path does not carry that workload. The CPU rows come from"
    echo "the same bulk, setup, rps and UDP runs: user + system time of the path's proxy processes (\`loadgen --pids\`,"
    echo "\`/proc/PID/stat\`, each with its child processes) over the measured window, summed, per unit of work; the"
    echo "generator and the destination, which every path has, are left out."
    echo
    cat "$TABLE"
    echo
    echo "Commands (loadgen = \`java -jar loadgen/target/loadgen.jar\`, each with \`--quiet --json FILE\`; ports from"
    echo "\`--base-port $BASE_PORT\`; DEV = the DevSetup directory in the run's temp dir):"
    echo
    echo '```'
    echo "loadgen serve --listen 127.0.0.1:$P_DEST"
    echo "haproxy -db -f hp-tls.cfg   # :$P_TLS ssl crt b.pem -> 127.0.0.1:$P_DEST (mode tcp)"
    echo "haproxy -db -f hp2.cfg      # :$P_HP2 ssl crt b.pem -> 127.0.0.1:$P_DEST (mode tcp)"
    echo "haproxy -db -f hp1.cfg      # :$P_HP1 ssl crt a.pem -> 127.0.0.1:$P_HP2 ssl verify required (mode tcp)"
    echo "squid -N -f squid2.conf     # http_port $P_SQ2, CONNECT to port $P_DEST allowed, no cache"
    echo "squid -N -f squid1.conf     # http_port $P_SQ1, cache_peer 127.0.0.1 parent $P_SQ2 0 no-query default, never_direct"
    echo "socat -T 30 UDP4-LISTEN:$P_SOC2,bind=127.0.0.1,reuseaddr,fork UDP4:127.0.0.1:$P_DEST"
    echo "socat -T 30 UDP4-LISTEN:$P_SOC1,bind=127.0.0.1,reuseaddr,fork UDP4:127.0.0.1:$P_SOC2"
    echo "java $PROXY_FLAGS -jar proxy-b/target/proxy-b.jar --config DEV/proxy-b.yaml   # :$P_B, admin :$P_B_ADMIN"
    echo "java $PROXY_FLAGS -jar proxy-a/target/proxy-a.jar --config DEV/proxy-a.yaml   # :$P_A -> https://127.0.0.1:$P_B (h2, mTLS); geolocation.database DEV/clients.csv"
    echo "java $PROXY_FLAGS -jar proxy-b/target/proxy-b.jar --config DEV/proxy-b3.yaml  # :$P_B3 TCP and UDP (http3: true), admin :$P_B3_ADMIN"
    echo "java $PROXY_FLAGS -jar proxy-a/target/proxy-a.jar --config DEV/proxy-a3.yaml  # :$P_A3 TCP and UDP (http3: true) -> https://127.0.0.1:$P_B3 (h3, mTLS)"
    for c in "${COMMANDS[@]}"; do c=${c//$DEV/DEV}; echo "${c//Proxy-Authorization:Preshared_KEY/\'Proxy-Authorization: Preshared KEY\'}"; done
    echo '```'
    echo
    echo "Before the table, Proxy A and B were primed (not recorded): bulk, rps and udp, $PRIME each, and setup, $PRIME_SETUP,"
    echo "with h1 and h2 to A, and with h3 to the HTTP/3 pair. The idle row of h2 to A ran on a fresh A and B, primed the same"
    echo "way through h2 (the heap h1's idle tunnels grew stays committed and would hide h2's growth)."
    for n in proxy_a proxy_b proxy_a3 proxy_b3; do
      c=$(cat "$TMP/$n.before-idle.log" "$TMP/$n.log" 2>/dev/null | grep -c -E "WARNING|SEVERE" || true)
      if [[ "$c" != 0 ]]; then
        echo "$n logged $c warnings/errors during the run; the most frequent:"
        echo
        echo '```'
        cat "$TMP/$n.before-idle.log" "$TMP/$n.log" 2>/dev/null | grep -E "WARNING|SEVERE" | sed -E 's/^[0-9T:.-]+Z //' | sort | uniq -c | sort -rn | head -5 | cut -c1-160
        echo '```'
        echo
      fi
    done
    echo "Config changes from DevSetup's: ports; a preshared key for the load (\`users.preshared-keys\`: HAProxy and"
    echo "squid check no credentials either); A's per-user limits (256 tunnels, 50/s) and both proxies'"
    echo "tunnel limits raised above what the workloads open; the OHTTP gateway and relay sections removed (not"
    echo "measured, and on fixed ports); the HTTP/3 pair adds \`http3: true\` to both and \`upstream.protocol: h3\` to A."
    echo "Both A's get a location table (\`geolocation.database\`: DEV/clients.csv, \`127.0.0.1/32,JP,35.6812,139.7671\`)"
    echo "that places the generator in Tokyo, so A signs a geohash for every tunnel (Ed25519, RFC 9421) and B verifies it"
    echo "and egresses from its tokyo pool, as for a real user (DevSetup's embedded demo table maps only loopback aliases,"
    echo "not 127.0.0.1; tables before 2026-12-04 were measured without the signature and its check)."
  } >"$SECTION"
  DOCF=docs/performance.md
  if [[ ! -f $DOCF ]]; then
    printf '# Performance\n\nMeasurements of the proxy pair. The section below is rewritten by `scripts/bench-peers.sh`.\n\n' >"$DOCF"
  fi
  python3 - "$DOCF" "$SECTION" <<'PY'
import re, sys
doc, sec = sys.argv[1], open(sys.argv[2]).read()
text = open(doc).read()
m = re.search(r"^## Peer benchmark\n.*?(?=^## |\Z)", text, flags=re.S | re.M)
text = text[:m.start()] + sec + "\n" + text[m.end():] if m else text.rstrip("\n") + "\n\n" + sec
open(doc, "w").write(text.rstrip("\n") + "\n")
PY
  log "wrote the table to $DOCF"
fi
