#!/usr/bin/env bash
# Installs what the test suite needs beyond JDK, Maven, curl and Node, from Debian's packages:
#   libmaxmind-db-writer-perl  writes MaxMind DB files for geo-data's .mmdb reader tests (an independent writer)
#   mmdb-bin                   mmdblookup, an independent reader to cross-check ours
#   redis-server               the shared store's tests start their own redis-server on an ephemeral loopback
#                              port (the system service, if the package starts one, is not used)
#   chromium                   a real browser, headless, through the local client (client's ChromiumTest)
#   tshark, iproute2           scripts/topology.sh: packet captures of every link between network namespaces
#   socat                      scripts/bench-peers.sh: two chained UDP relays, the baseline of the CONNECT-UDP rows
# and from npm (install-node-test-deps.sh, npm ci of the committed lock files):
#   @cloudflare/privacypass-ts Cloudflare's Privacy Pass library, for proxy-a's interop tests
# Idempotent: does nothing when they are present.
set -euo pipefail
need=()
perl -MMaxMind::DB::Writer::Tree -e1 2>/dev/null || need+=(libmaxmind-db-writer-perl)
command -v mmdblookup >/dev/null || need+=(mmdb-bin)
command -v redis-server >/dev/null || need+=(redis-server)
command -v chromium >/dev/null || need+=(chromium)
command -v tshark >/dev/null || need+=(tshark)
command -v ip >/dev/null || need+=(iproute2)
command -v socat >/dev/null || need+=(socat)
if ((${#need[@]})); then
  echo "install-test-deps: installing ${need[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -q "${need[@]}" >/dev/null 2>&1 || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q "${need[@]}" >/dev/null; }
fi
"$(dirname "$0")/install-node-test-deps.sh"
