package dev.streamlab.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/*
 * The phase 2 load test: phase 2 (each --io strategy) against the JDK's jwebserver and nginx, on 127.0.0.1.
 *
 * The question: how close does com.sun.net.httpserver on virtual threads, which cannot send a file without
 * copying it through Java arrays, come to nginx, which hands the file to the kernel (sendfile)? And what do the
 * three ways of filling those arrays cost in CPU and garbage?
 *
 * Scenarios, run the same way (same seeds, same order of offsets) against every server, one server process at a
 * time, each started fresh for each scenario so its CPU time and peak RSS belong to that scenario alone:
 *   ranges   50 connections, closed loop, random 64 KiB ranges of a 1 GiB file (in the page cache)
 *   small    50 connections, closed loop, a whole 64 KiB file without Range (what jwebserver can do)
 *   viewers  200 players fetching 1 MiB ranges paced at 8 Mbit/s with random seeks, plus one bulk download
 *   bulk     one connection downloading the 1 GiB file whole, again and again (one stream: copy vs sendfile)
 *
 * How to run: ./lab bench phase2 (scripts/bench.sh builds the test classes and runs this class), or
 *   java -cp <phase2 test-classes:classes, phase 1 and shared classes> dev.streamlab.bench.LoadHarness [--quick]
 * Results: phase2-http-server/bench-results/phase2.md (+ .csv); the README quotes them.
 */

/**
 * {@code ./lab bench phase2}: the phase 2 load test. See the comment above for what it measures; {@code --help}
 * lists the options.
 */
public final class LoadHarness {
    static final String USAGE = """
            usage: LoadHarness [--quick] [--out FILE.md] [--csv FILE.csv] [--root DIR] [--cache DIR]
                               [--servers nginx,phase2-naive,phase2-reused,phase2-mapped,jwebserver,
                                          phase3,phase3-platform,phase3-serial,phase3-floor,
                                          phase3-floor-mapped,phase3-floor-selector,
                                          phase3-floor-selector-mapped] [--title TEXT]
                               [--scenarios ranges,small,viewers,bulk] [--warmup S] [--seconds S]
                               [--client-warmup S]
                               [--connections N] [--viewers N] [--large-bytes N] [--max-requests N]
                               [--http-clients N] [--heap SIZE] [--jvm-arg ARG]... [--rounds N]
                               [--command TEXT]
              --quick   1 s warm-up, 3 s windows, 50 viewers: checks that everything runs (numbers are noisy)
              --client-warmup  seconds of load, discarded, before the first cell, so that this JVM (the load
                        generator) is compiled before anything is measured; default 10 (--quick: 2), 0 for none
              --rounds  repeat every cell N times (server order rotated each round); the tables show the median
                        round per cell (req/s; viewers: TTFB p99), the CSV every round. ~6 min per round.
              --servers phase3 (virtual threads) / phase3-platform / phase3-serial (virtual threads on the serial
                        collector) need -Dstreamlab.phase3.classpath=<phase 3's classes and its dependencies>
                        (scripts/bench.sh phase3-ws sets it); phase3-floor (the least a JVM server on virtual
                        threads does for a range: phase 3's FloorServer) needs -Dstreamlab.floor.classpath=<phase 3's
                        test classes> (bench.sh sets it too); phase3-floor-mapped: the floor sending each head
                        and range in one gathering write from a mapping of the file instead of transferTo;
                        phase3-floor-selector: the floor on one selector loop per core (platform threads,
                        non-blocking sockets, nginx's model) instead of a virtual thread per connection;
                        phase3-floor-selector-mapped: both
              --heap    the JVM servers' fixed, pre-touched heap (-Xms = -Xmx), default 512m; phase3-ws uses 64m for
                        the ranges and bulk it runs (a resident heap costs p99 on this VM: phase 3 README, "The p99")
              --jvm-arg an extra option for the server JVMs (phase 2, jwebserver), e.g. --jvm-arg -XX:+UseParallelGC
            """;

    /**
     * The JVM servers' heap unless {@code --heap} says otherwise: room for phase 2's copying strategies (up to 20 KiB
     * of garbage per request). {@code phase3-ws} gives 64 MB (its ranges need a few MB live).
     */
    static final String DEFAULT_HEAP = "512m";

    /** The servers {@link #start} knows, by the names {@code --servers} takes. */
    static final List<String> SERVERS = List.of("nginx", "phase2-naive", "phase2-reused", "phase2-mapped",
            "jwebserver", "phase3", "phase3-platform", "phase3-serial", "phase3-floor", "phase3-floor-mapped",
            "phase3-floor-selector", "phase3-floor-selector-mapped");

    /** Phase 3's streamlab_http_transferto_zero_returns_total after each of its cells (reported in the notes). */
    private static final List<String> ZERO_RETURNS = new java.util.concurrent.CopyOnWriteArrayList<>();

    private LoadHarness() {}

    public static void main(String[] args) throws InterruptedException {
        int code = run(System.out, args);
        if (code != 0) System.exit(code);
    }

    /** Options with their defaults: the full run. */
    record Options(Path root, Path out, Path csv, Path cache, List<String> servers, List<String> scenarios,
                   Duration warmup, Duration measure, int connections, int viewers, long largeBytes,
                   long maxRequests, int httpClients, String heap, List<String> jvmArgs, int rounds,
                   String command, String title, Duration clientWarmup) {

        /** The same options with another warm-up and measuring window. */
        Options withWindow(Duration warmup, Duration measure) {
            return new Options(root, out, csv, cache, servers, scenarios, warmup, measure, connections, viewers,
                    largeBytes, maxRequests, httpClients, heap, jvmArgs, rounds, command, title, clientWarmup);
        }

        static Options parse(String... args) {
            Path root = Path.of(System.getProperty("streamlab.root", ".")).toAbsolutePath().normalize();
            Path out = null;
            Path csv = null;
            Path cache = Path.of(System.getProperty("java.io.tmpdir"), "streamlab-bench");
            List<String> servers = List.of("nginx", "phase2-naive", "phase2-reused", "phase2-mapped", "jwebserver");
            List<String> scenarios = List.of("ranges", "small", "viewers", "bulk");
            double warmup = 3;
            double seconds = 10;
            double clientWarmup = -1; // 10 s, or 2 with --quick, unless given
            boolean quick = false;
            int connections = 50;
            int viewers = 200;
            long largeBytes = 1L << 30;
            long maxRequests = 2_000_000;
            int httpClients = 2;
            String heap = DEFAULT_HEAP;
            List<String> jvmArgs = new ArrayList<>();
            int rounds = 1;
            String command = "java dev.streamlab.bench.LoadHarness " + String.join(" ", args);
            String title = "Phase 2 load test: phase 2 vs jwebserver vs nginx";
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--quick" -> {
                        quick = true;
                        warmup = 1;
                        seconds = 3;
                        viewers = 50;
                    }
                    case "--out" -> out = Path.of(value(args, ++i, a));
                    case "--csv" -> csv = Path.of(value(args, ++i, a));
                    case "--root" -> root = Path.of(value(args, ++i, a)).toAbsolutePath().normalize();
                    case "--cache" -> cache = Path.of(value(args, ++i, a));
                    case "--servers" -> servers = List.of(value(args, ++i, a).split(","));
                    case "--scenarios" -> scenarios = List.of(value(args, ++i, a).split(","));
                    case "--warmup" -> warmup = number(args, ++i, a, 0, 60);
                    case "--client-warmup" -> clientWarmup = number(args, ++i, a, 0, 120);
                    case "--seconds" -> seconds = number(args, ++i, a, 0.5, 120);
                    case "--connections" -> connections = (int) number(args, ++i, a, 1, 1000);
                    case "--viewers" -> viewers = (int) number(args, ++i, a, 1, 2000);
                    case "--large-bytes" -> largeBytes = (long) number(args, ++i, a, 16 << 20, 8.0 * (1L << 30));
                    case "--max-requests" -> maxRequests = (long) number(args, ++i, a, 1, 1e8);
                    case "--rounds" -> rounds = (int) number(args, ++i, a, 1, 9);
                    case "--heap" -> heap = ServerProcess.heapSize(value(args, ++i, a), a);
                    case "--jvm-arg" -> jvmArgs.add(value(args, ++i, a));
                    case "--http-clients" -> httpClients = (int) number(args, ++i, a, 1, 64);
                    case "--command" -> command = value(args, ++i, a);
                    case "--title" -> title = value(args, ++i, a);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            for (String s : servers) {
                if (!SERVERS.contains(s)) throw new IllegalArgumentException("unknown server " + s);
            }
            for (String s : scenarios) {
                if (!List.of("ranges", "small", "viewers", "bulk").contains(s)) {
                    throw new IllegalArgumentException("unknown scenario " + s);
                }
            }
            if (out == null) out = root.resolve("phase2-http-server/bench-results/phase2.md");
            if (csv == null) {
                String name = out.getFileName().toString().replaceAll("\\.md$", "");
                csv = out.resolveSibling(name + ".csv");
            }
            return new Options(root, out, csv, cache, servers, scenarios, Duration.ofMillis((long) (warmup * 1000)),
                    Duration.ofMillis((long) (seconds * 1000)), connections, viewers, largeBytes, maxRequests,
                    httpClients, heap, List.copyOf(jvmArgs), rounds, command, title,
                    Duration.ofMillis((long) ((clientWarmup >= 0 ? clientWarmup : quick ? 2 : 10) * 1000)));
        }

        static String value(String[] args, int i, String option) {
            if (i >= args.length) throw new IllegalArgumentException(option + " needs a value");
            return args[i];
        }

        static double number(String[] args, int i, String option, double min, double max) {
            double v;
            try {
                v = Double.parseDouble(value(args, i, option));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " needs a number");
            }
            if (!(v >= min && v <= max)) throw new IllegalArgumentException(option + " must be in [" + min + ", " + max + "]");
            return v;
        }
    }

    /** The scenarios, by key, for this run's options (seeds fixed: every server sees the same offsets). */
    static Workload scenario(String key, Options o, BenchMedia media) {
        return switch (key) {
            case "ranges" -> new Workload.Ranges("ranges", "a. Random 64 KiB ranges of a "
                    + size(media.largeSize()) + " file, " + o.connections() + " connections (closed loop)",
                    BenchMedia.LARGE_ID, media.largeSize(), 64 * 1024, o.connections(), 1);
            case "small" -> new Workload.Ranges("small", "c. A whole 64 KiB file without Range, " + o.connections()
                    + " connections (closed loop; the one thing jwebserver can do)",
                    BenchMedia.SMALL_ID, BenchMedia.SMALL_SIZE, 0, o.connections(), 2);
            case "viewers" -> new Workload.Viewers("viewers", "b. " + o.viewers() + " viewers: 1 MiB ranges paced "
                    + "at 8 Mbit/s (one chunk ahead, 10% seek chance per chunk), plus one bulk download of the "
                    + size(media.largeSize()) + " file", BenchMedia.LARGE_ID, media.largeSize(), o.viewers(),
                    1 << 20, 8_000_000, 0.10, true, 3);
            case "bulk" -> new Workload.Ranges("bulk", "d. One bulk download of the " + size(media.largeSize())
                    + " file, again and again, 1 connection (copying vs sendfile for a single stream)",
                    BenchMedia.LARGE_ID, media.largeSize(), 0, 1, 4);
            default -> throw new IllegalArgumentException("unknown scenario " + key);
        };
    }

    /** Runs everything, prints and writes the report, and returns an exit code: 0 done, 1 failed, 2 bad usage. */
    static int run(PrintStream out, String... args) throws InterruptedException {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            out.print(USAGE);
            return 0;
        }
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            out.println("LoadHarness: " + e.getMessage());
            out.print(USAGE);
            return 2;
        }
        try {
            List<Measurement> all = measureAll(o, out);
            String md = report(o, all);
            Files.createDirectories(o.out().toAbsolutePath().getParent());
            Files.writeString(o.out(), md, StandardCharsets.UTF_8);
            Files.writeString(o.csv(), Results.csv(all), StandardCharsets.UTF_8);
            out.println();
            out.print(md);
            out.println();
            out.println("Wrote " + o.out() + " and " + o.csv());
            return 0;
        } catch (IOException e) {
            out.println("LoadHarness: " + e.getMessage());
            return 1;
        }
    }

    static List<Measurement> measureAll(Options o, PrintStream log) throws IOException, InterruptedException {
        if (!ProcStats.available()) log.println("bench: no /proc here: server CPU and memory will be missing");
        Path sample = o.root().resolve("media/sample-30s-360p-h264-aac.mp4");
        BenchMedia media = BenchMedia.prepare(o.cache(), sample, o.largeBytes(), log);
        Path work = Files.createDirectories(o.cache().resolve("run"));
        Path frontend = o.root().resolve("frontend");
        String classpath = System.getProperty("java.class.path");
        Path nginx = ServerProcess.nginxExecutable();
        List<Measurement> all = new ArrayList<>();
        if (!o.clientWarmup().isZero()) {
            // This JVM is the load generator, and it starts cold: its HttpClient code is interpreted and C2 compiles
            // it during the first cell, taking a core from whichever server runs first. Measured (2026-12-06, ranges,
            // phase 3 and nginx, one round each order): the server in the first cell got 0.37-0.48x of the other's
            // req/s; second, 0.96-1.02x. So the first cell of a run is preceded by load that is thrown away.
            String first = o.servers().getFirst();
            Workload w = scenario(o.scenarios().getFirst(), o, media);
            log.println("== warming up the load generator: " + trim(o.clientWarmup().toMillis() / 1000.0) + " s of "
                    + w.key() + " against " + first + " (discarded)");
            measureScenario(o.withWindow(o.clientWarmup(), Duration.ofSeconds(1)), w, List.of(first), 0, media, work, frontend, classpath, nginx, new ArrayList<>(), log);
        }
        for (int round = 1; round <= o.rounds(); round++) {
            List<String> order = new ArrayList<>(o.servers());
            java.util.Collections.rotate(order, -(round - 1)); // no server always runs first (or last)
            for (String key : o.scenarios()) {
                Workload w = scenario(key, o, media);
                log.println("== " + (o.rounds() > 1 ? "round " + round + ": " : "") + w.title());
                measureScenario(o, w, order, round, media, work, frontend, classpath, nginx, all, log);
            }
        }
        return all;
    }

    private static void measureScenario(Options o, Workload w, List<String> order, int round, BenchMedia media,
                                        Path work, Path frontend, String classpath, Path nginx,
                                        List<Measurement> all, PrintStream log)
            throws IOException, InterruptedException {
        for (String name : order) {
            long t0 = System.nanoTime();
            ServerUnderTest server;
            try {
                server = start(name, o.heap(), o.jvmArgs(), media, work, frontend, classpath, nginx);
            } catch (IOException e) {
                log.println("   " + name + ": unavailable: " + e.getMessage());
                all.add(Measurement.unavailable(name, w, e.getMessage().lines().findFirst().orElse("?"))
                        .inRound(round));
                continue;
            }
            try (server) {
                Measurement m = Measurement.run(server, w, o.warmup(), o.measure(), o.maxRequests(),
                        o.httpClients());
                all.add(m.inRound(round));
                // -1: a server without phase 3's /metrics (the floor) has no count to give.
                long zeros = round > 0 && name.startsWith("phase3") && server instanceof ServerProcess p
                        ? p.metric("streamlab_http_transferto_zero_returns_total") : -1;
                if (zeros >= 0) {
                    ZERO_RETURNS.add(String.format(Locale.ROOT, "%s, %s, round %d: %,d transferTo zero returns "
                            + "(whole run incl. warm-up, %,d requests in the window)", w.key(), server.name(), round,
                            zeros, m.clients().requests()));
                    log.println("   " + ZERO_RETURNS.getLast());
                }
                log.println("   " + progress(m) + String.format(Locale.ROOT, "  (%.0f s)",
                        (System.nanoTime() - t0) / 1e9));
            }
        }
    }

    /**
     * A fresh process of server {@code name} (one of {@link Options}' server names) serving {@code media}; phase 3
     * and its floor from the class paths in {@code -Dstreamlab.phase3.classpath} and {@code
     * -Dstreamlab.floor.classpath}. A JVM server gets a fixed {@code heap} (e.g. {@code 512m}), then {@code extra}.
     *
     * @throws IOException when it is not installed, not configured, or does not answer within 30 s
     */
    static ServerProcess start(String name, String heap, List<String> extra, BenchMedia media, Path work,
                               Path frontend, String classpath, Path nginx) throws IOException, InterruptedException {
        List<String> jvmArgs = ServerProcess.jvmOptions(heap, extra);
        return switch (name) {
            case "nginx" -> {
                if (nginx == null) throw new IOException("nginx is not installed (apt-get install nginx)");
                yield ServerProcess.nginx(nginx, media.dir(), work);
            }
            case "jwebserver" -> ServerProcess.jwebserver(media.dir(), work, jvmArgs);
            case "phase3-floor", "phase3-floor-mapped", "phase3-floor-selector", "phase3-floor-selector-mapped" -> {
                String cp = System.getProperty("streamlab.floor.classpath");
                if (cp == null) throw new IOException("-Dstreamlab.floor.classpath is not set");
                yield switch (name) {
                    case "phase3-floor-mapped" -> ServerProcess.floor("phase3 floor, mapped",
                            List.of("--body", "mapped"), cp, media.dir(), work, jvmArgs);
                    case "phase3-floor-selector" -> ServerProcess.floor("phase3 floor, selector loops",
                            List.of("--loop", "selector"), cp, media.dir(), work, jvmArgs);
                    case "phase3-floor-selector-mapped" -> ServerProcess.floor("phase3 floor, selector loops, mapped",
                            List.of("--loop", "selector", "--body", "mapped"), cp, media.dir(), work, jvmArgs);
                    default -> ServerProcess.floor("phase3 floor", List.of(), cp, media.dir(), work, jvmArgs);
                };
            }
            case "phase3", "phase3-platform", "phase3-serial" -> {
                String cp3 = System.getProperty("streamlab.phase3.classpath");
                if (cp3 == null) throw new IOException("-Dstreamlab.phase3.classpath is not set");
                if (name.equals("phase3-serial")) { // the same server on the serial collector, beside G1
                    List<String> jvm = new ArrayList<>(jvmArgs);
                    jvm.add("-XX:+UseSerialGC");
                    yield ServerProcess.phase3("virtual", ", serial GC", cp3, media.dir(), frontend, work, jvm);
                }
                yield ServerProcess.phase3(name.equals("phase3") ? "virtual" : "platform", cp3, media.dir(),
                        frontend, work, jvmArgs);
            }
            default -> ServerProcess.phase2(name.substring("phase2-".length()), classpath, media.dir(), frontend,
                    work, jvmArgs);
        };
    }

    private static String progress(Measurement m) {
        Tally.Summary c = m.clients();
        String line = String.format(Locale.ROOT, "%-14s %,8d req %,9.0f req/s %,7.0f MB/s p50 %6.2f ms p99 %7.2f ms "
                        + "failed %,d", m.server(), c.requests(), m.requestsPerSecond(), m.megabytesPerSecond(),
                c.ttfbP50Ms(), c.ttfbP99Ms(), c.failed());
        if (m.workload() instanceof Workload.Viewers) {
            line += String.format(Locale.ROOT, " stalls %,d bulk %,.0f MB/s", c.stalls(), m.bulkMegabytesPerSecond());
        }
        return line + String.format(Locale.ROOT, " server cpu %.1f s client cpu %.1f s", m.serverCpuSeconds(),
                m.clientCpu());
    }

    static String report(Options o, List<Measurement> all) {
        String date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
        List<String> header = new ArrayList<>(Results.machine(nginxVersion(), date));
        header.add("Command: `" + o.command() + "`");
        header.add(String.format(Locale.ROOT, "Each cell: one fresh server process, %s s warm-up then a %s s "
                        + "window%s, same seeds for every server; all traffic on 127.0.0.1; load generator = this JVM "
                        + "(java.net.http.HttpClient, HTTP/1.1, %d clients shared by the simulated connections, "
                        + "virtual threads), on the same cores as the server%s.",
                trim(o.warmup().toMillis() / 1000.0), trim(o.measure().toMillis() / 1000.0),
                o.rounds() == 1 ? "" : " (the median of " + o.rounds() + " rounds: req/s, viewers by TTFB p99; a ratio"
                        + " to nginx is the median of the per-round ratios)",
                o.httpClients(), o.clientWarmup().isZero() ? "" : ", warmed up by " + trim(o.clientWarmup().toMillis()
                        / 1000.0) + " s of discarded load before the first cell"));
        String heap = String.join(" ", ServerProcess.heapOptions(o.heap()));
        header.add("Servers: phase 2 = `java " + heap
                + " -Dsun.net.httpserver.nodelay=true dev.streamlab.phase2.Phase2Main --io <strategy> --quiet` ("
                + (o.jvmArgs().stream().anyMatch(a -> a.matches("-XX:\\+Use\\w+GC")) ? "the collector below"
                        : "G1, the default collector") + "); jwebserver = `jwebserver -J"
                + String.join(" -J", ServerProcess.heapOptions(o.heap()))
                + " -o none`; nginx = 2 workers, `sendfile on;"
                + " tcp_nopush off; access_log off; keepalive_requests 1000000`."
                + (o.jvmArgs().isEmpty() ? "" : " Extra JVM options: `" + String.join(" ", o.jvmArgs()) + "`."));
        List<String> notes = new ArrayList<>(List.of(
                "req/s and MB/s count responses completed in the window (failed ones too; whole-file downloads: "
                        + "MB/s counts bytes as they arrived), MB = 10^6 bytes. TTFB: request sent → first body byte, "
                        + "as the client saw it. The ratio columns compare with nginx's row of the same table.",
                "server CPU: utime+stime over the window from /proc/PID/stat (nginx: master + workers). RSS: peak = "
                        + "VmHWM, (anon) = RssAnon at the window's end, from /proc/PID/status, summed over nginx's "
                        + "processes; the peak of `mapped` includes the page-cache pages of the mapped 1 GiB file, "
                        + "shared with the page cache, not owned. client CPU: the load generator's own.",
                "alloc/req: heap bytes allocated in the server JVM over the window (ThreadMXBean."
                        + "getTotalThreadAllocatedBytes, read over JMX after attaching) ÷ requests completed; "
                        + "GCs: collections in the window. copies/byte: phase 2's /metrics "
                        + "(streamlab_http_userspace_copy_bytes_total ÷ streamlab_http_body_bytes_sent_by_strategy_total).",
                "Where nginx's server CPU is a fraction of the window's 2 × seconds while client CPU takes most of "
                        + "the rest, nginx's req/s is the load generator's ceiling, not nginx's; CPU µs/req is then the "
                        + "figure that says what each server costs."));
        if (o.servers().stream().anyMatch(s -> s.startsWith("phase3"))) {
            notes.add("phase 3 = `java " + heap + " dev.streamlab.phase3.Phase3Main --threads virtual|platform --quiet`"
                    + " (`serial GC`: with -XX:+UseSerialGC; our own HTTP/1.1 server, "
                    + "FileChannel.transferTo; when it returns 0 on a full socket buffer it writes one small chunk "
                    + "blocking and resumes). From its /metrics: " + String.join("; ", ZERO_RETURNS) + ".");
        }
        notes.addAll(floorNotes(o.servers(), heap));
        return Results.markdown(o.title(), header, all, notes);
    }

    /** What the floor variants among {@code servers} are, for a report's notes (also {@link WrkRanges}'). */
    static List<String> floorNotes(List<String> servers, String heap) {
        List<String> notes = new ArrayList<>();
        if (servers.contains("phase3-floor")) {
            notes.add("phase3 floor = `java " + heap + " dev.streamlab.bench.FloorServer` (phase 3's test classes): "
                    + "the least a JVM server on virtual threads does for a range request — a virtual thread per "
                    + "connection, keep-alive, files opened once, a head built per request, the body by "
                    + "FileChannel.transferTo with the same fallback — and none of phase 3's checks, validators, "
                    + "timeouts or metrics. phase 3's distance to it is phase 3's own.");
        }
        if (servers.contains("phase3-floor-selector")) {
            notes.add("phase3 floor, selector loops = the floor with `--loop selector`: the same request code on one "
                    + "Selector loop per core (platform threads, non-blocking sockets, nginx's model) instead of a "
                    + "virtual thread per connection. Its distance to the floor is the cost of virtual threads; its "
                    + "distance to nginx, the JVM's.");
        }
        if (servers.contains("phase3-floor-mapped")) {
            notes.add("phase3 floor, mapped = the floor with `--body mapped`: head and range in one gathering write "
                    + "from a mapping of the file (0 user-space copies, one kernel copy into the socket buffer) "
                    + "instead of a head write and transferTo (sendfile).");
        }
        if (servers.contains("phase3-floor-selector-mapped")) {
            notes.add("phase3 floor, selector loops, mapped = the floor with both switches, `--loop selector --body "
                    + "mapped`: selector loops on platform threads, head and range in one gathering write from a "
                    + "mapping. What a JVM server would have to give up (virtual threads, sendfile) to pass nginx.");
        }
        return notes;
    }

    static String nginxVersion() {
        Path nginx = ServerProcess.nginxExecutable();
        if (nginx == null) return "not installed";
        try {
            Process p = new ProcessBuilder(nginx.toString(), "-v").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor(5, TimeUnit.SECONDS);
            return v.replaceFirst("^nginx version: ", "");
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static String size(long bytes) {
        if (bytes % (1L << 30) == 0) return (bytes >> 30) + " GiB";
        return (bytes >> 20) + " MiB";
    }

    static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
