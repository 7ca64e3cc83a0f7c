#!/usr/bin/env bash
# CPU (or lock, allocation) profile of running JVMs — Proxy A, Proxy B, the load generator — with async-profiler,
# which sees native frames too (BoringSSL, quiche, the kernel's send path), where JFR sees only Java. The profiler
# comes from Maven Central (tools.profiler:async-profiler, native library inside the jar) into target/tools/; it is
# loaded into each JVM with `jcmd PID JVMTI.agent_load`, so the JVMs need no flag at start.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=4.1
usage() {
  cat <<'USAGE'
Usage: scripts/profile.sh [--seconds N] [--event E] [--interval I] [--out DIR] [--top K] PID[=NAME]...

Profiles each JVM PID for N seconds at once (start all, wait, stop all), then writes per JVM:
  DIR/NAME.html       a flame graph (open in a browser)
  DIR/NAME.collapsed  the stacks, one per line with its sample count (input for other tools, or grep)
  DIR/NAME.total.collapsed  lock and alloc only: the same stacks with what they add up to instead of the count
                      (ns waited for the lock, bytes allocated)
and prints each JVM's top K frames by self time and its top K "hot paths" (the frame nearest the leaf that is
our code or a named library entry), as a share of that JVM's samples.

  --seconds N    profiling time (default 15)
  --event E      cpu (default; perf events, falls back to itimer inside containers), itimer, wall, lock, alloc
  --interval I   sampling interval (default 1ms for cpu/itimer/wall; bytes for alloc, ns for lock). lock: a
                 sample per I ns of waiting (default 10us; 1 = every contended acquisition, to count them)
  --out DIR      output directory (default target/profile/<time>)
  --top K        lines of each summary (default 25)
  PID[=NAME]     a running JVM (see `jcmd -l`); NAME names its files (default the PID)
  -h, --help     this text

Example, while scripts/bench-peers.sh --keep-tmp or a loadgen run is going:
  scripts/profile.sh --seconds 10 $(pgrep -f proxy-a.jar)=A $(pgrep -f proxy-b.jar)=B
USAGE
}

seconds=15; event=cpu; interval=""; out=""; top=25; pids=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --event) event=$2; shift 2 ;;
    --interval) interval=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --top) top=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "profile.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) pids+=("$1"); shift ;;
  esac
done
[[ ${#pids[@]} -gt 0 ]] || { echo "profile.sh: name at least one JVM PID (see --help)" >&2; exit 2; }
out=${out:-target/profile/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
out=$(cd "$out" && pwd)

arch=$(uname -m); case "$arch" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; esac
lib=$PWD/target/tools/async-profiler-$VERSION/linux-$arch/libasyncProfiler.so
if [[ ! -f $lib ]]; then
  echo "profile.sh: fetching async-profiler $VERSION from Maven Central ..." >&2
  mvn -B -q dependency:copy -Dartifact=tools.profiler:async-profiler:$VERSION \
      -DoutputDirectory=target/tools -Dmdep.overWriteIfNewer=true
  (cd target/tools && mkdir -p "async-profiler-$VERSION" \
      && unzip -o -q "async-profiler-$VERSION.jar" "linux-$arch/*" -d "async-profiler-$VERSION")
fi

if [[ -z $interval ]]; then
  case "$event" in cpu|itimer|wall) interval=1ms ;; alloc) interval=512k ;; lock) interval=10us ;; *) interval=1ms ;; esac
fi
# A JVM that cannot be attached (gone, another user's) is reported and left out; the others are still profiled.
# The agent's options go quoted: jcmd would otherwise take "a,b=c" for an option of its own named "a,b". jcmd says
# "return code: 0" when the profiler accepted the command (its own exit status is 0 either way).
agent() {
  local said
  said=$(jcmd "$1" JVMTI.agent_load "$lib" "\"$2\"" 2>&1) || { echo "profile.sh: cannot attach to $1" >&2; return 1; }
  [[ $said == *"return code: 0"* ]] || { echo "profile.sh: $1 refused \"$2\": ${said//$'\n'/ }" >&2; return 1; }
}

started=()
for p in "${pids[@]}"; do
  [[ ${p%%=*} =~ ^[0-9]+$ ]] || { echo "profile.sh: not a PID: $p" >&2; continue; }
  agent "${p%%=*}" "start,event=$event,interval=$interval" && started+=("$p")
done
[[ ${#started[@]} -gt 0 ]] || exit 1
pids=("${started[@]}")
echo "profile.sh: profiling ${pids[*]} ($event, every $interval) for ${seconds}s ..." >&2
sleep "$seconds"
for p in "${pids[@]}"; do
  pid=${p%%=*}; name=${p#*=}
  agent "$pid" "dump,collapsed,file=$out/$name.collapsed" || true
  if [[ $event == lock || $event == alloc ]]; then
    agent "$pid" "dump,collapsed,total,file=$out/$name.total.collapsed" || true
  fi
  agent "$pid" "stop,file=$out/$name.html" || true
done

python3 - "$top" "$out" "$event" "${pids[@]}" <<'PY'
import collections, os, sys
top, out, event, procs = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
ours = ("net/doublehop", "net.doublehop")
for p in procs:
    name = p.split("=", 1)[-1]
    path = os.path.join(out, name + ".collapsed")
    if not os.path.exists(path):
        print(f"\n== {name}: no profile written"); continue
    selfs, paths, total = collections.Counter(), collections.Counter(), 0
    with open(path) as fh:
        for line in fh:
            stack, _, n = line.rstrip("\n").rpartition(" ")
            n = int(n); total += n
            frames = stack.split(";")
            selfs[frames[-1]] += n
            hit = next((f for f in reversed(frames) if f.startswith(ours)), None)
            paths[hit or frames[1] if len(frames) > 1 else frames[0]] += n
    print(f"\n== {name}: {total} samples ({path})")
    print("  self time:")
    for f, n in selfs.most_common(top):
        print(f"  {100.0 * n / total:5.1f} %  {f[:150]}")
    print("  nearest frame of ours (or the thread's root):")
    for f, n in paths.most_common(top):
        print(f"  {100.0 * n / total:5.1f} %  {f[:150]}")
    tpath = os.path.join(out, name + ".total.collapsed")
    if os.path.exists(tpath):
        # lock: the frame below the lock's class (the caller that waited), with the ns waited; alloc: bytes
        unit, scale = ("ms waited", 1e6) if event == "lock" else ("MB allocated", 1e6)
        sums, grand = collections.Counter(), 0
        with open(tpath) as fh:
            for line in fh:
                stack, _, n = line.rstrip("\n").rpartition(" ")
                n = int(n); grand += n
                frames = stack.split(";")
                sums[";".join(frames[-2:])] += n
        print(f"  {grand / scale:.3f} {unit} in all; by the last two frames:")
        for f, n in sums.most_common(top):
            print(f"  {n / scale:10.3f}  {f[-200:]}")
PY
echo "profile.sh: flame graphs in $out/" >&2
