#!/usr/bin/env bash
# Runs one of Streamlab's benchmarks in full and writes its results as CSV and as a Markdown table.
#
#   scripts/bench.sh NAME                 full run  -> <module>/bench-results/NAME.csv and NAME.md
#   scripts/bench.sh NAME --quick         short run -> <module>/bench-results/NAME-custom.{csv,md}
#   scripts/bench.sh NAME [JMH options]   extra JMH options; each replaces the same default (-f 1 -wi 3
#                                         -i 5 -w 1s -r 1s), e.g. scripts/bench.sh buffers -i 3 -p chunkSize=65536
#                                         -> <module>/bench-results/NAME-custom.{csv,md}
#   scripts/bench.sh phase2 [OPTIONS]     the phase 2 load test (not JMH): options go to LoadHarness (--help)
#   scripts/bench.sh phase3-ws [--quick] [--load-only|--scale-only]
#                                         phase 3 vs phase 2 vs nginx (ranges, bulk; LoadHarness), then idle
#                                         WebSockets, virtual vs platform threads (WsScale), then fan-out to 1,000
#                                         subscribers (WsFanout; --fanout-only) -> phase3-ws.md, phase3-scale.{md,png},
#                                         phase3-fanout.md in phase3-websocket/bench-results
#   scripts/bench.sh phase3-wrk [OPTIONS] random 64 KiB ranges with wrk as the client: nginx vs phase 3 vs its floor
#                                         on virtual threads, on selector loops and from a mapping (WrkRanges,
#                                         --help) -> phase3-wrk.md; installs wrk and nginx when missing and root
#   scripts/bench.sh phase4-cache [--quick] [CacheBench options]
#                                         chunk cache vs page cache + sendfile (ranges), cached vs rebuilt fMP4
#                                         segments; 200 viewers, Zipf popularity -> phase4-cache.md in
#                                         phase4-optimizations/bench-results (dev.streamlab.bench.CacheBench, --help)
#   scripts/bench.sh phase4-cache-views   JMH CacheBenchmark: a cache hit (a view) vs a hit that copies, per chunk size
#   scripts/bench.sh phase3-live [--quick] [LiveViewers options]
#                                         N = 100, 1000, 2000, 5000 viewers of the 720p live channel, shared
#                                         segments vs a copy per viewer (LiveViewers) -> phase3-live.md
#
# Benchmarks: buffers (phase 1, JMH dev.streamlab.bench.BuffersBenchmark); phase2 (phase 2 vs jwebserver vs nginx
# on 127.0.0.1, load harness dev.streamlab.bench.LoadHarness; installs nginx from Debian when missing and root);
# phase4-compression (JMH CompressionBenchmark + CompressionLatencyBenchmark, then the CompressionRatios table;
# the raw-frame payload needs ffmpeg).
# Needs JAVA_HOME pointing at a JDK 21 or newer (./lab bench NAME sets it) and Maven on the PATH.
set -euo pipefail

usage() {
  sed -n '2,31s/^# \{0,1\}//p' "$0" >&2
  exit 2
}

[[ $# -ge 1 ]] || usage
name=$1
shift
# Your options go after ours to the load programs (WrkRanges, LoadHarness, CacheBench, LiveViewers), whose last
# --out or --command wins: yours replaces the default -custom file.
user_args=("$@")
case "$name" in
  buffers)
    module=phase1-fundamentals
    pattern=dev.streamlab.bench.BuffersBenchmark
    # One op reads BuffersBenchmark.FILE_SIZE bytes; the table compares every strategy with naive.
    table_args=(--bytes-per-op 33554432 --reference naive --order baseline,naive,reusedHeap,direct,mapped
                --title "Buffers lab: reading a 32 MiB file in chunks (BuffersBenchmark)")
    ;;
  phase2)
    module=phase2-http-server
    harness=dev.streamlab.bench.LoadHarness
    ;;
  phase2-io)
    module=phase2-http-server
    pattern=dev.streamlab.bench.BodyStrategyBenchmark
    table_args=() # JMH's own text table, wrapped in Markdown (JmhTable is shaped for the buffers sweep)
    ;;
  phase3-ws)
    module=phase3-websocket
    harness=dev.streamlab.bench.LoadHarness
    ;;
  phase3-wrk)
    module=phase3-websocket
    ;;
  phase3-hub)
    module=phase3-websocket
    pattern=dev.streamlab.bench.HubFanoutBenchmark
    table_args=() # JMH's own text table, wrapped in Markdown
    ;;
  phase3-live)
    module=phase3-websocket
    ;;
  phase3-fmp4)
    module=phase3-websocket
    pattern=dev.streamlab.bench.Fmp4Benchmark
    table_args=() # JMH's own text table, wrapped in Markdown
    ;;
  phase4-cache)
    module=phase4-optimizations
    ;;
  phase4-cache-views)
    module=phase4-optimizations
    pattern=dev.streamlab.bench.CacheBenchmark
    table_args=() # JMH's own text table, wrapped in Markdown
    ;;
  phase4-pixels)
    module=phase4-optimizations
    pattern=dev.streamlab.bench.PixelBenchmark
    table_args=() # JMH's own text table, wrapped in Markdown
    ;;
  phase4-compression)
    module=phase4-optimizations
    # CompressionBenchmark (DEFLATE levels: ratio, MB/s in and out) and CompressionLatencyBenchmark (loopback round
    # trips with and without permessage-deflate); then CompressionRatios appends the ratio table (no timing).
    pattern='dev.streamlab.bench.Compression(Latency)?Benchmark'
    table_args=() # JMH's own text table, wrapped in Markdown
    post_main=dev.streamlab.bench.CompressionRatios
    ;;
  -h|--help) usage ;;
  *) echo "bench.sh: unknown benchmark '$name' (known: buffers, phase2, phase2-io, phase3-hub, phase3-fmp4, phase3-live, phase3-ws, phase3-wrk, phase4-cache, phase4-cache-views, phase4-compression, phase4-pixels)" >&2
     exit 2 ;;
esac

# Settings for a full run that finishes in a few minutes on 2 cores (6 chunk sizes x 5 methods x ~10 s).
defaults=(-f 1 -wi 3 -i 5 -w 1s -r 1s)
# Vector API code runs interpreted (slow, boxing every vector) until C2 compiles it: a longer warm-up for the pixels.
[[ $name == phase4-pixels ]] && defaults=(-f 1 -wi 5 -i 5 -w 2s -r 1s)
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

# Maven, quietly, on the JDK chosen. Debian's Maven 3.8 writes bare colour resets (ESC[0m) even with -B -q; sed drops
# them so they do not show as "[0m" in a log.
quiet_mvn() {
  JAVA_HOME=$JAVA_HOME mvn -q -B "$@" 2>&1 | sed 's/\x1b\[[0-9;]*m//g'
}

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

if [[ $name == phase3-ws || $name == phase3-wrk ]]; then
  # Phase 2's load harness (in phase 2's test classes) with phase 3 as one more server process, then phase 3's own
  # idle-WebSocket scale test (WsScale, in phase 3's test classes). phase3-wrk: the same servers under wrk.
  quick=false
  parts=load,scale,fanout
  [[ $name == phase3-ws ]] && for arg in "${user_args[@]}"; do
    case "$arg" in
      --quick) quick=true ;;
      --load-only) parts=load ;;
      --scale-only) parts=scale ;;
      --fanout-only) parts=fanout ;;
      *) echo "bench.sh phase3-ws: options are --quick, --load-only, --scale-only, --fanout-only" >&2; exit 2 ;;
    esac
  done
  echo "==> building $module and phase2-http-server test classes"
  quiet_mvn -pl "$module" -am test-compile -Djmh.skip=true
  snapshot=$module/target/bench-classes
  rm -rf "$snapshot"
  mkdir -p "$snapshot"
  cp -R phase2-http-server/target/test-classes "$snapshot/phase2-test-classes"
  cp -R "$module/target/test-classes" "$snapshot/test-classes"
  cp -R shared/target/test-classes "$snapshot/shared-test-classes" # Await: Phase3Child waits on it
  for m in shared phase1-fundamentals phase2-http-server "$module"; do cp -R "$m/target/classes" "$snapshot/$m-classes"; done
  abs=$root/$snapshot
  server_cp=$abs/$module-classes:$abs/phase2-http-server-classes:$abs/phase1-fundamentals-classes:$abs/shared-classes
  "$root/scripts/ensure-deps.sh" nginx
  if [[ $name == phase3-wrk ]]; then
    "$root/scripts/ensure-deps.sh" wrk
    out=$results/phase3-wrk.md
    [[ ${#user_args[@]} -gt 0 ]] && out=$results/phase3-wrk-custom.md # a partial run must not overwrite the full one
    echo "==> java -cp <phase 2 test classpath> dev.streamlab.bench.WrkRanges ${user_args[*]}"
    exec "$JAVA_HOME/bin/java" -Dstreamlab.root="$root" -Dstreamlab.phase3.classpath="$server_cp" \
      -Dstreamlab.floor.classpath="$abs/test-classes" -cp "$snapshot/phase2-test-classes:$server_cp" \
      dev.streamlab.bench.WrkRanges --out "$out" \
      --command "scripts/bench.sh $name${user_args[*]:+ ${user_args[*]}}  =  java dev.streamlab.bench.WrkRanges${user_args[*]:+ ${user_args[*]}}" \
      "${user_args[@]}"
  fi
  suffix=""
  # --warmup 8: a fresh server JVM needs ~6 s under this load before C2 has compiled its request path (server CPU per
  # second falls from 1.5 to 0.9 cores). phase3-serial: the same server on the serial collector, beside the default.
  # phase3-floor: phase 3's FloorServer (its test classes), the least a JVM server does for a range, beside phase 3.
  # --heap 64m: a range server's live set is a few MB, and on this VM a larger resident heap costs p99 (phase 3
  # README, "The p99"); the phase 2 benchmark keeps the harness's 512 MB.
  load_args=(--servers phase3,phase3-serial,phase3-floor,phase2-mapped,nginx --scenarios ranges,bulk --rounds 3
    --warmup 8)
  scale_args=(--max 19000 --step 2000)
  fanout_args=(--subscribers 1000 --bytes 65536 --rate 30 --warmup 3 --seconds 30)
  if $quick; then
    suffix=-custom
    load_args=(--servers phase3,phase3-serial,phase3-floor,phase2-mapped,nginx --scenarios ranges,bulk --quick)
    scale_args=(--max 2000)
    fanout_args=(--subscribers 200 --bytes 65536 --rate 30 --warmup 1 --seconds 3)
  fi
  load_args+=(--heap 64m)
  command="scripts/bench.sh $name${user_args[*]:+ ${user_args[*]}}  =  java -cp <phase 2 test classpath> $harness ${load_args[*]}"
  if [[ $parts == *load* ]]; then
  echo "==> java -cp <phase 2 test classpath> $harness ${load_args[*]}"
  "$JAVA_HOME/bin/java" -Dstreamlab.root="$root" -Dstreamlab.phase3.classpath="$server_cp" \
    -Dstreamlab.floor.classpath="$abs/test-classes" \
    -cp "$snapshot/phase2-test-classes:$server_cp" "$harness" "${load_args[@]}" \
    --title "Phase 3 vs phase 2 vs nginx: random ranges and bulk (phase3-ws)" \
    --out "$results/$name$suffix.md" --command "$command"
  fi
  if [[ $parts == *scale* ]]; then
  echo "==> java -cp <phase 3 test classpath> dev.streamlab.bench.WsScale ${scale_args[*]}"
  "$JAVA_HOME/bin/java" -Dstreamlab.root="$root" -cp "$snapshot/test-classes:$snapshot/shared-test-classes:$server_cp" \
    dev.streamlab.bench.WsScale "${scale_args[@]}" --classpath "$server_cp" \
    --out "$results/phase3-scale$suffix.md" --png "$results/phase3-scale$suffix.png" \
    --command "scripts/bench.sh $name${user_args[*]:+ ${user_args[*]}}  =  java dev.streamlab.bench.WsScale ${scale_args[*]}"
  fi
  [[ $parts == *fanout* ]] || exit 0
  # WsFanout reads the server's heap allocation through phase 2's JvmProbe (phase 2's test classes).
  echo "==> java -cp <phase 3 test classpath> dev.streamlab.bench.WsFanout ${fanout_args[*]}"
  exec "$JAVA_HOME/bin/java" -Dstreamlab.root="$root" -cp "$snapshot/test-classes:$snapshot/phase2-test-classes:$snapshot/shared-test-classes:$server_cp" \
    dev.streamlab.bench.WsFanout "${fanout_args[@]}" --classpath "$server_cp" --out "$results/phase3-fanout$suffix.md" \
    --command "scripts/bench.sh $name${user_args[*]:+ ${user_args[*]}}  =  java dev.streamlab.bench.WsFanout ${fanout_args[*]}"
fi

if [[ $name == phase4-cache ]]; then
  # The chunk cache benchmark runs server and viewers in one JVM (phase 4's test classes); each cell starts a fresh
  # server. --drop-caches starts every cell with an empty page cache when we may (root).
  echo "==> building $module test classes"
  quiet_mvn -pl "$module" -am test-compile -Djmh.skip=true
  snapshot=$module/target/bench-classes
  rm -rf "$snapshot"
  mkdir -p "$snapshot"
  cp -R "$module/target/test-classes" "$snapshot/test-classes"
  classpath=$snapshot/test-classes
  for m in "$module" phase3-websocket phase2-http-server phase1-fundamentals shared; do
    cp -R "$m/target/classes" "$snapshot/$m-classes"
    classpath=$classpath:$snapshot/$m-classes
  done
  out_name=$name
  [[ ${#user_args[@]} -gt 0 ]] && out_name=$name-custom # a partial run must not overwrite the full results
  command="scripts/bench.sh $name${user_args[*]:+ ${user_args[*]}}  =  java -cp <test classpath> dev.streamlab.bench.CacheBench${user_args[*]:+ ${user_args[*]}}"
  echo "==> java -cp <test classpath> dev.streamlab.bench.CacheBench ${user_args[*]}"
  exec "$JAVA_HOME/bin/java" -Dstreamlab.root="$root" -cp "$classpath" dev.streamlab.bench.CacheBench \
    --out "$results/$out_name.md" --command "$command" "${user_args[@]}"
fi

if [[ $name == phase3-live ]]; then
  # N live viewers (dev.streamlab.bench.LiveViewers, phase 3's test classes), each N against a fresh server process
  # sharing segments and one copying them per viewer. 5,000 sockets on each side: raise the soft descriptor limit.
  hard=$(ulimit -Hn)
  if [[ $hard == unlimited || $hard -ge 12000 ]]; then ulimit -Sn 12000; else ulimit -Sn "$hard"; fi
  if [[ $(ulimit -Sn) -lt 5300 ]]; then
    echo "bench.sh phase3-live: open files limited to $(ulimit -Sn) (hard $hard); 5,000 viewers need ~5,300" >&2
  fi
  echo "==> building $module test classes"
  quiet_mvn -pl "$module" -am test-compile -Djmh.skip=true
  snapshot=$module/target/bench-classes
  rm -rf "$snapshot"
  mkdir -p "$snapshot"
  cp -R "$module/target/test-classes" "$snapshot/test-classes"
  cp -R phase2-http-server/target/test-classes "$snapshot/phase2-test-classes" # ProcStats: the server's /proc figures
  cp -R shared/target/test-classes "$snapshot/shared-test-classes" # Await: Phase3Child waits on it
  for m in shared phase1-fundamentals phase2-http-server "$module"; do cp -R "$m/target/classes" "$snapshot/$m-classes"; done
  abs=$root/$snapshot
  server_cp=$abs/$module-classes:$abs/phase2-http-server-classes:$abs/phase1-fundamentals-classes:$abs/shared-classes
  suffix=""
  [[ ${#user_args[@]} -gt 0 ]] && suffix=-custom # a partial run must not overwrite the full results
  echo "==> java -cp <phase 3 test classpath> dev.streamlab.bench.LiveViewers ${user_args[*]}"
  exec "$JAVA_HOME/bin/java" -Dstreamlab.root="$root" -cp "$snapshot/test-classes:$snapshot/phase2-test-classes:$snapshot/shared-test-classes:$server_cp" \
    dev.streamlab.bench.LiveViewers --classpath "$server_cp" --out "$results/phase3-live$suffix.md" \
    --command "scripts/bench.sh $name${user_args[*]:+ ${user_args[*]}}  =  java dev.streamlab.bench.LiveViewers ${user_args[*]}" \
    "${user_args[@]}"
fi

if [[ -n ${harness:-} ]]; then
  # A load test, not JMH: the harness starts each server as a process of its own and writes NAME.{md,csv}.
  out_name=$name
  [[ ${#user_args[@]} -gt 0 ]] && out_name=$name-custom # a partial run must not overwrite the full results
  echo "==> building $module test classes"
  quiet_mvn -pl "$module" -am test-compile -Djmh.skip=true
  # The servers run from these classes for minutes: a snapshot, so a `mvn` in another terminal cannot swap them.
  snapshot=$module/target/bench-classes
  rm -rf "$snapshot"
  mkdir -p "$snapshot"
  cp -R "$module/target/test-classes" "$snapshot/test-classes"
  cp -R "$module/target/classes" "$snapshot/classes"
  cp -R phase1-fundamentals/target/classes "$snapshot/phase1-classes"
  cp -R shared/target/classes "$snapshot/shared-classes"
  classpath=$snapshot/test-classes:$snapshot/classes:$snapshot/phase1-classes:$snapshot/shared-classes
  "$root/scripts/ensure-deps.sh" nginx # the reference server; without it its rows say "unavailable"
  command="scripts/bench.sh $name${user_args[*]:+ ${user_args[*]}}  =  java -cp <test classpath> $harness${user_args[*]:+ ${user_args[*]}}"
  echo "==> java -cp <test classpath> $harness ${user_args[*]}"
  exec "$JAVA_HOME/bin/java" -Dstreamlab.root="$root" -cp "$classpath" "$harness" \
    --out "$results/$out_name.md" --command "$command" "${user_args[@]}"
fi
cp_file=target/bench-classpath.txt # relative: each module of the reactor writes its own

echo "==> building $module test classes"
quiet_mvn -pl "$module" -am test-compile dependency:build-classpath -DskipTests \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file"
# JMH forks load classes for minutes: run from a snapshot, so a `mvn` in another terminal cannot swap them.
snapshot=$module/target/bench-classes
rm -rf "$snapshot"
mkdir -p "$snapshot"
cp -R "$module/target/classes" "$snapshot/classes"
cp -R "$module/target/test-classes" "$snapshot/test-classes"
classpath=$snapshot/test-classes:$snapshot/classes:$(cat "$module/$cp_file")

if [[ ${#table_args[@]} -eq 0 ]]; then
  jmh_args=("$pattern" "${run_args[@]}" -prof gc -foe true -rf text -rff "$results/$out_name.txt")
else
  jmh_args=("$pattern" "${run_args[@]}" -prof gc -foe true -rf csv -rff "$results/$out_name.csv")
fi
# JMH 1.37 calls sun.misc.Unsafe's memory-access methods, which JDK 24+ warns about in the runner and in every fork
# (some fifty lines a run); JDKs that know the flag are told to allow them. Forks inherit the runner's JVM options.
unsafe=()
if "$JAVA_HOME/bin/java" --sun-misc-unsafe-memory-access=allow -version >/dev/null 2>&1; then
  unsafe=(--sun-misc-unsafe-memory-access=allow)
fi
echo "==> java -cp <test classpath> org.openjdk.jmh.Main ${jmh_args[*]}"
"$JAVA_HOME/bin/java" "${unsafe[@]}" -Dstreamlab.media="$root/media" -cp "$classpath" org.openjdk.jmh.Main "${jmh_args[@]}"

command="scripts/bench.sh $name${user_args[*]:+ ${user_args[*]}}  =  java -Dstreamlab.media=media -cp <test classpath> org.openjdk.jmh.Main ${jmh_args[*]}"
if [[ ${#table_args[@]} -eq 0 ]]; then
  {
    echo "# $pattern"
    echo
    echo "- Machine: $(nproc) CPUs, $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1), $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- Command: \`$command\`"
    echo
    echo '```'
    cat "$results/$out_name.txt"
    echo '```'
  } > "$results/$out_name.md"
  echo "==> wrote $results/$out_name.md"
  if [[ -n ${post_main:-} ]]; then
    "$JAVA_HOME/bin/java" -Dstreamlab.media="$root/media" -cp "$classpath" "$post_main" --append "$results/$out_name.md"
  fi
else
  "$JAVA_HOME/bin/java" -cp "$classpath" dev.streamlab.bench.JmhTable "$results/$out_name.csv" "$results/$out_name.md" \
    "${table_args[@]}" --command "$command"
fi
