#!/usr/bin/env bash
# Builds the project, writes a development setup (certificates, keys, configs) into run/dev, and runs
# Proxy B, Proxy A and a demo destination on loopback; prints curl lines to try. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  cat <<'USAGE'
usage: scripts/run.sh [--no-build] [--verbose]
Builds (mvn -B -q -DskipTests package) unless --no-build, writes run/dev (fresh dev CA, certificates,
signing key, user alice/wonderland, configs), then starts on loopback:
  Proxy A  127.0.0.1:7443 (admin 9091, Privacy Pass issuer 7444, Oblivious HTTP gateway 7445)
  Proxy B  127.0.0.1:8443 (admin 9090, Oblivious HTTP relay 8444)
  demo destination 127.0.0.1:8080 (answers with, and logs, the address it was reached from)
--verbose runs both proxies with debug logging (a line per tunnel; no user, client address or destination).
USAGE
  exit 0
fi
BUILD=1
VERBOSE=()
for arg in "$@"; do
  case "$arg" in
    --no-build) BUILD=0 ;;
    --verbose) VERBOSE=(--verbose) ;;
    *) echo "scripts/run.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done
if [[ $BUILD -eq 1 ]]; then
  echo "building (mvn -B -q -DskipTests package)..."
  mvn -B -q -DskipTests package
fi

A_JAR=proxy-a/target/proxy-a.jar
B_JAR=proxy-b/target/proxy-b.jar
DEV=run/dev
rm -rf "$DEV"
java -cp "$A_JAR" net.doublehop.proxya.DevSetup "$DEV"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

java -cp "$B_JAR" net.doublehop.proxyb.demo.DemoDestination 127.0.0.1:8080 &
pids+=($!)
# The proxies run with the production JVM flags (deploy/jvm.options, docs/performance.md "Memory").
java @deploy/jvm.options -jar "$B_JAR" --config "$DEV/proxy-b.yaml" "${VERBOSE[@]}" &
pids+=($!)
java @deploy/jvm.options -jar "$A_JAR" --config "$DEV/proxy-a.yaml" "${VERBOSE[@]}" &
pids+=($!)

for port in 9090 9091; do
  for _ in $(seq 1 60); do
    curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
    sleep 0.5
  done
done
for url in https://127.0.0.1:7445/ohttp-keys https://127.0.0.1:8444/; do
  for _ in $(seq 1 60); do
    curl -sS -o /dev/null --cacert "$DEV/ca.crt" "$url" 2>/dev/null && break
    sleep 0.5
  done
done

cat <<'MSG'

Proxy A (7443) -> Proxy B (8443) -> demo destination (8080) are up. A locates the client's address with
its demo table (127.0.0.10 = Tokyo, 127.0.0.20 = London), signs the geohash, and B picks the egress:

  curl -p -x https://127.0.0.1:7443 --proxy-cacert run/dev/ca.crt --proxy-user alice:wonderland \
       --interface 127.0.0.10 http://127.0.0.1:8080/
  -> "... You reached me from 127.0.0.2" (B's Tokyo pool)

  curl -p -x https://127.0.0.1:7443 --proxy-cacert run/dev/ca.crt --proxy-user alice:wonderland \
       --interface 127.0.0.20 http://127.0.0.1:8080/
  -> "... You reached me from 127.0.0.3" (B's London pool)

Privacy Pass: A's issuer (7444) gives alice unlinkable tokens; A and B both accept them, once each:

  TOKEN=$(java -jar proxy-a/target/proxy-a.jar tokens --issuer https://127.0.0.1:7444 --cacert run/dev/ca.crt \
       --user alice:wonderland --issuer-name issuer.example --count 1)
  curl -p -x https://127.0.0.1:7443 --proxy-cacert run/dev/ca.crt --proxy-header "$TOKEN" \
       --interface 127.0.0.10 http://127.0.0.1:8080/          # through A and B; again with the same token: 403

Oblivious HTTP: B's relay (8444) passes an encrypted request to A's gateway (7445), which decrypts it
and asks the demo destination from 127.0.0.4; the relay never sees the request, the gateway and the
destination never see the client's address (the destination's log line names 127.0.0.4 only):

  java -jar client/target/client.jar ohttp --cacert run/dev/ca.crt \
       --relay https://127.0.0.1:8444/relay/demo --keys https://127.0.0.1:7445/ohttp-keys \
       GET http://127.0.0.1:8080/
  -> "Hello from the demo destination. You reached me from 127.0.0.4"

Metrics: http://127.0.0.1:9091/metrics (A), http://127.0.0.1:9090/metrics (B); B's geofeed: /geofeed.csv
Press Ctrl-C to stop.
MSG
wait
