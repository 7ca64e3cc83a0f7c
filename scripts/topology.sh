#!/usr/bin/env bash
# The iCloud Private Relay topology in network namespaces, with packet captures of every link.
#
#   scripts/topology.sh up      build if needed; four namespaces joined by veth links; start a destination,
#                               Proxy B (HTTP/3 on too), Proxy A (mode: both, its issuer) and three local clients
#                               in dh-client (SOCKS5 127.0.0.1:1080 forward, 1081 oblivious with TLS to B, 1082
#                               oblivious with QUIC to B inside CONNECT-UDP); tshark on each link
#   scripts/topology.sh test    up (unless up), one request per client from dh-client with curl, then read the
#                               captures, the logs and the metrics, print who saw what, exit 1 if any row is wrong
#   scripts/topology.sh down    stop everything and delete the namespaces (captures and logs stay in run/topology)
#
#   dh-client 10.77.1.2 ── 10.77.1.1 dh-a 10.77.2.1 ── 10.77.2.2 dh-b 10.77.3.1 (Tokyo pool), 10.77.3.3 ── 10.77.3.2 dh-dest
#
# No namespace routes past its neighbours (no loopback shortcuts): the client reaches only A, A only B, B only the
# destination. A locates 10.77.1.0/24 in Tokyo (a CSV table), so B egresses from 10.77.3.1. Needs root (ip netns),
# Debian's tshark and iproute2 (scripts/install-test-deps.sh); without root it says so and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=run/topology
NSS=(dh-client dh-a dh-b dh-dest)
A_JAR=proxy-a/target/proxy-a.jar
B_JAR=proxy-b/target/proxy-b.jar
C_JAR=client/target/client.jar
DEST=10.77.3.2:8080

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }

can_run() {
  if [[ $(id -u) -ne 0 ]]; then
    echo "topology: SKIPPED: needs root for ip netns (run as root, e.g. in CI's container)"; return 1
  fi
  for c in ip tshark curl java; do
    command -v "$c" >/dev/null || { echo "topology: SKIPPED: $c not installed (scripts/install-test-deps.sh)"; return 1; }
  done
  if ! ip netns add dh-probe 2>/dev/null; then
    echo "topology: SKIPPED: this environment does not allow network namespaces"; return 1
  fi
  ip netns del dh-probe
}

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

link() { # link NS1 IF1 ADDR1 NS2 IF2 ADDR2
  ip link add "$2" type veth peer name "$5"
  ip link set "$2" netns "$1"; ip link set "$5" netns "$4"
  in_ns "$1" ip addr add "$3" dev "$2"; in_ns "$1" ip link set "$2" up
  in_ns "$4" ip addr add "$6" dev "$5"; in_ns "$4" ip link set "$5" up
}

start() { # start NAME NS CMD... : background, logs to $DIR/NAME.log, pid to $DIR/pids
  local name=$1 ns=$2; shift 2
  setsid ip netns exec "$ns" "$@" >"$DIR/$name.log" 2>&1 &
  echo "$! $name" >>"$DIR/pids"
}

wait_for() { # wait_for NS URL
  for _ in $(seq 1 120); do
    in_ns "$1" curl -fsS -o /dev/null "$2" 2>/dev/null && return 0
    sleep 0.5
  done
  echo "topology: $2 in $1 did not come up; see $DIR/*.log" >&2; return 1
}

wait_port() { # wait_port NS PORT
  for _ in $(seq 1 120); do
    in_ns "$1" bash -c "exec 3<>/dev/tcp/127.0.0.1/$2" 2>/dev/null && return 0
    sleep 0.5
  done
  echo "topology: port $2 in $1 did not open; see $DIR/*.log" >&2; return 1
}

up() {
  if ip netns list | grep -q '^dh-a\b'; then echo "topology: already up"; return 0; fi
  [[ -f $A_JAR && -f $B_JAR && -f $C_JAR ]] || mvn -B -q -DskipTests package
  rm -rf "$DIR"; mkdir -p "$DIR"
  for ns in "${NSS[@]}"; do ip netns add "$ns"; in_ns "$ns" ip link set lo up; done
  link dh-client dh-ca 10.77.1.2/24 dh-a dh-ac 10.77.1.1/24
  link dh-a dh-ab 10.77.2.1/24 dh-b dh-ba 10.77.2.2/24
  link dh-b dh-bd 10.77.3.1/24 dh-dest dh-db 10.77.3.2/24
  in_ns dh-b ip addr add 10.77.3.3/24 dev dh-bd

  java -cp "$A_JAR" net.doublehop.proxya.DevSetup "$DIR" 10.77.1.1 10.77.2.2 >/dev/null
  echo "10.77.1.0/24,JP,35.6895,139.6917" >"$DIR/geo.csv"
  cat >"$DIR/logging.properties" <<'EOF'
handlers=java.util.logging.ConsoleHandler
java.util.logging.ConsoleHandler.level=FINEST
proxy-a.level=FINEST
proxy-b.level=FINEST
doublehop-client.level=FINEST
EOF
  cat >"$DIR/b.yaml" <<'EOF'
listen: 10.77.2.2:8443
admin: 127.0.0.1:9090
http3: true
tls: {certificate: b.crt, private-key: b.key, client-ca: ca.crt}
geohash: {trusted-signers: a-keys.jwks, require-signature: true}
auth:
  privacy-pass: {issuer-keys: [issuer-1.pub.pem], issuer-name: issuer.example}
egress:
  pools:
    - {name: tokyo, country: JP, geohash: xn76, addresses: [10.77.3.1]}
    - {name: london, country: GB, geohash: gcpv, addresses: [10.77.3.3]}
  default-pool: london
destinations:
  allow: [10.77.3.0/24]
# B logs what it knows (client address, destination) so the test can show what it never learns
logging: {log-sensitive-data: true}
EOF
  cat >"$DIR/a.yaml" <<'EOF'
mode: both
listen: 10.77.1.1:7443
admin: 127.0.0.1:9091
tls: {certificate: a.crt, private-key: a.key}
users:
  file: users.txt
  privacy-pass: {issuer-keys: [issuer-1.pub.pem], issuer-name: issuer.example}
geolocation: {database: geo.csv, precision: 5}
signing: {private-key: a-signing.pem, key-id: proxy-a-dev, validity: 300s}
upstream:
  url: https://10.77.2.2:8443
  client-certificate: a-client.crt
  client-key: a-client.key
  trust: ca.crt
issuer: {listen: "10.77.1.1:7444", name: issuer.example, keys: [issuer-1.pem], tokens-per-user-per-hour: 100000}
# A logs what it knows too: in oblivious mode that never includes the destination
logging: {log-sensitive-data: true}
EOF
  local jul="-Djava.util.logging.config.file=$DIR/logging.properties"
  : >"$DIR/pids"
  for l in "dh-client dh-ca client-a" "dh-a dh-ab a-b" "dh-b dh-bd b-dest"; do
    set -- $l
    start "tshark-$3" "$1" tshark -q -i "$2" -w "$DIR/$3.pcap"
  done
  start dest dh-dest java -cp "$B_JAR" net.doublehop.proxyb.demo.DemoDestination "$DEST"
  start proxy-b dh-b java "$jul" -jar "$B_JAR" --config "$DIR/b.yaml"
  wait_for dh-b http://127.0.0.1:9090/health/ready
  start proxy-a dh-a java "$jul" -jar "$A_JAR" --config "$DIR/a.yaml"
  wait_for dh-a http://127.0.0.1:9091/health/ready
  local common=(--proxy-a https://10.77.1.1:7443 --cacert "$DIR/ca.crt" --http none)
  start client-forward dh-client java "$jul" -jar "$C_JAR" "${common[@]}" --user alice:wonderland \
    --socks 127.0.0.1:1080
  start client-oblivious dh-client java "$jul" -jar "$C_JAR" "${common[@]}" --mode oblivious \
    --proxy-b https://10.77.2.2:8443 --user alice:wonderland --socks 127.0.0.1:1081 \
    --privacy-pass-issuer https://10.77.1.1:7444 --issuer-name issuer.example
  start client-oblivious-quic dh-client java "$jul" -jar "$C_JAR" "${common[@]}" --mode oblivious \
    --b-transport quic --proxy-b https://10.77.2.2:8443 --user alice:wonderland --socks 127.0.0.1:1082 \
    --privacy-pass-issuer https://10.77.1.1:7444 --issuer-name issuer.example
  wait_port dh-client 1080; wait_port dh-client 1081; wait_port dh-client 1082
  echo "topology: up (logs and captures in $DIR)"
}

down() {
  if [[ -f $DIR/pids ]]; then
    while read -r pid name; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done <"$DIR/pids"
    sleep 2
    rm -f "$DIR/pids"
  fi
  for ns in "${NSS[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  echo "topology: down"
}

count() { # count PCAP FILTER: packets matching a display filter
  tshark -r "$1" -Y "$2" 2>/dev/null | wc -l
}

failed=0
row() { # row LABEL FORWARD OBLIVIOUS OK(0/1)
  local mark="ok"; [[ $4 -eq 0 ]] || { mark="WRONG"; failed=1; }
  printf '| %-44s | %-22s | %-22s | %-5s |\n' "$1" "$2" "$3" "$mark"
}

test_() {
  up
  local fwd obl
  fwd=$(in_ns dh-client curl -sS --max-time 20 --socks5-hostname 127.0.0.1:1080 "http://$DEST/" || true)
  sleep 1 # the forward tunnel's last log line (its target, with sensitive data on) before the mark
  local a_mark; a_mark=$(wc -l <"$DIR/proxy-a.log")
  obl=$(in_ns dh-client curl -sS --max-time 20 --socks5-hostname 127.0.0.1:1081 "http://$DEST/" || true)
  local oblq; oblq=$(in_ns dh-client curl -sS --max-time 20 --socks5-hostname 127.0.0.1:1082 "http://$DEST/" || true)
  sleep 2 # let the tunnels end and the logs and captures catch up
  # stop the captures so every packet is on disk
  while read -r pid name; do [[ $name == tshark-* ]] && kill -INT -- "-$pid" 2>/dev/null || true; done <"$DIR/pids"
  sleep 2
  local a_obl_log; a_obl_log=$(tail -n +"$((a_mark + 1))" "$DIR/proxy-a.log")
  local a_metrics; a_metrics=$(in_ns dh-a curl -fsS http://127.0.0.1:9091/metrics)
  local dest_ip=${DEST%:*}

  echo
  echo "Who saw what (forward vs oblivious mode), checked against captures, logs and metrics:"
  echo
  printf '| %-44s | %-22s | %-22s | %-5s |\n' "" "forward" "oblivious" "check"
  printf '|%s|%s|%s|%s|\n' "----------------------------------------------" "------------------------" \
    "------------------------" "-------"
  local n1 n2 n3
  n1=$(count "$DIR/client-a.pcap" "tcp"); n2=$(count "$DIR/a-b.pcap" "tcp"); n3=$(count "$DIR/b-dest.pcap" "tcp")
  row "captured TCP packets (client-A, A-B, B-dest)" "$n1, $n2, $n3" "(both modes)" \
    $([[ $n1 -gt 10 && $n2 -gt 10 && $n3 -gt 10 ]] && echo 0 || echo 1)
  row "destination answered, from B's egress" "${fwd##* }" "${obl##* }" \
    $([[ $fwd == *"from 10.77.3.1"* && $obl == *"from 10.77.3.1"* ]] && echo 0 || echo 1)
  row "QUIC to B (obl.): answered from B's egress" "-" "${oblq##* }" \
    $([[ $oblq == *"from 10.77.3.1"* ]] && echo 0 || echo 1)
  local nq; nq=$(count "$DIR/a-b.pcap" "udp && ip.src==10.77.2.1 && ip.dst==10.77.2.2 && udp.dstport==8443")
  row "QUIC to B (obl.): A->B UDP to B's port" "-" "yes ($nq packets)" $([[ $nq -gt 5 ]] && echo 0 || echo 1)
  row "client<->A wire: destination in clear" "no" "no" \
    $(( $(count "$DIR/client-a.pcap" "ip.addr==$dest_ip || frame contains \"$dest_ip\"") ))
  row "client<->A wire: only client and A" "yes" "yes" \
    $(( $(count "$DIR/client-a.pcap" "ip && !(ip.addr==10.77.1.2 && ip.addr==10.77.1.1)") ))
  row "A: knows the user" "yes (authenticates)" "yes (authenticates)" 0
  row "A: learns the destination" "yes (CONNECT names it)" "no (logs, metrics)" \
    $( { grep -q "$dest_ip" <<<"$a_obl_log" || grep -q "$dest_ip" <<<"$a_metrics"; } && echo 1 || echo 0)
  row "A<->B wire: client's address or user" "no" "no" \
    $(( $(count "$DIR/a-b.pcap" "ip.addr==10.77.1.2 || frame contains \"10.77.1.2\" || frame contains \"alice\"") ))
  row "B: sees the client's address or user" "no (A's address)" "no (A's address)" \
    $( grep -qE "10\.77\.1\.2|alice" "$DIR/proxy-b.log" && echo 1 || echo 0)
  row "B: learns the destination" "yes" "yes" \
    $( grep -q "$dest_ip" "$DIR/proxy-b.log" && echo 0 || echo 1)
  row "B<->dest wire: only B's egress and dest" "yes" "yes" \
    $(( $(count "$DIR/b-dest.pcap" "ip && !(ip.addr==$dest_ip && (ip.addr==10.77.3.1 || ip.addr==10.77.3.3))") ))
  echo
  if [[ $failed -ne 0 ]]; then
    echo "topology: a row is WRONG (see $DIR: *.pcap, *.log)"; return 1
  fi
  echo "topology: every row as expected"
}

case "${1:-}" in
  up) can_run || exit 0; up ;;
  test) can_run || exit 0; trap down EXIT; test_ ;;
  down) can_run || exit 0; down ;;
  -h|--help|help) usage ;;
  *) usage; exit 2 ;;
esac
