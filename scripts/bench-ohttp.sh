#!/usr/bin/env bash
# Requests/s of small GETs with 64 concurrent clients: straight to the demo destination, and through B's
# Oblivious HTTP relay and A's gateway, in one run (rounds alternate). Needs scripts/run.sh running.
# Not part of mvn verify. Usage: scripts/bench-ohttp.sh [clients=64] [seconds=15] [rounds=2]
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  sed -n 2,5p "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
curl -fsS -o /dev/null --cacert run/dev/ca.crt https://127.0.0.1:7445/ohttp-keys \
  || { echo "bench-ohttp: start scripts/run.sh first" >&2; exit 2; }
exec java -cp proxy-a/target/proxy-a.jar net.doublehop.proxya.ohttp.OhttpBench \
  https://127.0.0.1:8444/relay/demo https://127.0.0.1:7445/ohttp-keys http://127.0.0.1:8080/ run/dev/ca.crt \
  "${1:-64}" "${2:-15}" "${3:-2}"
