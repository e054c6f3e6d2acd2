package dev.streamlab.bench;

import dev.streamlab.stream.fmp4.Fmp4Remuxer;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code scripts/bench.sh phase3-live}: N simulated viewers of the 720p live channel ({@code /ws/live/{channel}}).
 *
 * <p>For each N in {@code --viewers} and each server variant — <b>shared</b> (one ring of segments, a view per
 * viewer) and <b>naive</b> ({@code -Dstreamlab.live.naive=true}: each segment copied whole per viewer) — a fresh
 * phase 3 server process; this JVM opens N raw-socket WebSockets, sends {@code hello}, and reads each on a virtual
 * thread as fast as data comes (the server paces at real time, so a reader that keeps up consumes at real time).
 * After {@code --warmup} s, for {@code --seconds}: delivered kbps per viewer, lag behind the live edge for every media
 * segment received (edge from the last {@code edge} message, extrapolated; minus the segment's end), skips (a jump in
 * decode times), closes, server CPU (/proc/PID/stat) and RSS (VmRSS at the end), and user-space bytes copied per
 * delivered segment ({@code streamlab_live_copied_bytes_total} / {@code streamlab_live_segments_sent_total} from the
 * server's {@code /metrics}). Then naive ÷ shared as a ratio.
 *
 * <p>Bounded: at most 5,000 viewers, 60 s per run; {@code --quick} is N = 100 for 5 s (a smoke run).
 */
public final class LiveViewers {
    private LiveViewers() {}

    /** One run's numbers. */
    record Result(String variant, int viewers, int connected, double firstP50Ms, double firstP99Ms,
                  double kbpsPerViewer, double p50LagMs, double p99LagMs,
                  long skips, long closed, double cpuPercent, double rssMb, double copiedPerSegment, long segments) {}

    public static void main(String[] args) throws Exception {
        List<Integer> counts = List.of(100, 1000, 2000, 5000);
        double warmup = 5;
        double seconds = 20;
        String channel = "ladder-30s-720p";
        String classpath = System.getProperty("java.class.path");
        Path root = Path.of(System.getProperty("streamlab.root", ".")).toAbsolutePath();
        Path out = root.resolve("phase3-websocket/bench-results/phase3-live.md");
        String command = "java dev.streamlab.bench.LiveViewers " + String.join(" ", args);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--viewers" -> counts = Arrays.stream(args[++i].split(",")).map(String::trim)
                        .map(Integer::parseInt).map(n -> Math.max(1, Math.min(5000, n))).toList();
                case "--warmup" -> warmup = Math.min(30, Double.parseDouble(args[++i]));
                case "--seconds" -> seconds = Math.max(1, Math.min(60, Double.parseDouble(args[++i])));
                case "--quick" -> {
                    counts = List.of(100);
                    warmup = 3;
                    seconds = 5;
                }
                case "--channel" -> channel = args[++i];
                case "--classpath" -> classpath = args[++i];
                case "--out" -> out = Path.of(args[++i]);
                case "--command" -> command = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        String codec;
        try (var files = Files.walk(root.resolve("media"))) {
            String name = channel + ".mp4";
            Path file = files.filter(f -> f.getFileName().toString().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no media file " + name));
            codec = Fmp4Remuxer.open(file).video().orElseThrow().codec();
        }
        List<Result> results = new ArrayList<>();
        for (int n : counts) {
            for (boolean naive : new boolean[] {false, true}) {
                Result r = run(root, classpath, channel, codec, n, naive, warmup, seconds);
                System.out.println(r);
                results.add(r);
            }
        }
        String md = report(results, command, warmup, seconds, channel);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, md, StandardCharsets.UTF_8);
        System.out.print(md);
        System.out.println("Wrote " + out);
    }

    /** Per-viewer state, written by its reader thread only. */
    private static final class Viewer {
        double edge = Double.NaN;   // last edge t
        long edgeAt;                // nanoTime it arrived
        double chunk = 0.5;
        int lastDecodeMs = Integer.MIN_VALUE;
        long bytes;                 // in the window
        long skips;                 // in the window
        boolean closed;
        volatile long helloAt;      // nanoTime hello was sent
        long firstMediaAt;          // nanoTime the first media segment arrived (0: none yet)
        float[] lags = new float[256];
        int lagCount;

        void lag(float ms) {
            if (lagCount == lags.length) lags = Arrays.copyOf(lags, lags.length * 2);
            lags[lagCount++] = ms;
        }
    }

    private static Result run(Path root, String classpath, String channel, String codec, int viewers, boolean naive,
                              double warmup, double seconds) throws Exception {
        Phase3Child p = Phase3Child.start("live", root, classpath,
                List.of("-Xms512m", "-Xmx1g", "-Dstreamlab.live.naive=" + naive), "virtual", viewers + 100);
        List<Socket> sockets = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        Viewer[] state = new Viewer[viewers];
        AtomicLong windowStart = new AtomicLong(Long.MAX_VALUE);
        AtomicLong windowEnd = new AtomicLong(Long.MAX_VALUE);
        try {
            URI base = p.base();
            byte[] hello = masked(("{\"type\":\"hello\",\"codecs\":[\"" + codec + "\"]}")
                    .getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < viewers; i++) {
                Socket s = WsScale.handshakeTo(base, "/ws/live/" + channel);
                sockets.add(s);
                s.setSoTimeout(0);
                Viewer v = state[i] = new Viewer();
                DataInputStream in = new DataInputStream(s.getInputStream());
                readers.add(Thread.ofVirtual().start(() -> read(in, v, windowStart, windowEnd)));
                OutputStream o = s.getOutputStream();
                v.helloAt = System.nanoTime();
                o.write(hello);
                o.flush();
            }
            long start = System.nanoTime() + (long) (warmup * 1e9);
            long end = start + (long) (seconds * 1e9);
            windowStart.set(start);
            windowEnd.set(end);
            sleepUntil(start);
            double cpu0 = ProcStats.process(p.pid()).total();
            double[] m0 = metrics(base);
            sleepUntil(end);
            double cpu1 = ProcStats.process(p.pid()).total();
            double[] m1 = metrics(base);
            double rss = ProcStats.statusKiB(Long.toString(p.pid()), "VmRSS:") / 1024.0;

            int connected = 0;
            long bytes = 0;
            long skips = 0;
            long closed = 0;
            int lagSamples = 0;
            for (Viewer v : state) {
                if (v.lagCount > 0) connected++;
                bytes += v.bytes;
                skips += v.skips;
                if (v.closed) closed++;
                lagSamples += v.lagCount;
            }
            float[] all = new float[lagSamples];
            int at = 0;
            for (Viewer v : state) {
                System.arraycopy(v.lags, 0, all, at, v.lagCount);
                at += v.lagCount;
            }
            Arrays.sort(all);
            float[] first = new float[viewers];
            int firsts = 0;
            for (Viewer v : state) if (v.firstMediaAt != 0) first[firsts++] = (v.firstMediaAt - v.helloAt) / 1e6f;
            first = Arrays.copyOf(first, firsts);
            Arrays.sort(first);
            double segments = m1[1] - m0[1];
            return new Result(naive ? "naive (copy per viewer)" : "shared (views)", viewers, connected,
                    pct(first, 0.50), pct(first, 0.99), bytes * 8 / 1000.0 / seconds / viewers, pct(all, 0.50), pct(all, 0.99), skips, closed,
                    100 * (cpu1 - cpu0) / seconds, rss, segments == 0 ? 0 : (m1[0] - m0[0]) / segments,
                    (long) segments);
        } finally {
            Phase3Child.closeAll(sockets);
            for (Thread t : readers) t.join(2000);
            p.stop();
        }
    }

    /** Reads one viewer's frames until its socket closes; counts only what arrives inside the window. */
    private static void read(DataInputStream in, Viewer v, AtomicLong windowStart, AtomicLong windowEnd) {
        byte[] payload = new byte[256 * 1024];
        try {
            while (true) {
                int b0 = in.readUnsignedByte();
                int b1 = in.readUnsignedByte();
                long len = b1 & 0x7f;
                if (len == 126) len = in.readUnsignedShort();
                else if (len == 127) len = in.readLong();
                if (len > payload.length) payload = new byte[(int) len];
                in.readFully(payload, 0, (int) len);
                long now = System.nanoTime();
                boolean inWindow = now >= windowStart.get() && now < windowEnd.get();
                int opcode = b0 & 0x0f;
                if (opcode == 0x1) {
                    String text = new String(payload, 0, (int) len, StandardCharsets.UTF_8);
                    if (text.startsWith("{\"type\":\"edge\"")) {
                        v.edge = number(text, "\"t\":");
                        v.edgeAt = now;
                    } else if (text.startsWith("{\"type\":\"meta\"")) {
                        double c = number(text, "\"chunk_s\":");
                        if (!Double.isNaN(c)) v.chunk = c;
                    }
                    if (inWindow) v.bytes += len;
                } else if (opcode == 0x2 && len >= 24) {
                    ByteBuffer h = ByteBuffer.wrap(payload, 0, 24);
                    if (inWindow) v.bytes += len;
                    if (h.get(4) != 1) continue; // init segment
                    if (v.firstMediaAt == 0) v.firstMediaAt = now;
                    int decodeMs = h.getInt(16);
                    int presentationMs = h.getInt(20);
                    if (inWindow && v.lastDecodeMs != Integer.MIN_VALUE
                            && decodeMs - v.lastDecodeMs > 1500 * v.chunk) {
                        v.skips++;
                    }
                    v.lastDecodeMs = decodeMs;
                    if (inWindow && !Double.isNaN(v.edge)) {
                        double edgeNow = v.edge + (now - v.edgeAt) / 1e9;
                        v.lag((float) ((edgeNow - presentationMs / 1000.0 - v.chunk) * 1000));
                    }
                } else if (opcode == 0x8) {
                    v.closed = now < windowEnd.get();
                    return;
                }
            }
        } catch (IOException e) {
            v.closed = System.nanoTime() < windowEnd.get();
        }
    }

    private static double number(String json, String key) {
        int i = json.indexOf(key);
        if (i < 0) return Double.NaN;
        int j = i + key.length();
        int k = j;
        while (k < json.length() && "-+.0123456789eE".indexOf(json.charAt(k)) >= 0) k++;
        return Double.parseDouble(json.substring(j, k));
    }

    /** A masked client text frame (RFC 6455 §5.3: a client masks every frame). */
    private static byte[] masked(byte[] text) {
        if (text.length >= 126) throw new IllegalArgumentException("hello too long");
        byte[] f = new byte[6 + text.length];
        f[0] = (byte) 0x81;
        f[1] = (byte) (0x80 | text.length);
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        System.arraycopy(mask, 0, f, 2, 4);
        for (int i = 0; i < text.length; i++) f[6 + i] = (byte) (text[i] ^ mask[i & 3]);
        return f;
    }

    /** {copied bytes, segments sent} from the server's /metrics. */
    private static double[] metrics(URI base) throws IOException, InterruptedException {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double copied = 0;
        double segments = 0;
        for (String line : body.split("\n")) {
            if (line.startsWith("streamlab_live_copied_bytes_total ")) copied = Double.parseDouble(line.substring(34));
            if (line.startsWith("streamlab_live_segments_sent_total ")) segments = Double.parseDouble(line.substring(35));
        }
        return new double[] {copied, segments};
    }

    private static String report(List<Result> results, String command, double warmup, double seconds, String channel) {
        String date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
        StringBuilder md = new StringBuilder("# Phase 3: live channel fan-out (/ws/live/" + channel + ")\n\n"
                + "- Machine: " + Runtime.getRuntime().availableProcessors() + " CPUs, "
                + System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + ", " + date + "\n"
                + "- Command: `" + command + "`\n"
                + String.format(Locale.ROOT, "- Server: `Phase3Main -Xms512m -Xmx1g --threads virtual`, a fresh process"
                + " per row; viewers: raw sockets in this JVM, one virtual thread each, reading as data comes;"
                + " %.0f s warm-up, then a %.0f s window. Lag: live edge (from `edge`, extrapolated) minus the end of"
                + " each media segment as it arrives. Goal: 2,000 viewers with p99 lag < 1 s and no skips.%n%n",
                warmup, seconds)
                + "| viewers | variant | receiving | hello → first segment p50 / p99 | kbps/viewer | lag p50 | lag p99 | skips | closed | server CPU (of one core) | server RSS | bytes copied / segment | segments sent |\n"
                + "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            md.append(String.format(Locale.ROOT, "| %,d | %s | %,d | %.0f / %.0f ms | %,.0f | %.0f ms | %.0f ms | %d | %d | %.0f%% | %.0f MB | %,.0f | %,d |%n",
                    r.viewers(), r.variant(), r.connected(), r.firstP50Ms(), r.firstP99Ms(), r.kbpsPerViewer(), r.p50LagMs(), r.p99LagMs(), r.skips(),
                    r.closed(), r.cpuPercent(), r.rssMb(), r.copiedPerSegment(), r.segments()));
        }
        md.append("\nNaive ÷ shared, same N:\n\n| viewers | CPU | RSS | bytes copied / segment | lag p99 |\n|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i + 1 < results.size(); i += 2) {
            Result s = results.get(i);
            Result n = results.get(i + 1);
            md.append(String.format(Locale.ROOT, "| %,d | %.2f× | %.2f× | %,.0f× | %.2f× |%n", s.viewers(),
                    n.cpuPercent() / s.cpuPercent(), n.rssMb() / s.rssMb(), n.copiedPerSegment() / s.copiedPerSegment(),
                    n.p99LagMs() / s.p99LagMs()));
        }
        return md.toString();
    }

    private static double pct(float[] sorted, double q) {
        if (sorted.length == 0) return Double.NaN;
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
    }

}
