#!/usr/bin/env bash
# The whole test suite: unit tests plus end-to-end tests with real clients (curl, Node's http2)
# against real servers on loopback. Needs JDK 17+, Maven, curl and Node 20 (all on the dev machine);
# installs the rest from Debian's packages (scripts/install-test-deps.sh). Then, where it can (root, network
# namespaces allowed), the privacy table of oblivious mode on a real topology (scripts/topology.sh test); it says
# SKIPPED and passes elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in java mvn curl node; do
  command -v "$tool" >/dev/null || { echo "test.sh: '$tool' is required but not on PATH" >&2; exit 2; }
done
"$(dirname "$0")/install-test-deps.sh"
mvn -B verify "$@"
"$(dirname "$0")/topology.sh" test
