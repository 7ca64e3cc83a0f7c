#!/usr/bin/env bash
# Installs the npm packages the Node test programs use, exactly as their package-lock.json pins them
# (npm ci): Cloudflare's @cloudflare/privacypass-ts for Proxy A's Privacy Pass interop tests,
# and hpke-js (@hpke/core, @hpke/chacha20poly1305) with bhttp-js for the Oblivious HTTP interop test.
# Idempotent: does nothing when node_modules was installed from the same package.json and lock.
# Called by install-test-deps.sh and by the tests that need it (PrivacyPassInteropTest,
# ObliviousHttpEndToEndTest, and the client's ThirdPartyGatewayInteropTest, which runs ohttp-interop/gateway.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v npm >/dev/null || { echo "install-node-test-deps: npm (Node 20) is required" >&2; exit 2; }
for dir in proxy-a/src/test/node/privacypass-interop proxy-a/src/test/node/ohttp-interop; do
  stamp="$dir/node_modules/.installed-from"
  want="$(cat "$dir/package.json" "$dir/package-lock.json" | sha256sum | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    continue
  fi
  echo "install-node-test-deps: npm ci in $dir"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$want" > "$stamp"
done
