#!/usr/bin/env bash
# Builds the project and runs Proxy B with the development config plus a demo destination on
# loopback, then prints a curl line to try. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  echo "usage: scripts/run.sh [--no-build]"
  echo "Builds (mvn -B -q -DskipTests package) unless --no-build, then starts Proxy B on 127.0.0.1:8443"
  echo "(admin 127.0.0.1:9090) with deploy/dev/proxy-b.yaml and a demo destination on 127.0.0.1:8080."
  exit 0
fi
if [[ "${1:-}" != "--no-build" ]]; then
  echo "building (mvn -B -q -DskipTests package)..."
  mvn -B -q -DskipTests package
fi

JAR=proxy-b/target/proxy-b.jar
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

java -cp "$JAR" net.doublehop.proxyb.demo.DemoDestination 127.0.0.1:8080 &
pids+=($!)
java -jar "$JAR" --config deploy/dev/proxy-b.yaml &
pids+=($!)

for _ in $(seq 1 60); do
  curl -fsS http://127.0.0.1:9090/health/ready >/dev/null 2>&1 && break
  sleep 0.5
done

cat <<'MSG'

Proxy B is up. Tunnel through it with curl (the destination answers with the egress address it saw):

  curl -p -x https://127.0.0.1:8443 --proxy-insecure \
       --proxy-header 'Proxy-Authorization: Preshared dev-key-change-me' \
       --proxy-header 'sec-ch-geohash: xn76c-JP' \
       http://127.0.0.1:8080/

  -> "... You reached me from 127.0.0.2" (the Tokyo pool). Try 'sec-ch-geohash: gcpvj-GB' for 127.0.0.3.

Metrics: curl http://127.0.0.1:9090/metrics    Geofeed: curl http://127.0.0.1:9090/geofeed.csv
Press Ctrl-C to stop.
MSG
wait
