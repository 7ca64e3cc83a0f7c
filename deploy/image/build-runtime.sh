#!/usr/bin/env bash
# Builds the file tree that is the base of the proxies' container images, from files on this machine only
# (no registry): a jlink'd Java runtime of the build JDK, the shared libraries it and Netty's native parts
# (epoll, BoringSSL, QUIC; extracted from the proxy's jar at run time) link against, copied from this machine's
# Debian, with their copyright files, a passwd/group naming the unprivileged user 65532, and an empty /tmp.
# Jib lays it on `scratch` as the image's first layers (the `image` profiles of proxy-a and proxy-b, configured in
# the root pom.xml).
#
#   deploy/image/build-runtime.sh OUTDIR PROXY_JAR
#
# Idempotent: a runtime already built for the same JDK, module list and jar natives is kept (so an offline
# rebuild is quick). The trade-off: glibc and zlib in the image are this machine's; rebuild the images after
# the build machine takes Debian security updates (or build them on a patched builder in CI).
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0; fi
out=${1:?usage: build-runtime.sh OUTDIR PROXY_JAR}
jar=${2:?usage: build-runtime.sh OUTDIR PROXY_JAR}

# What the proxies use (jdeps over the shaded jars, less AWT/Swing which a server never loads), plus the
# elliptic-curve provider (Ed25519 signatures, X25519 for TLS and HPKE live in jdk.crypto.ec on JDK 17).
modules=java.base,java.logging,java.management,java.naming,java.net.http,java.sql,java.xml,jdk.crypto.ec,jdk.jfr,jdk.management,jdk.unsupported

java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
jlink="$java_home/bin/jlink"
[[ -x $jlink ]] || { echo "build-runtime: no jlink in $java_home (a JDK, not a JRE, is needed)" >&2; exit 1; }

stamp="$("$java_home/bin/java" -version 2>&1 | tr '\n' ' ') $modules $(unzip -l "$jar" 'META-INF/native/*.so' | sha256sum | cut -c1-16)"
if [[ -f $out.stamp && "$(cat "$out.stamp")" == "$stamp" ]]; then
  exit 0
fi
rm -rf "$out" "$out.stamp"
mkdir -p "$out/opt" "$out/etc" "$out/tmp" "$out/usr/share/doc"
chmod 1777 "$out/tmp"
"$jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=2 \
  --output "$out/opt/java"

# Netty's natives for this platform, only to find what they link against (Netty extracts them at run time).
natives=$(mktemp -d)
trap 'rm -rf "$natives"' EXIT
unzip -q -o "$jar" 'META-INF/native/*linux_x86_64*.so' -d "$natives" 2>/dev/null || true

elves=("$out/opt/java/bin/java" "$out/opt/java/lib/server/libjvm.so")
for so in "$out"/opt/java/lib/*.so "$natives"/META-INF/native/*.so; do
  case "$(basename "$so")" in
    libawt*|libfontmanager*|libjawt*|libsplashscreen*|liblcms*|libjavajpeg*|libmlib_image*|libjsound*) ;;
    *) elves+=("$so") ;;
  esac
done
declare -A libs=()
for e in "${elves[@]}"; do
  while read -r path; do
    case "$path" in
      ""|"$out"/*|"$java_home"/*) ;;      # the runtime's own libraries are in it already
      *) libs[$path]=1 ;;
    esac
  done < <(ldd "$e" | awk '/=> \//{print $3} /^[ \t]*\//{print $1}')
done
for lib in "${!libs[@]}"; do
  # Copied as the file name the loader looks for (the symlink's), with the content of its target.
  mkdir -p "$out$(dirname "$lib")"
  cp -L "$lib" "$out$lib"
  pkg=$( { dpkg -S "$lib" || dpkg -S "$(readlink -f "$lib")"; } 2>/dev/null | head -1 | cut -d: -f1 || true)
  if [[ -n $pkg && -f /usr/share/doc/$pkg/copyright ]]; then
    mkdir -p "$out/usr/share/doc/$pkg"
    cp /usr/share/doc/"$pkg"/copyright "$out/usr/share/doc/$pkg/"
  fi
done
# Where the dynamic loader looks first on Debian (the x86-64 ABI path /lib64 is in the list above).
[[ -e $out/lib64/ld-linux-x86-64.so.2 ]] || { echo "build-runtime: the dynamic loader was not found" >&2; exit 1; }

printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/tmp:/sbin/nologin\n' >"$out/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$out/etc/group"
# Name lookups (store.redis, upstream.url by name) read /etc/hosts, then DNS; Kubernetes mounts both files.
printf 'hosts: files dns\n' >"$out/etc/nsswitch.conf"
echo "$stamp" >"$out.stamp"
echo "build-runtime: $(du -sh "$out" | cut -f1) in $out (modules: $modules; ${#libs[@]} shared libraries)"
