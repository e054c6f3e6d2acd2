package dev.streamlab.bench;

import static dev.streamlab.bench.LoadHarness.Options.number;
import static dev.streamlab.bench.LoadHarness.Options.value;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./lab bench phase3-wrk}: the load test's random 64 KiB ranges, with {@code wrk} as the load generator in
 * place of the harness's JVM. The harness's client (java.net.http on virtual threads) spends ~115 µs of CPU per
 * request, about 3× nginx's, on the same 2 cores, which pulls every ratio toward 1 (phase 3 README, part 1); wrk (C,
 * epoll, one thread per core) spends about half that (it too reads every 64 KiB), so a server's CPU per request weighs
 * more in its req/s. The servers are the harness's own ({@link LoadHarness#start}), each started fresh per cell, the
 * order rotated per round.
 *
 * <p>Per cell: {@code wrk -t2 -c50} for the warm-up (discarded), then for the window with {@code --latency}. The
 * server's user and system CPU over the window from {@code /proc/PID/stat}; wrk's own from this JVM's reaped-children
 * times ({@code cutime}, {@code cstime}) across its run. Every request asks for {@code Range: bytes=a-(a+65535)},
 * {@code a} uniform over the file (seeded per wrk thread); wrk counts answers that are not 2xx/3xx, and the bytes read
 * per response show that each was a 64 KiB range (a 200 with the whole file would be 1 GiB).
 */
public final class WrkRanges {
    static final String USAGE = """
            usage: WrkRanges [--servers nginx,phase3-floor,phase3,...] [--rounds N] [--warmup S] [--seconds S]
                             [--connections N] [--threads N] [--heap SIZE] [--jvm-arg ARG]... [--large-bytes N]
                             [--root DIR] [--cache DIR] [--out FILE.md] [--title TEXT] [--command TEXT]
              servers: LoadHarness's names (--help there); phase3* need -Dstreamlab.phase3.classpath and
                       -Dstreamlab.floor.classpath (scripts/bench.sh phase3-wrk sets both). Default
                       nginx,phase3-floor,phase3,phase3-floor-selector,phase3-floor-mapped, 3 rounds, 8 s warm-up,
                       10 s windows: ~5 min.
              --heap   the JVM servers' fixed, pre-touched heap (-Xms = -Xmx), default 64m: sized to what serving
                       ranges needs; a larger resident heap costs p99 on this machine (phase 3 README, part 1).
            """;
    /** The JVM servers' heap here: a range server's live set is a few MB (phase 3 README, part 1: "The p99"). */
    static final String DEFAULT_HEAP = "64m";
    private static final int RANGE = 64 * 1024;

    private WrkRanges() {}

    public static void main(String[] args) throws InterruptedException {
        int code = run(System.out, args);
        if (code != 0) System.exit(code);
    }

    /** The run's options, with their defaults. */
    record Options(Path root, Path cache, Path out, List<String> servers, int rounds, double warmup, double seconds,
                   int connections, int threads, String heap, List<String> jvmArgs, long largeBytes, String title,
                   String command) {

        static Options parse(String... args) {
            Path root = Path.of(System.getProperty("streamlab.root", ".")).toAbsolutePath().normalize();
            Path cache = Path.of(System.getProperty("java.io.tmpdir"), "streamlab-bench");
            Path out = null;
            List<String> servers = List.of("nginx", "phase3-floor", "phase3", "phase3-floor-selector",
                    "phase3-floor-mapped");
            int rounds = 3;
            double warmup = 8; // a fresh JVM needs ~6 s of this load before C2 has compiled its request path
            double seconds = 10;
            int connections = 50;
            int threads = 2;
            String heap = DEFAULT_HEAP;
            List<String> jvmArgs = new ArrayList<>();
            long largeBytes = 1L << 30;
            String title = "Random 64 KiB ranges under wrk: phase 3 vs its floors vs nginx (phase3-wrk)";
            String command = "java dev.streamlab.bench.WrkRanges " + String.join(" ", args);
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) { // value() and number() are the harness's: the same messages for the same mistakes
                    case "--servers" -> servers = List.of(value(args, ++i, a).split(","));
                    case "--rounds" -> rounds = (int) number(args, ++i, a, 1, 9);
                    case "--warmup" -> warmup = Math.rint(number(args, ++i, a, 0, 60));
                    case "--seconds" -> seconds = Math.rint(number(args, ++i, a, 1, 120));
                    case "--connections" -> connections = (int) number(args, ++i, a, 1, 1000);
                    case "--threads" -> threads = (int) number(args, ++i, a, 1, 16);
                    case "--heap" -> heap = ServerProcess.heapSize(value(args, ++i, a), a);
                    case "--jvm-arg" -> jvmArgs.add(value(args, ++i, a));
                    case "--large-bytes" -> largeBytes = (long) number(args, ++i, a, 16 << 20, 8.0 * (1 << 30));
                    case "--root" -> root = Path.of(value(args, ++i, a)).toAbsolutePath().normalize();
                    case "--cache" -> cache = Path.of(value(args, ++i, a));
                    case "--out" -> out = Path.of(value(args, ++i, a));
                    case "--title" -> title = value(args, ++i, a);
                    case "--command" -> command = value(args, ++i, a);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            for (String s : servers) {
                if (!LoadHarness.SERVERS.contains(s)) throw new IllegalArgumentException("unknown server " + s);
            }
            if (threads > connections) throw new IllegalArgumentException("--threads must be <= --connections");
            if (out == null) out = root.resolve("phase3-websocket/bench-results/phase3-wrk.md");
            return new Options(root, cache, out, servers, rounds, warmup, seconds, connections, threads, heap,
                    List.copyOf(jvmArgs), largeBytes, title, command);
        }
    }

    /**
     * What wrk printed for one window, parsed.
     *
     * @param requests    responses completed in the window
     * @param seconds     the window wrk measured
     * @param bytesRead   bytes read (heads and bodies)
     * @param p50Ms       latency percentiles: request written to response read whole
     * @param p99Ms       the 99th
     * @param socketErrors connect + read + write + timeout errors
     * @param non2xx      answers that were not 2xx or 3xx
     */
    record WrkResult(long requests, double seconds, double bytesRead, double p50Ms, double p99Ms, long socketErrors,
                     long non2xx) {
        private static final Pattern TOTAL = Pattern.compile(
                "(\\d+) requests in ([0-9.]+)(us|ms|s|m), ([0-9.]+)([KMGT]?B) read");
        private static final Pattern PERCENTILE = Pattern.compile(
                "^\\s*(50|99)(?:\\.0+)?%\\s+([0-9.]+)(us|ms|s|m)\\s*$", Pattern.MULTILINE);
        private static final Pattern SOCKET_ERRORS = Pattern.compile(
                "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
        private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

        /** Parses wrk's report ({@code --latency}); a report without its totals line is an error. */
        static WrkResult parse(String report) {
            Matcher t = TOTAL.matcher(report);
            if (!t.find()) throw new IllegalArgumentException("no 'N requests in T, B read' line in wrk's output");
            double p50 = Double.NaN;
            double p99 = Double.NaN;
            Matcher p = PERCENTILE.matcher(report);
            while (p.find()) {
                double ms = millis(Double.parseDouble(p.group(2)), p.group(3));
                if (p.group(1).equals("50")) p50 = ms;
                else p99 = ms;
            }
            long errors = 0;
            Matcher e = SOCKET_ERRORS.matcher(report);
            if (e.find()) {
                for (int g = 1; g <= 4; g++) errors += Long.parseLong(e.group(g));
            }
            Matcher n = NON_2XX.matcher(report);
            return new WrkResult(Long.parseLong(t.group(1)), millis(Double.parseDouble(t.group(2)), t.group(3)) / 1000,
                    bytes(Double.parseDouble(t.group(4)), t.group(5)), p50, p99, errors,
                    n.find() ? Long.parseLong(n.group(1)) : 0);
        }

        private static double millis(double v, String unit) {
            return switch (unit) {
                case "us" -> v / 1000;
                case "ms" -> v;
                case "s" -> v * 1000;
                case "m" -> v * 60_000;
                default -> throw new IllegalArgumentException(unit);
            };
        }

        /** wrk's units are powers of 1024 (its format_bytes). */
        private static double bytes(double v, String unit) {
            return v * switch (unit) {
                case "B" -> 1;
                case "KB" -> 1L << 10;
                case "MB" -> 1L << 20;
                case "GB" -> 1L << 30;
                case "TB" -> 1L << 40;
                default -> throw new IllegalArgumentException(unit);
            };
        }

        double requestsPerSecond() {
            return requests / seconds;
        }
    }

    /**
     * One server in one round: wrk's view, and the CPU the server, wrk and the kernel's own threads
     * ({@link ProcStats#kernelThreadsCpu}) used in the window.
     */
    record Cell(String server, int round, WrkResult wrk, ProcStats.Cpu serverCpu, ProcStats.Cpu clientCpu,
                ProcStats.Cpu kernelCpu, String unavailable) {
        double requestsPerSecond() {
            return wrk.requestsPerSecond();
        }

        double userMicros() {
            return serverCpu.user() * 1e6 / wrk.requests();
        }

        double systemMicros() {
            return serverCpu.system() * 1e6 / wrk.requests();
        }

        double clientMicros() {
            return clientCpu.total() * 1e6 / wrk.requests();
        }

        long errors() {
            return wrk.socketErrors() + wrk.non2xx();
        }

        /** Kernel threads' CPU, milliseconds per second of the window. */
        double kernelMillisPerSecond() {
            return kernelCpu.total() * 1e3 / wrk.seconds();
        }
    }

    static int run(PrintStream log, String... args) throws InterruptedException {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            log.print(USAGE);
            return 0;
        }
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            log.println("WrkRanges: " + e.getMessage());
            log.print(USAGE);
            return 2;
        }
        Path wrk = ServerProcess.executable("wrk");
        if (wrk == null) {
            log.println("WrkRanges: wrk is not installed (Debian: apt-get install wrk; scripts/bench.sh phase3-wrk "
                    + "installs it when it can)");
            return 1;
        }
        try {
            List<Cell> cells = measure(o, wrk, log);
            String md = report(o, cells);
            Files.createDirectories(o.out().toAbsolutePath().getParent());
            Files.writeString(o.out(), md, StandardCharsets.UTF_8);
            log.println();
            log.print(md);
            log.println("Wrote " + o.out());
            return 0;
        } catch (IOException e) {
            log.println("WrkRanges: " + e.getMessage());
            return 1;
        }
    }

    private static List<Cell> measure(Options o, Path wrk, PrintStream log) throws IOException, InterruptedException {
        BenchMedia media = BenchMedia.prepare(o.cache(), o.root().resolve("media/sample-30s-360p-h264-aac.mp4"),
                o.largeBytes(), log);
        Path work = Files.createDirectories(o.cache().resolve("run"));
        Path script = work.resolve("ranges.lua");
        Files.writeString(script, luaScript(media.largeSize()), StandardCharsets.UTF_8);
        Path nginx = ServerProcess.nginxExecutable();
        List<Cell> cells = new ArrayList<>();
        for (int round = 1; round <= o.rounds(); round++) {
            List<String> order = new ArrayList<>(o.servers());
            Collections.rotate(order, -(round - 1)); // no server always runs first (or last)
            for (String name : order) {
                ServerProcess server;
                try {
                    server = LoadHarness.start(name, o.heap(), o.jvmArgs(), media, work,
                            o.root().resolve("frontend"), System.getProperty("java.class.path"), nginx);
                } catch (IOException e) {
                    log.println("   " + name + ": unavailable: " + e.getMessage());
                    cells.add(new Cell(name, round, null, null, null, null,
                            e.getMessage().lines().findFirst().orElse("?")));
                    continue;
                }
                try (server) {
                    String url = server.video(BenchMedia.LARGE_ID).toString();
                    if (o.warmup() > 0) wrk(wrk, o, o.warmup(), script, url, false);
                    ProcStats.Cpu s0 = ProcStats.tree(server.pid()).cpu();
                    ProcStats.Cpu c0 = ProcStats.reapedChildrenCpu();
                    ProcStats.Cpu k0 = ProcStats.kernelThreadsCpu();
                    String report = wrk(wrk, o, o.seconds(), script, url, true);
                    ProcStats.Cpu kernel = ProcStats.kernelThreadsCpu().minus(k0);
                    ProcStats.Cpu client = ProcStats.reapedChildrenCpu().minus(c0);
                    ProcStats.Cpu cpu = ProcStats.tree(server.pid()).cpu().minus(s0);
                    Cell c = new Cell(server.name(), round, WrkResult.parse(report), cpu, client, kernel, null);
                    cells.add(c);
                    log.println("   " + line(c));
                } catch (IOException | IllegalArgumentException e) {
                    // This cell failed (wrk could not run or reported nothing); the others still say something.
                    log.println("   " + server.name() + ": failed: " + e.getMessage());
                    cells.add(new Cell(server.name(), round, null, null, null, null, "failed: "
                            + String.valueOf(e.getMessage()).lines().findFirst().orElse("?")));
                }
            }
        }
        return cells;
    }

    /** Runs wrk for {@code seconds} and returns its report; bounded: killed 30 s after its own end. */
    private static String wrk(Path wrk, Options o, double seconds, Path script, String url, boolean latency)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(wrk.toString(), "-t" + o.threads(), "-c" + o.connections(),
                "-d" + Math.round(seconds) + "s", "-s", script.toString())); // wrk's durations are whole: s, m, h
        if (latency) cmd.add("--latency");
        cmd.add(url);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes(); // wrk prints its report when it ends
        if (!p.waitFor((long) seconds + 30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("wrk did not end");
        }
        String report = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) throw new IOException("wrk exited with " + p.exitValue() + ": " + report.strip());
        return report;
    }

    /**
     * Random ranges of {@link #RANGE} bytes anywhere in a file of {@code size} bytes, each wrk thread seeded apart
     * (wrk runs the script once per thread: {@code setup} numbers them, {@code init} seeds).
     */
    static String luaScript(long size) {
        return """
                -- Generated by dev.streamlab.bench.WrkRanges: random %2$d-byte ranges of a %1$d-byte file.
                local threads = 0
                function setup(thread)
                  threads = threads + 1
                  thread:set("id", threads)
                end
                function init(args)
                  math.randomseed(42 + id)
                end
                function request()
                  local first = math.random(0, %1$d - %2$d)
                  return wrk.format("GET", nil, {["Range"] = "bytes=" .. first .. "-" .. (first + %2$d - 1)})
                end
                """.formatted(size, RANGE);
    }

    private static String line(Cell c) {
        return String.format(Locale.ROOT, "round %d %-22s %,8.0f req/s  p99 %6.2f ms  server %5.1f + %5.1f µs/req  "
                        + "wrk %5.1f µs/req  kernel threads %4.0f ms/s  %,.0f B/response  errors + non-2xx %d",
                c.round(), c.server(), c.requestsPerSecond(), c.wrk().p99Ms(), c.userMicros(), c.systemMicros(),
                c.clientMicros(), c.kernelMillisPerSecond(), c.wrk().bytesRead() / c.wrk().requests(), c.errors());
    }

    static String report(Options o, List<Cell> cells) {
        String date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
        String heap = String.join(" ", ServerProcess.heapOptions(o.heap()));
        StringBuilder md = new StringBuilder("# " + o.title() + "\n\n");
        for (String h : Results.machine(LoadHarness.nginxVersion(), date)) md.append("- ").append(h).append('\n');
        md.append("- Command: `").append(o.command()).append("`\n");
        md.append(String.format(Locale.ROOT, "- Each cell: one fresh server process; `wrk -t%d -c%d` for %s s "
                        + "(discarded), then %s s with `--latency`; Range: 64 KiB anywhere in the %d MiB file; server "
                        + "order rotated each round; all on 127.0.0.1, wrk on the same cores as the server. JVM "
                        + "servers: `%s`%s; nginx: 2 workers, sendfile on, tcp_nopush off, access_log off.\n",
                o.threads(), o.connections(), LoadHarness.trim(o.warmup()), LoadHarness.trim(o.seconds()),
                o.largeBytes() >> 20, heap,
                o.jvmArgs().isEmpty() ? "" : " + `" + String.join(" ", o.jvmArgs()) + "`"));
        md.append("""
                - req/s: wrk's completed responses ÷ its window. ÷ nginx: ÷ nginx's req/s in the same round (the
                  summary gives the median of those ratios and their range). Server CPU: user + system over the window
                  from /proc/PID/stat (nginx: master + workers) ÷ responses. wrk CPU: the load generator's own. p50/p99:
                  wrk's latency, request written → response read whole. B/resp: bytes read ÷ responses (64 KiB +
                  head when every answer was the range asked for). Kernel threads: the CPU of the kernel's own
                  threads over the window (ksoftirqd, kworkers; on this VM kdamond, its memory monitor, whose scans
                  grow with the memory processes keep resident and delay whatever waits for that core), ms per s.
                """);
        for (String note : LoadHarness.floorNotes(o.servers(), heap)) {
            md.append("- ").append(note).append('\n');
        }
        md.append('\n');
        List<String> servers = cells.stream().map(Cell::server).distinct().toList();
        md.append("## Summary (median round per server)\n\n");
        md.append("| server | req/s | ÷ nginx (rounds) | server CPU µs/req (user + sys) | p99 ms (rounds) "
                + "| wrk CPU µs/req | kernel threads ms/s | errors |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String s : servers) {
            List<Cell> mine = cells.stream().filter(c -> c.server().equals(s) && c.unavailable() == null)
                    .sorted(Comparator.comparingDouble(Cell::requestsPerSecond)).toList();
            if (mine.isEmpty()) {
                md.append("| ").append(s).append(" | unavailable | | | | | | |\n");
                continue;
            }
            Cell m = mine.get((mine.size() - 1) / 2); // the median round (the lower one, as Results.medianRows)
            List<Double> ratios = new ArrayList<>();
            for (Cell c : mine) {
                double ref = nginxRequestsPerSecond(cells, c.round());
                if (!Double.isNaN(ref)) ratios.add(c.requestsPerSecond() / ref);
            }
            Collections.sort(ratios);
            double p99Low = mine.stream().mapToDouble(c -> c.wrk().p99Ms()).min().orElse(Double.NaN);
            double p99High = mine.stream().mapToDouble(c -> c.wrk().p99Ms()).max().orElse(Double.NaN);
            long errors = mine.stream().mapToLong(Cell::errors).sum();
            String ratio = ratios.isEmpty() ? "–" : String.format(Locale.ROOT, "%.2f× (%.2f–%.2f)",
                    ratios.get((ratios.size() - 1) / 2), ratios.getFirst(), ratios.getLast());
            md.append(String.format(Locale.ROOT, "| %s | %,.0f | %s | %.1f (%.1f + %.1f) | %.2f (%.2f–%.2f) | %.1f "
                            + "| %.0f | %d |\n", s, m.requestsPerSecond(), ratio, m.userMicros() + m.systemMicros(),
                    m.userMicros(), m.systemMicros(), m.wrk().p99Ms(), p99Low, p99High, m.clientMicros(),
                    m.kernelMillisPerSecond(), errors));
        }
        md.append("\n## Every cell\n\n| round | server | req/s | ÷ nginx | server µs/req (user + sys) | p50 ms "
                + "| p99 ms | wrk µs/req | kernel threads ms/s | B/resp | errors + non-2xx |\n"
                + "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Cell c : cells) {
            if (c.unavailable() != null) {
                md.append("| ").append(c.round()).append(" | ").append(c.server()).append(" | unavailable: ")
                        .append(c.unavailable().replace("|", "\\|")).append(" | | | | | | | | |\n");
                continue;
            }
            double ref = nginxRequestsPerSecond(cells, c.round());
            String ratio = Double.isNaN(ref) ? "–" : String.format(Locale.ROOT, "%.2f×", c.requestsPerSecond() / ref);
            md.append(String.format(Locale.ROOT, "| %d | %s | %,.0f | %s | %.1f + %.1f | %.2f | %.2f | %.1f | %.0f "
                            + "| %,.0f | %d |\n", c.round(), c.server(), c.requestsPerSecond(), ratio, c.userMicros(),
                    c.systemMicros(), c.wrk().p50Ms(), c.wrk().p99Ms(), c.clientMicros(), c.kernelMillisPerSecond(),
                    c.wrk().bytesRead() / c.wrk().requests(), c.errors()));
        }
        return md.toString();
    }

    private static double nginxRequestsPerSecond(List<Cell> cells, int round) {
        return cells.stream()
                .filter(c -> c.server().equals(Results.REFERENCE) && c.round() == round && c.unavailable() == null)
                .mapToDouble(Cell::requestsPerSecond).findFirst().orElse(Double.NaN);
    }
}
