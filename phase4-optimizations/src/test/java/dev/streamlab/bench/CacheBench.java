package dev.streamlab.bench;

import dev.streamlab.cache.CacheKey;
import dev.streamlab.cache.CacheRoutes;
import dev.streamlab.cache.ChunkCache;
import dev.streamlab.cache.SegmentRoute;
import dev.streamlab.phase3.Phase3Main;
import dev.streamlab.phase3.Phase3Server;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/*
 * Phase 4's chunk cache benchmark: does a cache of file chunks in the JVM beat the OS page cache + sendfile, and
 * does a cache of remuxed fMP4 segments beat remuxing them per request?
 *
 * 200 viewers (virtual threads, one keep-alive connection each, closed loop: the next request as soon as the last
 * response is read) on 127.0.0.1 pick a video with Zipf(s = 1) popularity, then
 *   ranges    a random 64 KiB–1 MiB range of it, from a synthetic catalog larger than the cache (default 48 files of
 *             8 MiB = 384 MiB, cache 128 MiB), through
 *               sendfile    phase 3's /videos/{id}: page cache + transferTo, no cache of ours
 *               cache-off   /cached/videos/{id} with a 0-byte cache: every chunk read(2) into a new direct buffer
 *               cache-on    /cached/videos/{id} with the cache (smaller than the catalog: hits and misses)
 *               cache-all   /cached/videos/{id} with a cache holding the whole catalog: after warm-up, only hits
 *   segments  a random video segment of a bundled video (media/*.mp4 and media/ladder), through
 *               remux       /remux/segments/...: rebuilt per request (phase 3's StreamSession does this)
 *               cached      /cached/segments/...: from the cache
 * Per cell: throughput, client-side time to first byte (p50, p99), peak heap and direct memory sampled every 100 ms,
 * GC time, the cache's hit ratio and copies per byte. With --drop-caches each cell starts with the page cache dropped
 * (echo 1 > /proc/sys/vm/drop_caches; root only — the report says whether it worked).
 *
 * Server and clients share one JVM (simpler and the same for every cell); the heap figures include the clients'
 * small fixed buffers. Numbers from a busy machine mean nothing: the lead runs it on a quiet one.
 *
 * How to run: ./lab bench phase4-cache (scripts/bench.sh), or
 *   java -cp <phase 4 test classpath> dev.streamlab.bench.CacheBench [--quick] [--out FILE.md]
 * Results: phase4-optimizations/bench-results/phase4-cache.md; the README quotes them.
 */

/** {@code ./lab bench phase4-cache}; see the comment above. {@code --help} lists the options. */
public final class CacheBench {
    static final String USAGE = """
            usage: CacheBench [--quick] [--out FILE.md] [--viewers N] [--warmup S] [--seconds S] [--files N]
                              [--file-mib N] [--cache-mib N] [--scenarios ranges,segments] [--drop-caches]
                              [--command TEXT]
              --quick   16 files of 2 MiB, 4 MiB cache, 50 viewers, 1 s warm-up, 3 s windows: checks that it runs
              --seconds measuring window per cell (warm-up + window are capped at 20 s)
            """;

    record Options(Path root, Path out, int viewers, double warmup, double seconds, int files, int fileMib,
                   int cacheMib, List<String> scenarios, boolean dropCaches, String command) {
        /** The same options with another warm-up and measuring window, in seconds. */
        Options withWindow(double warmup, double seconds) {
            return new Options(root, out, viewers, warmup, seconds, files, fileMib, cacheMib, scenarios, dropCaches,
                    command);
        }

        static Options parse(String... args) {
            Path root = Path.of(System.getProperty("streamlab.root", ".")).toAbsolutePath().normalize();
            Path out = null;
            int viewers = 200, files = 48, fileMib = 8, cacheMib = 128;
            double warmup = 3, seconds = 15;
            List<String> scenarios = List.of("ranges", "segments");
            boolean drop = false;
            String command = "java dev.streamlab.bench.CacheBench " + String.join(" ", args);
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--quick" -> {
                        viewers = 50;
                        files = 16;
                        fileMib = 2;
                        cacheMib = 4;
                        warmup = 1;
                        seconds = 3;
                    }
                    case "--out" -> out = Path.of(value(args, ++i));
                    case "--viewers" -> viewers = (int) number(args, ++i, 1, 10_000);
                    case "--warmup" -> warmup = number(args, ++i, 0, 20);
                    case "--seconds" -> seconds = number(args, ++i, 0.5, 20);
                    case "--files" -> files = (int) number(args, ++i, 1, 1000);
                    case "--file-mib" -> fileMib = (int) number(args, ++i, 1, 1024);
                    case "--cache-mib" -> cacheMib = (int) number(args, ++i, 0, 64 * 1024);
                    case "--scenarios" -> scenarios = List.of(value(args, ++i).split(","));
                    case "--drop-caches" -> drop = true;
                    case "--command" -> command = value(args, ++i);
                    default -> throw new IllegalArgumentException("unknown option " + args[i] + "\n" + USAGE);
                }
            }
            if (warmup + seconds > 20) throw new IllegalArgumentException("warm-up + window must be <= 20 s per cell");
            for (String s : scenarios) {
                if (!s.equals("ranges") && !s.equals("segments")) throw new IllegalArgumentException("scenario " + s);
            }
            return new Options(root, out, viewers, warmup, seconds, files, fileMib, cacheMib, scenarios, drop,
                    command);
        }

        private static String value(String[] args, int i) {
            if (i >= args.length) throw new IllegalArgumentException(args[i - 1] + " needs a value");
            return args[i];
        }

        private static double number(String[] args, int i, double min, double max) {
            try {
                double v = Double.parseDouble(value(args, i));
                if (v >= min && v <= max) return v;
            } catch (NumberFormatException e) {
                // falls through
            }
            throw new IllegalArgumentException(args[i - 1] + " needs a number from " + min + " to " + max);
        }
    }

    /** What one viewer asks for next. */
    @FunctionalInterface
    interface Workload {
        /** A request target and its Range value (null for none). */
        String[] next(SplittableRandom random);
    }

    /** One cell's results. */
    record Cell(String scenario, String variant, long requests, long errors, long bytes, double seconds,
                double ttfbP50Ms, double ttfbP99Ms, long heapPeak, long directPeak, double gcSeconds,
                double hitRatio, double copiesPerByte, String pageCache) {
        double mbPerSecond() {
            return bytes / seconds / 1e6;
        }
    }

    private CacheBench() {}

    public static void main(String[] args) throws Exception {
        int code = run(System.out, args);
        if (code != 0) System.exit(code);
    }

    static int run(PrintStream log, String... args) throws Exception {
        Options o;
        try {
            if (Arrays.asList(args).contains("--help")) {
                log.print(USAGE);
                return 0;
            }
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("CacheBench: " + e.getMessage());
            return 2;
        }
        List<Cell> cells = new ArrayList<>();
        Path synthetic = null;
        try {
            if (o.scenarios().contains("ranges")) {
                synthetic = syntheticCatalog(o.files(), o.fileMib(), log);
                List<String> ids = ids(synthetic, o.files());
                long fileBytes = (long) o.fileMib() << 20;
                Workload ranges = r -> {
                    String id = ids.get(Zipf.pick(r, ids.size()));
                    long len = (64 << 10) + r.nextLong((1 << 20) - (64 << 10) + 1);
                    long start = r.nextLong(fileBytes - len + 1);
                    return new String[] {id, "bytes=" + start + "-" + (start + len - 1)};
                };
                long cache = (long) o.cacheMib() << 20;
                warmUp(o, log, synthetic, "ranges", w("/videos/", ranges));
                cells.add(cell(o, log, synthetic, "ranges", "sendfile", 0, w("/videos/", ranges)));
                cells.add(cell(o, log, synthetic, "ranges", "cache-off", 0, w("/cached/videos/", ranges)));
                cells.add(cell(o, log, synthetic, "ranges", "cache-on", cache, w("/cached/videos/", ranges)));
                long all = ((long) o.files() * o.fileMib() + o.files()) << 20; // + a chunk of slack per file
                cells.add(cell(o, log, synthetic, "ranges", "cache-all", all, w("/cached/videos/", ranges)));
            }
            if (o.scenarios().contains("segments")) {
                Path media = o.root().resolve("media");
                List<String[]> segments = segmentTargets(media);
                Workload seg = r -> {
                    String[] pick = segments.get(Zipf.pick(r, segments.size()));
                    int count = Integer.parseInt(pick[1]);
                    return new String[] {pick[0] + "/video/" + r.nextInt(count), null};
                };
                long cache = Math.max(64L << 20, (long) o.cacheMib() << 20);
                warmUp(o, log, media, "segments", w(SegmentRoute.UNCACHED, seg));
                cells.add(cell(o, log, media, "segments", "remux", cache, w(SegmentRoute.UNCACHED, seg)));
                cells.add(cell(o, log, media, "segments", "cached", cache, w(SegmentRoute.CACHED, seg)));
            }
        } finally {
            if (synthetic != null) deleteTree(synthetic);
        }
        String report = report(o, cells);
        log.println(report);
        if (o.out() != null) {
            Files.createDirectories(o.out().toAbsolutePath().getParent());
            Files.writeString(o.out(), report);
            log.println("wrote " + o.out());
        }
        return cells.stream().allMatch(c -> c.requests() > 0 && c.errors() == 0) ? 0 : 1;
    }

    private static Workload w(String prefix, Workload inner) {
        return r -> {
            String[] t = inner.next(r);
            return new String[] {prefix + t[0], t[1]};
        };
    }

    /** Zipf(s = 1) over n items, item 0 the most popular: P(k) ∝ 1 / (k + 1). */
    static final class Zipf {
        private static volatile double[] cdf = new double[0];

        static int pick(SplittableRandom r, int n) {
            double[] c = cdf;
            if (c.length != n) {
                c = new double[n];
                double sum = 0;
                for (int k = 0; k < n; k++) c[k] = sum += 1.0 / (k + 1);
                for (int k = 0; k < n; k++) c[k] /= sum;
                cdf = c;
            }
            int i = Arrays.binarySearch(c, r.nextDouble());
            return Math.min(n - 1, i >= 0 ? i : -i - 1);
        }
    }

    /**
     * Load thrown away before a scenario's first cell. Server and viewers share this JVM, which starts interpreted:
     * without this, C2 compiling the HTTP stack and the client during the first cell (the baseline) took CPU from
     * that cell alone, so every ratio to it favoured the variants after it (the same bias phase 2's LoadHarness had:
     * the server measured first got 0.37-0.48x of its warm req/s there).
     */
    private static void warmUp(Options o, PrintStream log, Path media, String scenario, Workload workload)
            throws Exception {
        log.println("== warming up this JVM (server and viewers) on " + scenario + ", discarded");
        cell(o.withWindow(Math.min(8, 2 * o.warmup()), 1), log, media, scenario, "warm-up", 0, workload);
    }

    /** One cell: a fresh server with a cache of {@code cacheBytes}, viewers for warm-up + window, then numbers. */
    static Cell cell(Options o, PrintStream log, Path media, String scenario, String variant, long cacheBytes,
                     Workload workload) throws Exception {
        String pageCache = o.dropCaches() ? dropCaches() : "warm";
        System.gc();
        ChunkCache<?>[] cache = new ChunkCache<?>[1];
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setProperty("streamlab.frontend", o.root().resolve("frontend").toString());
        Phase3Server server = Phase3Main.start(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err),
                "cache-bench", (s, ws) -> cache[0] = CacheRoutes.install(s, cacheBytes),
                "--port", "0", "--media", media.toString(), "--quiet");
        if (server == null) throw new IllegalStateException(err.toString(StandardCharsets.UTF_8));
        try {
            URI uri = server.uri();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicBoolean measuring = new AtomicBoolean();
            LongAdder requests = new LongAdder();
            LongAdder errors = new LongAdder();
            LongAdder bytes = new LongAdder();
            ConcurrentLinkedQueue<long[]> ttfbs = new ConcurrentLinkedQueue<>();
            List<Thread> viewers = new ArrayList<>();
            for (int v = 0; v < o.viewers(); v++) {
                SplittableRandom random = new SplittableRandom(1000 + v); // same seeds in every cell
                viewers.add(Thread.ofVirtual().start(() -> viewer(uri, workload, random, stop, measuring, requests,
                        errors, bytes, ttfbs)));
            }
            Thread.sleep((long) (o.warmup() * 1000));
            GcSnapshot gc0 = GcSnapshot.now();
            ChunkCache.Stats s0 = cache[0].stats();
            measuring.set(true);
            long t0 = System.nanoTime();
            long heapPeak = 0, directPeak = 0;
            long end = t0 + (long) (o.seconds() * 1e9);
            while (System.nanoTime() < end) {
                heapPeak = Math.max(heapPeak, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
                directPeak = Math.max(directPeak, directBytes());
                Thread.sleep(100);
            }
            measuring.set(false);
            double secs = (System.nanoTime() - t0) / 1e9;
            GcSnapshot gc1 = GcSnapshot.now();
            ChunkCache.Stats s1 = cache[0].stats();
            stop.set(true);
            server.close(); // unblocks viewers stuck in a read
            for (Thread t : viewers) t.join(5_000);
            long[] sorted = ttfbs.stream().flatMapToLong(Arrays::stream).sorted().toArray();
            long lookups = (s1.hits() - s0.hits()) + (s1.misses() - s0.misses()) + (s1.bypasses() - s0.bypasses());
            double hitRatio = lookups == 0 ? Double.NaN : (double) (s1.hits() - s0.hits()) / lookups;
            double copies = copiesPerByte(server, variant);
            Cell c = new Cell(scenario, variant, requests.sum(), errors.sum(), bytes.sum(), secs,
                    percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6, heapPeak, directPeak,
                    gc1.seconds - gc0.seconds, hitRatio, copies, pageCache);
            log.printf(Locale.ROOT, "%-9s %-10s %8d req %8.1f MB/s  ttfb p99 %7.2f ms  heap %5d MiB  hit %s%n",
                    scenario, variant, c.requests(), c.mbPerSecond(), c.ttfbP99Ms(), heapPeak >> 20,
                    Double.isNaN(hitRatio) ? "-" : String.format(Locale.ROOT, "%.3f", hitRatio));
            return c;
        } finally {
            server.close();
        }
    }

    /** Copies per body byte of the path the variant uses, from the server's own counters. */
    private static double copiesPerByte(Phase3Server server, String variant) {
        String name = variant.equals("sendfile") ? "streamlab_http_copies_per_byte "
                : variant.equals("remux") ? null : "streamlab_cache_copies_per_byte ";
        if (name == null) return Double.NaN; // the remux route has no counter of its own: see the notes
        for (String line : server.metrics().scrape().split("\n")) {
            if (line.startsWith(name)) return Double.parseDouble(line.substring(name.length()));
        }
        return Double.NaN;
    }

    /** A closed-loop viewer on one keep-alive connection (reconnecting if the server closes it). */
    private static void viewer(URI uri, Workload workload, SplittableRandom random, AtomicBoolean stop,
                               AtomicBoolean measuring, LongAdder requests, LongAdder errors, LongAdder bytes,
                               ConcurrentLinkedQueue<long[]> ttfbs) {
        byte[] scratch = new byte[64 << 10];
        long[] mine = new long[4096];
        int n = 0;
        int failures = 0;
        while (!stop.get() && failures < 100) {
            try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                InputStream in = new BufferedInputStream(socket.getInputStream(), 16 << 10);
                while (!stop.get()) {
                    String[] target = workload.next(random);
                    String req = "GET " + target[0] + " HTTP/1.1\r\nHost: " + uri.getAuthority() + "\r\n"
                            + (target[1] == null ? "" : "Range: " + target[1] + "\r\n") + "\r\n";
                    long sent = System.nanoTime();
                    out.write(req.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    int first = in.read();
                    long ttfb = System.nanoTime() - sent;
                    if (first < 0) throw new EOFException("closed");
                    int status = -1;
                    long length = -1;
                    String line = readLine(in, (char) first);
                    status = Integer.parseInt(line.substring(9, 12));
                    while (!(line = readLine(in, '\0')).isEmpty()) {
                        if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                            length = Long.parseLong(line.substring(15).trim());
                        }
                    }
                    for (long left = length; left > 0; ) {
                        int r = in.read(scratch, 0, (int) Math.min(scratch.length, left));
                        if (r < 0) throw new EOFException("body cut short");
                        left -= r;
                    }
                    if (measuring.get()) {
                        requests.increment();
                        if (status / 100 != 2) errors.increment();
                        bytes.add(Math.max(0, length));
                        if (n == mine.length) {
                            ttfbs.add(mine);
                            mine = new long[4096];
                            n = 0;
                        }
                        mine[n++] = ttfb;
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (!stop.get()) {
                    failures++;
                    if (measuring.get()) errors.increment();
                }
            }
        }
        ttfbs.add(Arrays.copyOf(mine, n));
    }

    /** A header line (ISO-8859-1, CRLF stripped); {@code first} is its already-read first byte, or '\0'. */
    private static String readLine(InputStream in, char first) throws IOException {
        StringBuilder sb = new StringBuilder(64);
        if (first != '\0') sb.append(first);
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) throw new EOFException("headers cut short");
            if (c != '\r') sb.append((char) c);
            if (sb.length() > 8192) throw new IOException("header line too long");
        }
        return sb.toString();
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) return Double.NaN;
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
    }

    private static long directBytes() {
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getName().equals("direct")) return b.getMemoryUsed();
        }
        return 0;
    }

    private record GcSnapshot(double seconds) {
        static GcSnapshot now() {
            long ms = 0;
            for (GarbageCollectorMXBean g : ManagementFactory.getGarbageCollectorMXBeans()) {
                ms += Math.max(0, g.getCollectionTime());
            }
            return new GcSnapshot(ms / 1000.0);
        }
    }

    /** Tries to empty the page cache (root only); says what happened, for the report. */
    static String dropCaches() {
        try {
            new ProcessBuilder("sync").inheritIO().start().waitFor();
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "1");
            return "dropped";
        } catch (IOException e) {
            return "warm (drop_caches refused: " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "warm (interrupted)";
        }
    }

    /** {@code files} files of random bytes (not MP4s: ranges do not care) in a fresh temporary folder. */
    static Path syntheticCatalog(int files, int mib, PrintStream log) throws IOException {
        Path dir = Files.createTempDirectory("streamlab-cache-bench");
        log.printf("writing %d files of %d MiB to %s%n", files, mib, dir);
        SplittableRandom r = new SplittableRandom(7);
        byte[] block = new byte[1 << 20];
        for (int f = 0; f < files; f++) {
            try (OutputStream out = Files.newOutputStream(dir.resolve(String.format("video-%03d.mp4", f)))) {
                for (int m = 0; m < mib; m++) {
                    for (int i = 0; i < block.length; i += 8) {
                        long v = r.nextLong();
                        for (int k = 0; k < 8; k++) block[i + k] = (byte) (v >>> (8 * k));
                    }
                    out.write(block);
                }
            }
        }
        return dir;
    }

    private static List<String> ids(Path dir, int files) {
        List<String> ids = new ArrayList<>();
        for (int f = 0; f < files; f++) ids.add(String.format("video-%03d", f));
        return ids;
    }

    /** [id, video segment count] of every remuxable bundled video, most popular (by Zipf) first in file order. */
    static List<String[]> segmentTargets(Path media) throws IOException {
        List<String[]> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(media, 2)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".mp4")).sorted().toList()) {
                try {
                    var remuxer = dev.streamlab.stream.fmp4.Fmp4Remuxer.open(p);
                    if (remuxer.video().isEmpty()) continue;
                    String id = p.getFileName().toString().replaceFirst("\\.mp4$", "");
                    out.add(new String[] {id, Integer.toString(remuxer.video().get().segmentCount())});
                } catch (IOException e) {
                    // not remuxable: not part of this scenario
                }
            }
        }
        if (out.isEmpty()) throw new IOException("no remuxable video under " + media);
        return out;
    }

    private static String report(Options o, List<Cell> cells) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Phase 4: chunk cache vs page cache (CacheBench)\n\n");
        sb.append("Measured ").append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE_TIME))
                .append(" UTC on ").append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
                .append(System.getProperty("java.version")).append(". Command: `").append(o.command()).append("`\n\n");
        sb.append(String.format(Locale.ROOT, "%d viewers, closed loop, Zipf(s=1) popularity; warm-up %.0f s, window"
                + " %.0f s per cell, and load thrown away before each scenario's first cell (this JVM is server and"
                + " viewers, and starts cold). Ranges: %d files x %d MiB, random 64 KiB-1 MiB ranges, cache %d MiB."
                + " Segments: video segments of the bundled media, cache %d MiB.%n%n", o.viewers(), o.warmup(),
                o.seconds(), o.files(), o.fileMib(), o.cacheMib(), Math.max(64, o.cacheMib())));
        sb.append("| scenario | variant | page cache | req/s | MB/s | TTFB p50 ms | TTFB p99 ms | heap peak MiB |"
                + " direct peak MiB | GC s | hit ratio | copies/byte | errors |\n");
        sb.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Cell c : cells) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %.0f | %.1f | %.2f | %.2f | %d | %d | %.2f | %s | %s | %d |%n",
                    c.scenario(), c.variant(), c.pageCache(), c.requests() / c.seconds(), c.mbPerSecond(),
                    c.ttfbP50Ms(), c.ttfbP99Ms(), c.heapPeak() >> 20, c.directPeak() >> 20, c.gcSeconds(),
                    Double.isNaN(c.hitRatio()) ? "-" : String.format(Locale.ROOT, "%.3f", c.hitRatio()),
                    Double.isNaN(c.copiesPerByte()) ? "-" : String.format(Locale.ROOT, "%.3f", c.copiesPerByte()),
                    c.errors()));
        }
        sb.append("""

                Notes: copies/byte is user space only (sendfile: transferTo's fallback chunks; cache: bytes loaded
                over bytes sent — a miss reads a whole 1 MiB chunk). The remux route writes the moof from a heap
                buffer (1 JDK copy per header byte) and the samples from the mapping (0); it has no counter of its own.
                Heap and GC include the client threads in the same JVM. A miss reads into a pooled 1 MiB direct
                buffer, given back when its chunk is out of the cache and no response is writing it
                (ChunkCache.lease), so "direct peak" is about the cached bytes plus the misses in flight; segments
                are never given back (their views go to WebSocket queues with no end of use).
                """);
        return sb.toString();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
