#!/usr/bin/env bash
# JMH micro-benchmarks of the hot codecs (issue 6): CONNECT-UDP capsules and QUIC varints, signed-geohash and
# Privacy Pass verification, egress pool selection, Proxy A's .mmdb client lookup. Runs
# benchmarks/target/benchmarks.jar (built here when missing or older than the sources it measures), prints JMH's
# table and a markdown one, and writes run/jmh/results.json.
# `scripts/bench-jmh.sh --help` explains the options.
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=benchmarks/target/benchmarks.jar
OUT=run/jmh
usage() {
  cat <<'USAGE'
usage: scripts/bench-jmh.sh [--quick] [--rebuild] [JMH args...]

Runs the JMH benchmarks of the benchmarks module (java -jar benchmarks/target/benchmarks.jar) and writes
  run/jmh/results.json   JMH's JSON result file (-rf json)
  run/jmh/results.md     a markdown table of the figures, with the date, JDK, CPU count and load averages
The markdown table is printed at the end too; paste it into docs/performance.md ("Codec micro-benchmarks").

Options
  --quick        a ~2-minute smoke run: -f 1 -wi 2 -w 1s -i 3 -r 1s
                 (default: -f 2 -wi 5 -w 1s -i 5 -r 1s, about 8 minutes for every benchmark)
  --rebuild      build the jar even if it looks up to date
  --help         this text
  JMH args       passed to JMH after the defaults above; a flag given here replaces its default. Examples:
                   Capsule                          only benchmarks whose name matches the regex
                   -p pools=200 -p addressesPerPool=64   other pool sizes (PoolSelectionBenchmark)
                   -prof gc                         allocation per operation (a column of the markdown table)
                   -l                               list the benchmarks and exit
                 (-rf and -rff are set by this script.) `java -jar benchmarks/target/benchmarks.jar -h` lists all.

The jar is built with `mvn -B -q -pl benchmarks -am -DskipTests package` (a reactor build: nothing is installed
into ~/.m2) when it is missing or older than any source of benchmarks, common-protocol, geo-data or proxy-b.
Figures from a loaded machine are noisy: the load average before and after the run is recorded with them.
USAGE
}

QUICK=0
REBUILD=0
USER_ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --help|-h) usage; exit 0 ;;
    --quick) QUICK=1 ;;
    --rebuild) REBUILD=1 ;;
    -rf|-rff|-rf=*|-rff=*) echo "bench-jmh: $1 is set by this script (results go to $OUT/results.json)" >&2; exit 2 ;;
    *) USER_ARGS+=("$1") ;;
  esac
  shift
done

log() { echo "bench-jmh: $*" >&2; }
command -v java >/dev/null || { log "java (JDK 17+) is required"; exit 2; }
command -v python3 >/dev/null || { log "python3 is needed to write the markdown table"; exit 2; }

# ---- build when needed --------------------------------------------------------------------------------------
stale() {
  [[ ! -f $JAR ]] && return 0
  [[ -n $(find pom.xml benchmarks common-protocol geo-data proxy-b \
            \( -path '*/target' -prune \) -o \( -type f \( -name '*.java' -o -name 'pom.xml' \) -newer "$JAR" -print \) \
            2>/dev/null | head -1) ]]
}
if [[ $REBUILD == 1 ]] || stale; then
  command -v mvn >/dev/null || { log "mvn is required to build $JAR"; exit 2; }
  log "building $JAR (mvn -B -q -pl benchmarks -am -DskipTests package)..."
  # offline first: everything is usually in ~/.m2 already; go online only when something is missing
  mvn -B -q -o -pl benchmarks -am -DskipTests package 2>/dev/null || mvn -B -q -pl benchmarks -am -DskipTests package
fi

# ---- JMH arguments: defaults unless the caller gave the same flag ------------------------------------------
if [[ $QUICK == 1 ]]; then
  DEFAULTS=(-f 1 -wi 2 -w 1s -i 3 -r 1s)
else
  DEFAULTS=(-f 2 -wi 5 -w 1s -i 5 -r 1s)
fi
given() {
  local flag=$1 a
  for a in "${USER_ARGS[@]+"${USER_ARGS[@]}"}"; do [[ $a == "$flag" ]] && return 0; done
  return 1
}
ARGS=()
for ((k = 0; k < ${#DEFAULTS[@]}; k += 2)); do
  given "${DEFAULTS[k]}" || ARGS+=("${DEFAULTS[k]}" "${DEFAULTS[k + 1]}")
done
given -foe || ARGS+=(-foe true) # a benchmark that throws fails the run instead of printing no figure
mkdir -p "$OUT"
ARGS+=(-rf json -rff "$OUT/results.json")

# A list or help request prints and exits: no results to read.
for a in "${USER_ARGS[@]+"${USER_ARGS[@]}"}"; do
  case "$a" in
    -l|-lp|-lrf|-lprof|-h) exec java -jar "$JAR" "${USER_ARGS[@]}" ;;
  esac
done

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "n/a")
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
COMMAND="java -jar $JAR ${ARGS[*]} ${USER_ARGS[*]+"${USER_ARGS[*]}"}"
log "load average before: $LOAD_BEFORE"
log "$COMMAND"
rm -f "$OUT/results.json"
java -jar "$JAR" "${ARGS[@]}" "${USER_ARGS[@]+"${USER_ARGS[@]}"}"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "n/a")
[[ -s $OUT/results.json ]] || { log "JMH wrote no results"; exit 1; }

# ---- markdown table ------------------------------------------------------------------------------------------
JDK=$(java -version 2>&1 | head -1)
CPUS=$(nproc 2>/dev/null || echo "?")
python3 - "$OUT/results.json" "$STARTED" "$JDK" "$CPUS" "$LOAD_BEFORE" "$LOAD_AFTER" "$COMMAND" >"$OUT/results.md" <<'PY'
import json, sys
path, started, jdk, cpus, before, after, command = sys.argv[1:8]
rows = json.load(open(path))

def fmt(x):
    if x != x:  # NaN: a single iteration has no error
        return "n/a"
    a = abs(x)
    if a >= 100:
        return f"{x:,.0f}"
    if a >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"

print(f"Run {started}; {jdk}; {cpus} CPUs; load average before {before}, after {after}.")
print()
print(f"`{command}`")
print()
# With -prof gc, JMH also reports bytes allocated per operation: unlike time, it does not depend on the load.
# (JMH 1.37 names it "gc.alloc.rate.norm"; earlier versions prefixed a middle dot.)
def alloc_of(r):
    sm = r.get("secondaryMetrics") or {}
    return sm.get("gc.alloc.rate.norm") or sm.get("\u00b7gc.alloc.rate.norm")
alloc = any(alloc_of(r) for r in rows)
print("| benchmark | params | score | ± error (99.9 %) | unit |" + (" allocated (B/op) |" if alloc else ""))
print("|---|---|---:|---:|---|" + ("---:|" if alloc else ""))
for r in rows:
    cls, _, method = r["benchmark"].rpartition(".")
    cls = cls.rpartition(".")[2]
    params = ", ".join(f"{k}={v}" for k, v in (r.get("params") or {}).items())
    m = r["primaryMetric"]
    line = f"| {cls}.{method} | {params} | {fmt(m['score'])} | {fmt(m['scoreError'])} | {m['scoreUnit']} |"
    if alloc:
        a = alloc_of(r)
        line += f" {fmt(a['score']) if a else 'n/a'} |"
    print(line)
PY
echo
cat "$OUT/results.md"
log "wrote $OUT/results.json and $OUT/results.md"
