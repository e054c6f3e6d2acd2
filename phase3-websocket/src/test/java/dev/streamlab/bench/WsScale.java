package dev.streamlab.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;

/**
 * {@code scripts/bench.sh phase3-ws}, part 2: idle WebSocket connections to phase 3's {@code /ws/echo}, once with
 * {@code --threads virtual} and once with {@code --threads platform} (same server code). For each, a fresh
 * {@code Phase3Main} process; this JVM opens connections in steps (raw sockets, a complete RFC 6455 handshake each,
 * then silence) and after every step forces a GC in the server ({@code jcmd GC.run}) and reads its live heap
 * ({@code /metrics streamlab_jvm_heap_used_bytes}), {@code VmRSS} and {@code Threads} ({@code /proc/PID/status}).
 * Bounded: at most {@code --max} connections (this JVM and the server each hold one descriptor per connection, hard
 * limit ~20,000 here) and {@code --budget} seconds of opening per thread kind. Writes a Markdown table and a Java2D
 * chart (RSS vs connections).
 */
public final class WsScale {
    record Point(int connections, double openSeconds, long rssKiB, long heapBytes, int threads) {}

    record Run(String threads, List<Point> points, String stop, String histogram) {}

    private WsScale() {}

    public static void main(String[] args) throws Exception {
        int max = 19_000;
        int step = 2000;
        int budget = 60;
        String classpath = System.getProperty("java.class.path");
        Path root = Path.of(System.getProperty("streamlab.root", ".")).toAbsolutePath();
        Path out = root.resolve("phase3-websocket/bench-results/phase3-scale.md");
        Path png = root.resolve("phase3-websocket/bench-results/phase3-scale.png");
        String command = "java dev.streamlab.bench.WsScale " + String.join(" ", args);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--max" -> max = Math.min(19_500, Integer.parseInt(args[++i]));
                case "--step" -> step = Integer.parseInt(args[++i]);
                case "--budget" -> budget = Integer.parseInt(args[++i]);
                case "--classpath" -> classpath = args[++i];
                case "--out" -> out = Path.of(args[++i]);
                case "--png" -> png = Path.of(args[++i]);
                case "--command" -> command = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (options: --max N --step N --budget S --classpath CP --out F.md --png F.png)");
            }
        }
        List<Run> runs = new ArrayList<>();
        for (String kind : List.of("virtual", "platform")) {
            runs.add(measure(kind, max, step, budget, classpath, root));
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        String md = report(runs, command, max, budget);
        Files.writeString(out, md, StandardCharsets.UTF_8);
        chart(runs, png);
        System.out.print(md);
        System.out.println("Wrote " + out + " and " + png);
    }

    static Run measure(String kind, int max, int step, int budget, String classpath, Path root) throws Exception {
        Phase3Child p = Phase3Child.start("scale-" + kind, root, classpath, List.of("-Xms512m", "-Xmx512m"), kind,
                max + 100);
        List<Socket> open = new ArrayList<>();
        List<Point> points = new ArrayList<>();
        String stop = "reached --max";
        String histogram = "";
        try {
            URI base = p.base();
            System.out.println("== " + kind + " threads: server pid " + p.pid() + " at " + base);
            points.add(sample(p, base, 0, 0));
            long budgetEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(budget);
            double openSeconds = 0;
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                while (open.size() < max) {
                    int target = Math.min(max, open.size() + step);
                    long t0 = System.nanoTime();
                    String failure = openBatch(pool, base, target - open.size(), open, budgetEnd);
                    openSeconds += (System.nanoTime() - t0) / 1e9;
                    points.add(sample(p, base, open.size(), openSeconds));
                    Point last = points.getLast();
                    System.out.printf(Locale.ROOT, "   %,6d connections  open %.1f s  RSS %,d KiB  heap %,d KB  threads %d%n",
                            last.connections(), openSeconds, last.rssKiB(), last.heapBytes() / 1000, last.threads());
                    if (failure != null) {
                        stop = failure;
                        break;
                    }
                    if (System.nanoTime() > budgetEnd) {
                        stop = "time budget (" + budget + " s) spent";
                        break;
                    }
                }
            }
            histogram = histogram(p, 12);
        } finally {
            Phase3Child.closeAll(open);
            p.stop();
        }
        return new Run(kind, points, stop, histogram);
    }

    /** Opens {@code count} more connections with 16 concurrent openers; returns why it stopped early, or null. */
    private static String openBatch(ExecutorService pool, URI base, int count, List<Socket> open, long deadline)
            throws InterruptedException {
        AtomicInteger left = new AtomicInteger(count);
        ConcurrentLinkedQueue<Socket> made = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < 16; w++) {
            workers.add(pool.submit(() -> {
                while (left.getAndDecrement() > 0 && errors.isEmpty() && System.nanoTime() < deadline) {
                    try {
                        made.add(handshake(base));
                    } catch (IOException e) {
                        errors.add(e.toString());
                        return;
                    }
                }
            }));
        }
        for (Future<?> f : workers) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                errors.add(e.getCause().toString());
            }
        }
        open.addAll(made);
        return errors.isEmpty() ? null : "error: " + errors.peek();
    }

    /** A TCP connection with a finished WebSocket handshake on /ws/echo, then left idle. */
    static Socket handshake(URI base) throws IOException {
        return handshakeTo(base, "/ws/echo");
    }

    /** A TCP connection with a finished WebSocket handshake on {@code path}. */
    static Socket handshakeTo(URI base, String path) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 10_000);
            s.setSoTimeout(10_000);
            byte[] key = new byte[16];
            ThreadLocalRandom.current().nextBytes(key);
            String req = "GET " + path + " HTTP/1.1\r\nHost: " + base.getAuthority() + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key)
                    + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
            s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            while (head.length() < 4096 && !head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) throw new IOException("closed during the handshake");
                head.append((char) b);
            }
            if (!head.toString().startsWith("HTTP/1.1 101")) {
                throw new IOException("handshake answered " + head.toString().lines().findFirst().orElse("?"));
            }
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }


    /** The top of {@code jcmd PID GC.class_histogram} (live objects): what each connection is made of. */
    private static String histogram(Phase3Child p, int rows) throws IOException, InterruptedException {
        Process h = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin/jcmd").toString(),
                Long.toString(p.pid()), "GC.class_histogram").redirectErrorStream(true).start();
        List<String> lines = new String(h.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        h.waitFor(30, TimeUnit.SECONDS);
        return String.join("\n", lines.subList(Math.min(1, lines.size()), Math.min(lines.size(), rows + 3)));
    }

    /** Server figures now, after a forced full GC so the heap figure is live data. */
    private static Point sample(Phase3Child p, URI base, int connections, double openSeconds)
            throws IOException, InterruptedException {
        Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin/jcmd").toString(),
                Long.toString(p.pid()), "GC.run").redirectErrorStream(true).start();
        gc.getInputStream().readAllBytes();
        gc.waitFor(30, TimeUnit.SECONDS);
        Thread.sleep(300);
        long heap = -1;
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET /metrics HTTP/1.1\r\nHost: " + base.getAuthority()
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("streamlab_jvm_heap_used_bytes ")) {
                    heap = (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1).strip());
                }
            }
        }
        long rss = -1;
        int threads = -1;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) rss = Long.parseLong(line.replaceAll("\\D", ""));
            if (line.startsWith("Threads:")) threads = Integer.parseInt(line.replaceAll("\\D", ""));
        }
        return new Point(connections, openSeconds, rss, heap, threads);
    }

    static String report(List<Run> runs, String command, int max, int budget) throws IOException {
        String date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
        StringBuilder md = new StringBuilder("# Phase 3: idle WebSocket connections, virtual vs platform threads\n\n");
        md.append("- Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs, ")
                .append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.version"))
                .append(", ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
                .append(", ").append(date).append('\n');
        md.append("- Command: `").append(command).append("`\n");
        md.append("- Server: `java -Xms512m -Xmx512m dev.streamlab.phase3.Phase3Main --threads virtual|platform "
                + "--max-connections ").append(max + 100).append(" --quiet` (G1), a fresh process per thread kind. "
                + "Client: this JVM, 16 virtual threads opening raw sockets, each finishing the RFC 6455 handshake on "
                + "/ws/echo (101) and then staying silent; at most ").append(max).append(" connections, ")
                .append(budget).append(" s of opening per kind. Every connection has the server's 30 s heartbeat "
                + "(a task on one shared timer) and its read loop parked in a read.\n");
        md.append("- After each step: `jcmd PID GC.run`, then live heap = /metrics `streamlab_jvm_heap_used_bytes`, "
                + "RSS = VmRSS and Threads from /proc/PID/status. Per connection = (value at N − value at 0) ÷ N.\n\n");
        md.append("| threads | connections | opening (s) | RSS (MiB) | live heap (MB) | OS threads | RSS/conn (KiB) "
                + "| heap/conn (KB) | OS threads/conn |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Run r : runs) {
            Point zero = r.points().getFirst();
            for (Point pt : r.points()) {
                int n = pt.connections();
                md.append(String.format(Locale.ROOT, "| %s | %,d | %.1f | %.1f | %.1f | %d | %s | %s | %s |%n",
                        r.threads(), n, pt.openSeconds(), pt.rssKiB() / 1024.0, pt.heapBytes() / 1e6, pt.threads(),
                        n == 0 ? "–" : String.format(Locale.ROOT, "%.1f", (pt.rssKiB() - zero.rssKiB()) / (double) n),
                        n == 0 ? "–" : String.format(Locale.ROOT, "%.1f", (pt.heapBytes() - zero.heapBytes()) / 1e3 / n),
                        n == 0 ? "–" : String.format(Locale.ROOT, "%.3f", (pt.threads() - zero.threads()) / (double) n)));
            }
        }
        md.append('\n');
        for (Run r : runs) {
            Point zero = r.points().getFirst();
            Point last = r.points().getLast();
            int n = Math.max(1, last.connections());
            double rssPer = (last.rssKiB() - zero.rssKiB()) / (double) n;
            double heapPer = (last.heapBytes() - zero.heapBytes()) / (double) n;
            md.append(String.format(Locale.ROOT, "- %s: stopped at %,d connections (%s) after %.1f s of opening "
                            + "(%,.0f connections/s). Projection to 100,000 idle connections (linear, server process "
                            + "only, excluding ~4.9 KB kernel socket memory per end): RSS ≈ %.0f MiB + %.0f MiB, live "
                            + "heap ≈ %.0f MB, OS threads ≈ %,d.%n",
                    r.threads(), last.connections(), r.stop(), last.openSeconds(),
                    last.connections() / Math.max(0.001, last.openSeconds()), zero.rssKiB() / 1024.0,
                    rssPer * 100_000 / 1024, heapPer * 100_000 / 1e6,
                    zero.threads() + Math.round((last.threads() - zero.threads()) / (double) n * 100_000)));
        }
        for (Run r : runs) {
            md.append("\nLive heap by class at the last step, ").append(r.threads()).append(" threads (`jcmd PID "
                    + "GC.class_histogram`, top rows):\n\n```\n").append(r.histogram()).append("\n```\n");
        }
        return md.toString();
    }

    /** RSS (MiB) against connections, one line per thread kind, drawn with Java2D. */
    static void chart(List<Run> runs, Path png) throws IOException {
        int w = 900;
        int h = 560;
        int left = 90;
        int right = 30;
        int top = 60;
        int bottom = 70;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        double maxX = 1;
        double maxY = 1;
        for (Run r : runs) {
            for (Point p : r.points()) {
                maxX = Math.max(maxX, p.connections());
                maxY = Math.max(maxY, p.rssKiB() / 1024.0);
            }
        }
        maxX = Math.ceil(maxX / 1000) * 1000;
        double yStep = niceStep(maxY / 6);
        maxY = Math.ceil(maxY / yStep) * yStep;
        int pw = w - left - right;
        int ph = h - top - bottom;
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.setColor(Color.BLACK);
        g.drawString("Phase 3: server RSS vs idle WebSocket connections (/ws/echo)", left, 35);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        for (double y = 0; y <= maxY + 1e-9; y += yStep) {
            int py = top + ph - (int) Math.round(y / maxY * ph);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(left, py, left + pw, py);
            g.setColor(Color.DARK_GRAY);
            String s = String.format(Locale.ROOT, "%.0f", y);
            g.drawString(s, left - 10 - g.getFontMetrics().stringWidth(s), py + 5);
        }
        double xStep = niceStep(maxX / 9);
        for (double x = 0; x <= maxX + 1e-9; x += xStep) {
            int px = left + (int) Math.round(x / maxX * pw);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(px, top, px, top + ph);
            g.setColor(Color.DARK_GRAY);
            String s = String.format(Locale.ROOT, "%,.0f", x);
            g.drawString(s, px - g.getFontMetrics().stringWidth(s) / 2, top + ph + 20);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, pw, ph);
        g.drawString("open connections", left + pw / 2 - 50, h - 20);
        Graphics2D gr = (Graphics2D) g.create();
        gr.rotate(-Math.PI / 2);
        gr.drawString("server RSS (MiB)", -(top + ph / 2 + 50), 25);
        gr.dispose();
        Color[] colors = {new Color(31, 119, 180), new Color(214, 39, 40)};
        for (int i = 0; i < runs.size(); i++) {
            Run r = runs.get(i);
            g.setColor(colors[i % colors.length]);
            g.setStroke(new BasicStroke(2.5f));
            int lastX = -1;
            int lastY = -1;
            for (Point p : r.points()) {
                int px = left + (int) Math.round(p.connections() / maxX * pw);
                int py = top + ph - (int) Math.round(p.rssKiB() / 1024.0 / maxY * ph);
                if (lastX >= 0) g.drawLine(lastX, lastY, px, py);
                g.fillOval(px - 4, py - 4, 8, 8);
                lastX = px;
                lastY = py;
            }
            Point zero = r.points().getFirst();
            Point last = r.points().getLast();
            String label = String.format(Locale.ROOT, "%s threads: %.1f KiB/conn", r.threads(),
                    (last.rssKiB() - zero.rssKiB()) / (double) Math.max(1, last.connections()));
            g.fillRect(left + 20, top + 15 + i * 22, 14, 14);
            g.setColor(Color.BLACK);
            g.drawString(label, left + 42, top + 27 + i * 22);
        }
        g.dispose();
        Files.createDirectories(png.toAbsolutePath().getParent());
        ImageIO.write(img, "png", png.toFile());
    }

    private static double niceStep(double raw) {
        double mag = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-9))));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * mag >= raw) return m * mag;
        }
        return 10 * mag;
    }
}
