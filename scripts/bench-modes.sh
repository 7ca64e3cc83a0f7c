#!/usr/bin/env bash
# Forward vs oblivious mode, one tunnel at a time, in the same run: the topology of scripts/topology.sh (client,
# A, B and a destination in their own network namespaces), curl in dh-client through the local client's SOCKS5
# side (forward: 127.0.0.1:1080, oblivious with TLS to B: 1081, oblivious with QUIC to B: 1082).
#   setup  time to the first byte of a tiny answer, one new tunnel per request (curl -w time_starttransfer), p50
#          and p90 of N requests per mode, interleaved
#   bulk   MB/s of one download of SIZE MiB per mode (curl -w speed_download), median of R rounds, interleaved
# Usage: scripts/bench-modes.sh [N=200] [SIZE=256] [R=3]. Needs root (as topology.sh); leaves the namespaces down.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200}; SIZE=${2:-256}; R=${3:-3}
DIR=run/topology
scripts/topology.sh up | tail -1
trap 'kill %1 2>/dev/null || true; scripts/topology.sh down >/dev/null' EXIT
# a static file server in the destination's namespace for the bulk download (port 8081)
head -c "$((SIZE * 1024 * 1024))" /dev/zero >"$DIR/bulk.bin"
( cd "$DIR" && exec ip netns exec dh-dest python3 -m http.server 8081 --bind 10.77.3.2 >/dev/null 2>&1 ) &
sleep 2
c() { ip netns exec dh-client curl -sS -o /dev/null --max-time 120 --socks5-hostname "127.0.0.1:$1" "${@:2}"; }
# warm-up: connections to A (and, oblivious, the inner connection to B) and the JIT
MODES=(forward:1080 oblivious:1081 obl-quic:1082)
for _ in $(seq 1 30); do for m in "${MODES[@]}"; do c "${m#*:}" http://10.77.3.2:8080/; done; done
for m in "${MODES[@]}"; do : >"$DIR/setup-${m%:*}.txt"; : >"$DIR/bulk-${m%:*}.txt"; done
for _ in $(seq 1 "$N"); do
  for m in "${MODES[@]}"; do
    c "${m#*:}" -w '%{time_starttransfer}\n' http://10.77.3.2:8080/ >>"$DIR/setup-${m%:*}.txt"
  done
done
for _ in $(seq 1 "$R"); do
  for m in "${MODES[@]}"; do
    c "${m#*:}" -w '%{speed_download}\n' http://10.77.3.2:8081/bulk.bin >>"$DIR/bulk-${m%:*}.txt"
  done
done
pct() { sort -g "$1" | awk -v p="$2" '{a[NR]=$1} END {i=int((NR-1)*p+1); printf "%.1f", a[i]*1000}'; }
med() { sort -g "$1" | awk '{a[NR]=$1} END {printf "%.0f", a[int((NR+1)/2)]/1e6}'; }
echo
printf '| mode      | setup p50 (ms) | setup p90 (ms) | bulk (MB/s, %d MiB, median of %d) |\n' "$SIZE" "$R"
printf '|-----------|----------------|----------------|-----------------------------------|\n'
for m in forward oblivious obl-quic; do
  printf '| %-9s | %14s | %14s | %33s |\n' "$m" "$(pct "$DIR/setup-$m.txt" 0.5)" "$(pct "$DIR/setup-$m.txt" 0.9)" \
    "$(med "$DIR/bulk-$m.txt")"
done
echo "(setup: $N tunnels per mode, interleaved; time to first byte as curl measures it, SOCKS5 handshake included)"
