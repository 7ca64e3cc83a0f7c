#!/usr/bin/env bash
# Runs the project's Jazzer fuzz targets (every @FuzzTest method) for real, one after another, each in a JVM of its
# own (Jazzer fuzzes one target per JVM), and prints how many inputs each one executed. `mvn verify` only replays
# the committed seeds (Jazzer's regression mode); this is where new inputs are found. See docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'USAGE'
Usage: scripts/fuzz.sh [--minutes N | --seconds N] [--no-build] [--list] [TARGET...]

Fuzzes each @FuzzTest target for N minutes (default 1), one at a time, with Jazzer (coverage-guided, libFuzzer
underneath), and prints a table: target, inputs executed, seconds, outcome.

  --minutes N   time per target, in minutes (default 1)
  --seconds N   time per target, in seconds (for a quick check)
  --no-build    use the classes already built (by an earlier run of this script)
  --list        print the targets and exit
  TARGET        only targets whose "Class.method" contains this text (e.g. MasqueFuzzTest, connectTarget);
                several may be given; none = all
  -h, --help    this text

Per target, under target/fuzz/: corpus/Class.method/ (inputs that found new coverage; kept between runs, so a
later run starts where this one stopped), crashes/Class.method-* (inputs that failed a property or threw), logs/.
A crash is made a regression input by copying it into the target's seed directory,
MODULE/src/test/resources/PACKAGE/ClassInputs/method/, where `mvn verify` replays it from then on.
Exit status: 0 when no target crashed, 1 otherwise. Do not build in the same tree while it runs: the targets run
from the modules' target/ directories.
USAGE
}

seconds=60
build=1
list=0
filters=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --minutes) seconds=$(( $2 * 60 )); shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --list) list=1; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) filters+=("$1"); shift ;;
  esac
done

# Every @FuzzTest method: "module class method"
targets=()
while IFS= read -r file; do
  module=${file%%/src/test/java/*}
  class=${file#*/src/test/java/}
  class=${class%.java}
  class=${class//\//.}
  while IFS= read -r method; do
    name="${class##*.}.$method"
    keep=$(( ${#filters[@]} == 0 ))
    for f in "${filters[@]}"; do
      [[ "$name" == *"$f"* ]] && keep=1
    done
    [[ $keep == 1 ]] && targets+=("$module $class $method")
  done < <(grep -A3 '@FuzzTest' "$file" | sed -n 's/.*void \([A-Za-z0-9_]*\)(.*/\1/p')
done < <(grep -rl --include='*FuzzTest.java' '@FuzzTest' -- */src/test/java | sort)

if [[ ${#targets[@]} -eq 0 ]]; then
  echo "fuzz.sh: no fuzz target matches ${filters[*]:-}" >&2
  exit 2
fi
if [[ $list == 1 ]]; then
  for t in "${targets[@]}"; do read -r m c f <<<"$t"; echo "${c##*.}.$f  ($m)"; done
  exit 0
fi

modules=$(for t in "${targets[@]}"; do echo "${t%% *}"; done | sort -u | paste -sd, -)
if [[ $build == 1 ]]; then
  echo "fuzz.sh: building $modules and writing their test classpaths ..."
  mvn -B -q -DskipTests -pl "$modules" -am package dependency:build-classpath \
      -Dmdep.outputFile=target/fuzz-classpath.txt -Dmdep.includeScope=test
fi

# What Jazzer instruments for coverage. Left to itself it instruments only the classes in the classpath's
# directories, i.e. the target's own module: the config loaders' targets were then blind to proxy-runtime's YamlNodes
# and config records (a jar here) and to SnakeYAML, the MMDB target to MaxMind's reader, where its crashes were.
# So: all of the project's code, and the third-party parsers our parsers hand untrusted bytes to.
INSTRUMENT='net.doublehop.**:org.yaml.snakeyaml.**:com.maxmind.db.**'

out=target/fuzz
mkdir -p "$out/corpus" "$out/crashes" "$out/logs"
results=()
failed=0
for t in "${targets[@]}"; do
  read -r module class method <<<"$t"
  name="${class##*.}.$method"
  seeds="$module/src/test/resources/${class%.*}"
  seeds="${seeds//.//}/${class##*.}Inputs/$method"
  corpus="$out/corpus/$name"
  mkdir -p "$corpus"
  cp="$module/target/test-classes:$module/target/classes:$(cat "$module/target/fuzz-classpath.txt")"
  log="$out/logs/$name.log"
  echo "fuzz.sh: $name for ${seconds}s ..."
  dirs=("$corpus")
  [[ -d "$seeds" ]] && dirs+=("$seeds")
  set +e
  java -Xmx512m -cp "$cp" com.code_intelligence.jazzer.Jazzer --target_class="$class" --target_method="$method" \
      --instrumentation_includes="$INSTRUMENT" \
      -max_total_time="$seconds" -rss_limit_mb=2560 -timeout=10 -print_final_stats=1 \
      -artifact_prefix="$out/crashes/$name-" "${dirs[@]}" >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | tail -1 | awk '{print $2, $5}' || true)
  [[ -z "$runs" ]] && runs="0 ?" # the JVM failed before fuzzing: see the log
  outcome=ok
  if [[ $rc -ne 0 ]]; then
    outcome="CRASH (exit $rc; see $log and $out/crashes/)"
    failed=1
  fi
  results+=("$(printf '%-52s %14s %8s  %s' "$name" "${runs% *}" "${runs#* }" "$outcome")")
done

echo
printf '%-52s %14s %8s  %s\n' "target" "inputs" "seconds" "outcome"
printf '%s\n' "${results[@]}"
exit $failed
