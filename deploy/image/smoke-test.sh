#!/usr/bin/env bash
# Runs a built image tarball without a container runtime, to show the image is complete: its layers are unpacked
# into a directory and its entrypoint run there with chroot, as the image's user (65532), with /proc bound in
# (the JVM and the dynamic loader need it, as in any container). Needs root (chroot, mount).
#
#   deploy/image/smoke-test.sh proxy-b/target/proxy-b-image.tar   # --help, then a tunnel through the image's B
#   deploy/image/smoke-test.sh proxy-a/target/proxy-a-image.tar   # --help
#
# For B it starts the proxy from the image on free loopback ports, opens a CONNECT tunnel with curl to a small HTTP
# server on another loopback port (not B's own: B refuses that as a loop), and fails if the native transport (epoll)
# or BoringSSL did not load.
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0; fi
tarball=${1:?usage: smoke-test.sh IMAGE.tar}
[[ $(id -u) -eq 0 ]] || { echo "smoke-test: needs root (chroot and a bind mount of /proc)" >&2; exit 2; }
work=$(mktemp -d)
root=$work/rootfs
pid=""
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  [[ -n ${dest_pid:-} ]] && kill "$dest_pid" 2>/dev/null && wait "$dest_pid" 2>/dev/null || true
  mountpoint -q "$root/proc" && umount "$root/proc"
  rm -rf "$work"
}
trap cleanup EXIT
dest_pid=
mkdir -p "$root"
tar xf "$tarball" -C "$work" manifest.json config.json
for layer in $(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))[0]["Layers"]))' "$work/manifest.json"); do
  tar xf "$tarball" -C "$work" "$layer"
  tar xzf "$work/$layer" -C "$root" --warning=no-unknown-keyword
done
mapfile -t entrypoint < <(python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["config"]["Entrypoint"]))' "$work/config.json")
user=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["config"]["User"])' "$work/config.json")
mkdir -p "$root/proc" "$root/config"
mount --bind /proc "$root/proc"
chroot_bin=$(command -v chroot)
# exec: run in the background is then the JVM itself, so the cleanup's kill reaches it.
run() { exec env -i PATH=/opt/java/bin JAVA_HOME=/opt/java "$chroot_bin" --userspec="$user" "$root" "${entrypoint[@]}" "$@"; }

(run --help) >"$work/help.txt" 2>&1 || { cat "$work/help.txt"; echo "smoke-test: --help failed" >&2; exit 1; }
echo "smoke-test: $(basename "$tarball"): --help answers ($(wc -l <"$work/help.txt") lines)"

if [[ ${entrypoint[-1]} == *proxyb.Main ]]; then
  free() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
  port=$(free); admin=$(free); dest=$(free)
  mkdir -p "$work/www" && echo "smoke-test destination" >"$work/www/index.html"
  python3 -m http.server --bind 127.0.0.1 --directory "$work/www" "$dest" >/dev/null 2>&1 &
  dest_pid=$!
  cat >"$root/config/proxy-b.yaml" <<YAML
listen: 127.0.0.1:$port
admin: 127.0.0.1:$admin
auth: {preshared-keys: [smoke-test-key-0123]}
egress:
  pools: [{name: local, country: GB, geohash: gcpv, addresses: [127.0.0.1]}]
  default-pool: local
destinations: {allow: [127.0.0.1/32]}
YAML
  (run --config /config/proxy-b.yaml) >"$work/b.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$admin/health/ready" >/dev/null 2>&1 && break
    sleep 0.2
  done
  body=$(curl -sf -p -x "https://127.0.0.1:$port" --proxy-insecure \
    --proxy-header 'Proxy-Authorization: Preshared smoke-test-key-0123' "http://127.0.0.1:$dest/") || {
    cat "$work/b.log"; echo "smoke-test: no tunnel through the image's Proxy B" >&2; exit 1; }
  # Main's start line names the transport and TLS engine: "[epoll, boringssl]", or "[nio" / "jdk-tls]" when a
  # native library did not load.
  if ! grep -q '\[epoll, boringssl\]' "$work/b.log"; then
    cat "$work/b.log"; echo "smoke-test: epoll or BoringSSL did not load in the image" >&2; exit 1
  fi
  echo "smoke-test: a CONNECT tunnel through the image's Proxy B (epoll, BoringSSL) answered: $body"
fi
