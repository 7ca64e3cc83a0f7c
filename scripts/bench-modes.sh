#!/usr/bin/env bash
# Forward vs oblivious mode, one tunnel at a time, in the same run: the topology of scripts/topology.sh (client,
# A, B and a destination in their own network namespaces), curl in dh-client through the local client's SOCKS5
# side (forward: 127.0.0.1:1080, oblivious: 1081).
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
for _ in $(seq 1 30); do c 1080 http://10.77.3.2:8080/; c 1081 http://10.77.3.2:8080/; done
: >"$DIR/setup-forward.txt"; : >"$DIR/setup-oblivious.txt"
for _ in $(seq 1 "$N"); do
  c 1080 -w '%{time_starttransfer}\n' http://10.77.3.2:8080/ >>"$DIR/setup-forward.txt"
  c 1081 -w '%{time_starttransfer}\n' http://10.77.3.2:8080/ >>"$DIR/setup-oblivious.txt"
done
: >"$DIR/bulk-forward.txt"; : >"$DIR/bulk-oblivious.txt"
for _ in $(seq 1 "$R"); do
  c 1080 -w '%{speed_download}\n' http://10.77.3.2:8081/bulk.bin >>"$DIR/bulk-forward.txt"
  c 1081 -w '%{speed_download}\n' http://10.77.3.2:8081/bulk.bin >>"$DIR/bulk-oblivious.txt"
done
pct() { sort -g "$1" | awk -v p="$2" '{a[NR]=$1} END {i=int((NR-1)*p+1); printf "%.1f", a[i]*1000}'; }
med() { sort -g "$1" | awk '{a[NR]=$1} END {printf "%.0f", a[int((NR+1)/2)]/1e6}'; }
echo
printf '| mode      | setup p50 (ms) | setup p90 (ms) | bulk (MB/s, %d MiB, median of %d) |\n' "$SIZE" "$R"
printf '|-----------|----------------|----------------|-----------------------------------|\n'
for m in forward oblivious; do
  printf '| %-9s | %14s | %14s | %33s |\n' "$m" "$(pct "$DIR/setup-$m.txt" 0.5)" "$(pct "$DIR/setup-$m.txt" 0.9)" \
    "$(med "$DIR/bulk-$m.txt")"
done
echo "(setup: $N tunnels per mode, interleaved; time to first byte as curl measures it, SOCKS5 handshake included)"
