#!/usr/bin/env bash
# Runs one of Streamlab's JMH benchmarks in full and writes its results as CSV and as a Markdown table.
#
#   scripts/bench.sh NAME                 full run  -> <module>/bench-results/NAME.csv and NAME.md
#   scripts/bench.sh NAME --quick         short run -> <module>/bench-results/NAME-custom.{csv,md}
#   scripts/bench.sh NAME [JMH options]   extra JMH options; each replaces the same default (-f 1 -wi 3
#                                         -i 5 -w 1s -r 1s), e.g. scripts/bench.sh buffers -i 3 -p chunkSize=65536
#                                         -> <module>/bench-results/NAME-custom.{csv,md}
#
# Benchmarks: buffers (phase 1, dev.streamlab.bench.BuffersBenchmark).
# Needs JAVA_HOME pointing at a JDK 21 or newer (./lab bench NAME sets it) and Maven on the PATH.
set -euo pipefail

usage() {
  sed -n '2,12s/^# \{0,1\}//p' "$0" >&2
  exit 2
}

[[ $# -ge 1 ]] || usage
name=$1
shift
user_args=("$@")
case "$name" in
  buffers)
    module=phase1-fundamentals
    pattern=dev.streamlab.bench.BuffersBenchmark
    # One op reads BuffersBenchmark.FILE_SIZE bytes; the table compares every strategy with naive.
    table_args=(--bytes-per-op 33554432 --reference naive --order baseline,naive,reusedHeap,direct,mapped
                --title "Buffers lab: reading a 32 MiB file in chunks (BuffersBenchmark)")
    ;;
  -h|--help) usage ;;
  *) echo "bench.sh: unknown benchmark '$name' (known: buffers)" >&2; exit 2 ;;
esac

# Settings for a full run that finishes in a few minutes on 2 cores (6 chunk sizes x 5 methods x ~10 s).
defaults=(-f 1 -wi 3 -i 5 -w 1s -r 1s)
out_name=$name
if [[ $# -gt 0 ]]; then
  if [[ $1 == --quick ]]; then
    shift
    defaults=(-f 1 -wi 1 -i 2 -w 200ms -r 200ms)
  fi
  out_name=$name-custom # a partial run must not overwrite the full results the README quotes
fi
# JMH rejects an option given twice, so a setting of yours replaces the default for that option only.
run_args=()
for ((i = 0; i < ${#defaults[@]}; i += 2)); do
  mine=false
  for arg in "$@"; do [[ $arg == "${defaults[i]}" ]] && mine=true; done
  $mine || run_args+=("${defaults[i]}" "${defaults[i + 1]}")
done
run_args+=("$@")

if [[ -z ${JAVA_HOME:-} || ! -x $JAVA_HOME/bin/java ]]; then
  echo "bench.sh: set JAVA_HOME to a JDK 21 or newer (or use ./lab bench $name)" >&2
  exit 2
fi
java_major=$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 \
  | sed -n 's/^ *java.specification.version = //p')
if [[ -z $java_major || $java_major -lt 21 ]]; then
  echo "bench.sh: JAVA_HOME=$JAVA_HOME is Java ${java_major:-unknown}; Streamlab needs 21 or newer" >&2
  exit 2
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
results=$module/bench-results
mkdir -p "$results"
cp_file=target/bench-classpath.txt # relative: each module of the reactor writes its own

echo "==> building $module test classes"
JAVA_HOME=$JAVA_HOME mvn -q -B -pl "$module" -am test-compile dependency:build-classpath -DskipTests \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file"
# JMH forks load classes for minutes: run from a snapshot, so a `mvn` in another terminal cannot swap them.
snapshot=$module/target/bench-classes
rm -rf "$snapshot"
mkdir -p "$snapshot"
cp -R "$module/target/classes" "$snapshot/classes"
cp -R "$module/target/test-classes" "$snapshot/test-classes"
classpath=$snapshot/test-classes:$snapshot/classes:$(cat "$module/$cp_file")

jmh_args=("$pattern" "${run_args[@]}" -prof gc -foe true -rf csv -rff "$results/$out_name.csv")
echo "==> java -cp <test classpath> org.openjdk.jmh.Main ${jmh_args[*]}"
"$JAVA_HOME/bin/java" -Dstreamlab.media="$root/media" -cp "$classpath" org.openjdk.jmh.Main "${jmh_args[@]}"

command="scripts/bench.sh $name${user_args[*]:+ ${user_args[*]}}  =  java -Dstreamlab.media=media -cp <test classpath> org.openjdk.jmh.Main ${jmh_args[*]}"
"$JAVA_HOME/bin/java" -cp "$classpath" dev.streamlab.bench.JmhTable "$results/$out_name.csv" "$results/$out_name.md" \
  "${table_args[@]}" --command "$command"
