# Sourced by scripts/soak.sh and scripts/slowloris.sh (not run on its own; scripts/bench-idle.sh and
# scripts/bench-peers.sh use only proxy_jvm, bench_location_table, b_pool_tunnels and, bench-peers, wait_ready): starts Proxy B, Proxy A and a
# `loadgen serve` destination on free loopback ports from the built jars, with the development certificates of
# DevSetup in a directory of the caller's, and stops them again. Sets:
#   PAIR_DIR, A_PORT, A_ADMIN, B_PORT, B_ADMIN, DEST_PORT, A_PID, B_PID, DEST_PID
# Honours PROXY_JAVA_OPTS (default -Xmx512m: a bounded heap shows a leak sooner) and PAIR_A_LIMITS (a YAML flow
# mapping of A's extra limits, e.g. '{request-header-timeout: 60s}').

A_JAR=proxy-a/target/proxy-a.jar
B_JAR=proxy-b/target/proxy-b.jar
LOADGEN_JAR=loadgen/target/loadgen.jar

pair_build() {
  echo "building (mvn -B -q -DskipTests package)..." >&2
  mvn -B -q -DskipTests package >&2
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_ready() { # admin port
  for _ in $(seq 1 480); do
    curl -fsS "http://127.0.0.1:$1/health/ready" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "proxy on admin port $1 did not become ready within 240 s" >&2
  exit 1 # the caller's cleanup (its EXIT trap) stops what was started
}

# pair_start DIR: writes certificates and configs into DIR and starts B, A and the destination.
pair_start() {
  PAIR_DIR=$1
  mkdir -p "$PAIR_DIR"
  java -cp "$A_JAR" net.doublehop.proxya.DevSetup "$PAIR_DIR" >/dev/null
  bench_location_table "$PAIR_DIR/clients.csv"
  local default_limits='{max-tunnels-per-user: 20000, tunnels-per-second-per-user: 100000}'
  local a_limits=${PAIR_A_LIMITS:-$default_limits}
  A_PORT=$(free_port); A_ADMIN=$(free_port); B_PORT=$(free_port); B_ADMIN=$(free_port); DEST_PORT=$(free_port)
  cat >"$PAIR_DIR/soak-b.yaml" <<EOF
listen: 127.0.0.1:$B_PORT
admin: 127.0.0.1:$B_ADMIN
tls: {certificate: b.crt, private-key: b.key, client-ca: ca.crt}
geohash: {trusted-signers: a-keys.jwks, require-signature: true}
egress:
  pools:
    - {name: tokyo, country: JP, geohash: xn76, addresses: [127.0.0.2]}
    - {name: london, country: GB, geohash: gcpv, addresses: [127.0.0.3]}
  default-pool: london
destinations:
  allow: [127.0.0.1/32]
limits: {max-tunnels: 50000, max-tunnels-per-connection: 20000, max-concurrent-streams: 5000}
EOF
  cat >"$PAIR_DIR/soak-a.yaml" <<EOF
listen: 127.0.0.1:$A_PORT
admin: 127.0.0.1:$A_ADMIN
tls: {certificate: a.crt, private-key: a.key}
users: {file: users.txt}
geolocation: {database: clients.csv, precision: 5}
signing: {private-key: a-signing.pem, key-id: proxy-a-dev, validity: 300s}
upstream:
  url: https://127.0.0.1:$B_PORT
  client-certificate: a-client.crt
  client-key: a-client.key
  trust: ca.crt
limits: $a_limits
EOF
  # shellcheck disable=SC2086
  java ${PROXY_JAVA_OPTS:--Xmx512m} -jar "$B_JAR" --config "$PAIR_DIR/soak-b.yaml" >"$PAIR_DIR/b.log" 2>&1 &
  B_PID=$!
  wait_ready "$B_ADMIN"
  # shellcheck disable=SC2086
  java ${PROXY_JAVA_OPTS:--Xmx512m} -jar "$A_JAR" --config "$PAIR_DIR/soak-a.yaml" >"$PAIR_DIR/a.log" 2>&1 &
  A_PID=$!
  wait_ready "$A_ADMIN"
  java -Xmx256m -jar "$LOADGEN_JAR" serve --listen "127.0.0.1:$DEST_PORT" >"$PAIR_DIR/dest.log" 2>&1 &
  DEST_PID=$!
  sleep 1
}

pair_stop() {
  for pid in ${A_PID:-} ${B_PID:-} ${DEST_PID:-}; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in ${A_PID:-} ${B_PID:-} ${DEST_PID:-}; do
    wait "$pid" 2>/dev/null || true
  done
}

# bench_location_table FILE: writes a location table for A's geolocation.database (CSV) that places the load
# generator's address, 127.0.0.1, in Tokyo, where DevSetup's B (and soak-b.yaml) has an egress pool. A real user is
# located, so A signs a geohash for every tunnel (Ed25519, RFC 9421) and B verifies it and picks that pool; the
# embedded demo table A uses without a database maps only loopback aliases (127.0.0.10 ...), so a generator on
# 127.0.0.1 would measure tunnels without that work. b_pool_tunnels shows which pool B used.
bench_location_table() {
  printf '%s\n' "# ip_prefix,alpha2code,latitude,longitude: the load generator's address, in Tokyo (scripts/pair-env.sh)" \
    "127.0.0.1/32,JP,35.6812,139.7671" >"$1"
}

# b_pool_tunnels ADMIN_PORT POOL: tunnels B opened (200) through egress pool POOL, from its /metrics
b_pool_tunnels() {
  curl -fsS "http://127.0.0.1:$1/metrics" 2>/dev/null \
    | awk -v pool="pool=\"$2\"" '/^privacy_proxy_requests_by_status_total\{/ && index($0, pool) && index($0, "status=\"200\"") {s += $NF}
                                   END {printf "%d\n", s}'
}

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
fds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
metric() { # admin port, metric line prefix
  curl -fsS "http://127.0.0.1:$1/metrics" 2>/dev/null | awk -v m="$2" 'index($0, m) == 1 {v=$NF} END {print (v == "" ? 0 : v)}'
}

# proxy_jvm JAR [FLAG...]: sets the array PROXY_JVM to the command that runs the proxy jar JAR the way production
# does, with the extra JVM FLAGs, up to and including `-jar JAR` (the caller adds --config ...). Used by scripts/bench-idle.sh and scripts/bench-peers.sh.
#   PROXY_JAVA         the java launcher (default: java on the PATH), e.g. /usr/lib/jvm/temurin-25-jdk-amd64/bin/java
#   PROXY_JVM_OPTIONS  a java @argfile of JVM flags (default deploy/jvm.options, the production set); none = the JVM's
#                      defaults
#   PROXY_CDS_DIR      if set, a directory for the jar's AppCDS archive (docs/performance.md, "Memory"): with the
#                      archive there (and newer than the jar) the JVM maps it; without, this run writes it when the
#                      proxy exits (JDK 17: -XX:ArchiveClassesAtExit; JDK 19+: -XX:+AutoCreateSharedArchive)
proxy_jvm() {
  local jar=$1 java=${PROXY_JAVA:-java} opts=${PROXY_JVM_OPTIONS:-deploy/jvm.options}
  shift
  PROXY_JVM=("$java")
  if [[ $opts != none ]]; then
    [[ -f $opts ]] || { echo "no such JVM options file: $opts" >&2; return 2; }
    PROXY_JVM+=("@$(readlink -f "$opts")")
  fi
  if [[ -n ${PROXY_CDS_DIR:-} ]]; then
    local feature archive
    feature=$("$java" -XshowSettings:properties -version 2>&1 | awk '/java.version = / {print $3}')
    archive=$(readlink -f "$PROXY_CDS_DIR")/$(basename "$jar" .jar)-jdk$feature.jsa
    mkdir -p "$PROXY_CDS_DIR"
    if [[ ${feature%%.*} -ge 19 ]]; then
      PROXY_JVM+=(-XX:+AutoCreateSharedArchive "-XX:SharedArchiveFile=$archive")
    elif [[ -f $archive && $archive -nt $jar ]]; then
      PROXY_JVM+=("-XX:SharedArchiveFile=$archive")
    else
      PROXY_JVM+=("-XX:ArchiveClassesAtExit=$archive")
    fi
  fi
  PROXY_JVM+=("$@" -jar "$(readlink -f "$jar")")
}
