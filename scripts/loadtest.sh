#!/usr/bin/env bash
# Load generator for the proxy pair: builds loadgen/target/loadgen.jar if it is missing, then runs it with the
# given arguments. `scripts/loadtest.sh --help` explains every option; `scripts/loadtest.sh serve --help` the
# destination server the workloads talk to.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=loadgen/target/loadgen.jar
if [[ ! -f "$JAR" ]]; then
  echo "loadtest: building $JAR (mvn -q -pl loadgen -am package -DskipTests)..." >&2
  mvn -B -q -pl loadgen -am package -DskipTests >&2
fi
exec java ${LOADGEN_JAVA_OPTS:-} -jar "$JAR" "$@"
