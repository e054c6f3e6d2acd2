package dev.streamlab.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A server under test in a process of its own, listening on 127.0.0.1 only, started by one of the factories and
 * stopped by {@link #close}: phase 2 with an I/O strategy, phase 3 (our own HTTP/1.1 server) and its benchmark
 * floor, the JDK's {@code jwebserver}, or nginx with a configuration generated into a temporary folder (nothing under
 * {@code /etc} or {@code /var} is touched).
 *
 * <p>JVM servers run with a fixed heap ({@link #heapOptions}) and the JDK's default collector (G1, what
 * {@code ./lab run phase2} gets): a fixed heap keeps GC frequency a function of the allocation rate, not of heap
 * resizing, and it is touched at start so that no first-touch page fault falls in a measured window. Without that,
 * G1 moves eden into regions it has never touched until the whole heap is resident (~20 s under the ranges load):
 * 26,500–34,000 page faults in a 10 s window on this paravirtualized machine, against fewer than 200 for the serial
 * collector, which reuses one eden (phase 3 README, Benchmarks, part 1). Their allocation is read through a
 * {@link JvmProbe}. The size is the caller's ({@link LoadHarness#DEFAULT_HEAP}, {@link WrkRanges#DEFAULT_HEAP}, or
 * {@code --heap}; on this VM a resident heap costs p99, phase 3 README, "The p99"). The factories take the JVM
 * options whole, heap included ({@link #jvmOptions}).
 */
final class ServerProcess implements ServerUnderTest {
    /** A JVM server's heap: {@code size}, fixed ({@code -Xms} = {@code -Xmx}) and pre-touched (class comment). */
    static List<String> heapOptions(String size) {
        return List.of("-Xms" + size, "-Xmx" + size, "-XX:+AlwaysPreTouch");
    }

    /** {@code value} when it is a size {@code -Xmx} takes ({@code 64m}, {@code 1g}); {@code option} names it if not. */
    static String heapSize(String value, String option) {
        if (!value.matches("[1-9][0-9]*[kKmMgG]")) {
            throw new IllegalArgumentException(option + " takes a size such as 64m or 1g, not " + value);
        }
        return value;
    }

    /** A JVM server's options: the heap's ({@link #heapOptions}), then {@code extra}. */
    static List<String> jvmOptions(String heap, List<String> extra) {
        List<String> all = new ArrayList<>(heapOptions(heap));
        all.addAll(extra);
        return all;
    }
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final Process process;
    private final URI base;
    private final Function<String, String> pathOfId;
    private final boolean phase2Metrics;
    private final Path workDir;
    private final HttpClient control;
    private JvmProbe jvm;

    private ServerProcess(String name, Process process, URI base, Function<String, String> pathOfId,
                          boolean phase2Metrics, Path workDir) {
        this.name = name;
        this.process = process;
        this.base = base;
        this.pathOfId = pathOfId;
        this.phase2Metrics = phase2Metrics;
        this.workDir = workDir;
        this.control = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /**
     * Phase 2 ({@code dev.streamlab.phase2.Phase2Main}) on {@code classpath}, with {@code --io io}.
     *
     * @throws IOException when it does not start or does not answer within 30 s
     */
    static ServerProcess phase2(String io, String classpath, Path media, Path frontend, Path workRoot,
                                List<String> jvmArgs) throws IOException, InterruptedException {
        int port = freePort();
        Path work = Files.createTempDirectory(workRoot, "phase2-" + io + "-");
        // Phase2Server.configure() sets nodelay too; said here so the command line documents the run.
        List<String> cmd = java(jvmArgs, "-Dsun.net.httpserver.nodelay=true", "-Dstreamlab.frontend=" + frontend,
                "-cp", classpath, "dev.streamlab.phase2.Phase2Main", "--host", "127.0.0.1", "--port",
                Integer.toString(port), "--media", media.toString(), "--io", io, "--quiet");
        return started("phase2 " + io, cmd, port, id -> "/videos/" + id, true, work, true);
    }

    /**
     * Phase 3 ({@code dev.streamlab.phase3.Phase3Main}, our own HTTP/1.1 server: {@code FileChannel.transferTo}) on
     * {@code classpath} (phase 3's classes and what they need: shared, phase 1, phase 2, phase 3), with
     * {@code --threads threads}. Its /metrics has phase 2's copy counters too.
     *
     * @throws IOException when it does not start or does not answer within 30 s
     */
    static ServerProcess phase3(String threads, String classpath, Path media, Path frontend, Path workRoot,
                                List<String> jvmArgs) throws IOException, InterruptedException {
        return phase3(threads, "", classpath, media, frontend, workRoot, jvmArgs);
    }

    /** {@link #phase3} named {@code "phase3 <threads><suffix>"}: a variant with extra JVM options in one table. */
    static ServerProcess phase3(String threads, String suffix, String classpath, Path media, Path frontend,
                                Path workRoot, List<String> jvmArgs) throws IOException, InterruptedException {
        int port = freePort();
        Path work = Files.createTempDirectory(workRoot, "phase3-" + threads + "-");
        List<String> cmd = java(jvmArgs, "-Dstreamlab.frontend=" + frontend, "-cp", classpath,
                "dev.streamlab.phase3.Phase3Main", "--host", "127.0.0.1", "--port", Integer.toString(port), "--media",
                media.toString(), "--threads", threads, "--quiet");
        return started("phase3 " + threads + suffix, cmd, port, id -> "/videos/" + id, true, work, true);
    }

    /**
     * Phase 3's benchmark floor ({@code dev.streamlab.bench.FloorServer}, in phase 3's test classes on
     * {@code classpath}): a virtual thread per connection and {@code transferTo}, nothing else; {@code options} pick
     * a variant ({@code --body mapped}: one gathering write from a mapping; {@code --loop selector}: selector loops
     * on platform threads), shown as {@code name}.
     *
     * @throws IOException when it does not start or does not answer within 30 s
     */
    static ServerProcess floor(String name, List<String> options, String classpath, Path media, Path workRoot,
                               List<String> jvmArgs) throws IOException, InterruptedException {
        int port = freePort();
        Path work = Files.createTempDirectory(workRoot, "phase3-floor-");
        List<String> rest = new ArrayList<>(List.of("-cp", classpath, "dev.streamlab.bench.FloorServer", "--port",
                Integer.toString(port), "--media", media.toString()));
        rest.addAll(options);
        return started(name, java(jvmArgs, rest.toArray(String[]::new)), port, id -> "/videos/" + id, false, work,
                true);
    }

    /** {@code java}, {@code jvmArgs} (heap included: {@link #jvmOptions}), then {@code rest}. */
    private static List<String> java(List<String> jvmArgs, String... rest) {
        List<String> cmd = new ArrayList<>(List.of(javaHome().resolve("bin/java").toString()));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of(rest));
        return cmd;
    }

    /** The value of an unlabelled counter on this server's /metrics (phase 2 and 3 only; -1 for other servers). */
    long metric(String metricName) throws IOException, InterruptedException {
        if (!phase2Metrics) return -1;
        String text = control.send(HttpRequest.newBuilder(base.resolve("/metrics"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        try {
            return (long) metric(text, metricName);
        } catch (IllegalStateException e) {
            return 0; // a counter without labels is exported from its first increment on: absent = never counted
        }
    }

    /**
     * The JDK's {@code jwebserver}: serves files by name, no Range support (always 200 with the whole file).
     *
     * @throws IOException when it does not start or does not answer within 30 s
     */
    static ServerProcess jwebserver(Path media, Path workRoot, List<String> jvmArgs)
            throws IOException, InterruptedException {
        int port = freePort();
        Path work = Files.createTempDirectory(workRoot, "jwebserver-");
        List<String> cmd = new ArrayList<>(List.of(javaHome().resolve("bin/jwebserver").toString()));
        jvmArgs.forEach(a -> cmd.add("-J" + a));
        cmd.addAll(List.of("-b", "127.0.0.1", "-p", Integer.toString(port), "-d", media.toAbsolutePath().toString(),
                "-o", "none"));
        return started("jwebserver", cmd, port, id -> "/" + id + ".mp4", false, work, true);
    }

    /** The nginx executable, or null when it is not installed. */
    static Path nginxExecutable() {
        return executable("nginx");
    }

    /** A program on the PATH, or in the sbin folders a non-root PATH leaves out (nginx); null when not installed. */
    static Path executable(String name) {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/usr/local/sbin").split(":")) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    /**
     * nginx as a foreground master with 2 workers, {@code sendfile on}, {@code tcp_nopush off}, no access log,
     * {@code /videos/{id}} mapped to {@code {id}.mp4} in {@code media}.
     *
     * @throws IOException when it does not start or does not answer within 30 s
     */
    static ServerProcess nginx(Path executable, Path media, Path workRoot) throws IOException, InterruptedException {
        int port = freePort();
        Path work = Files.createTempDirectory(workRoot, "nginx-");
        Path conf = work.resolve("nginx.conf");
        String m = media.toAbsolutePath().toString();
        String w = work.toAbsolutePath().toString();
        Files.writeString(conf, """
                # Generated by dev.streamlab.bench.LoadHarness for one benchmark run.
                daemon off;
                master_process on;
                worker_processes 2;
                pid %2$s/nginx.pid;
                error_log %2$s/error.log crit;
                events { worker_connections 4096; }
                http {
                    access_log off;
                    sendfile on;
                    tcp_nopush off;
                    # nginx closes a keep-alive connection after 1000 requests by default; the JDK servers never do.
                    keepalive_requests 1000000;
                    keepalive_timeout 60s;
                    client_body_temp_path %2$s/client_body;
                    proxy_temp_path %2$s/proxy;
                    fastcgi_temp_path %2$s/fastcgi;
                    uwsgi_temp_path %2$s/uwsgi;
                    scgi_temp_path %2$s/scgi;
                    types { video/mp4 mp4; }
                    default_type application/octet-stream;
                    server {
                        listen 127.0.0.1:%3$d;
                        # /videos/{id} -> {id}.mp4, the same URLs as phase 2 (Range is built in).
                        location ~ "^/videos/([a-z0-9-]+)$" {
                            alias %1$s/$1.mp4;
                        }
                    }
                }
                """.formatted(m, w, port), StandardCharsets.UTF_8);
        List<String> cmd = List.of(executable.toString(), "-p", w + "/", "-c", conf.toString(),
                "-e", w + "/error.log");
        return started("nginx", cmd, port, id -> "/videos/" + id, false, work, false);
    }

    private static ServerProcess started(String name, List<String> cmd, int port, Function<String, String> pathOfId,
                                         boolean phase2Metrics, Path work, boolean jvm)
            throws IOException, InterruptedException {
        Path log = work.resolve("server.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ServerProcess s = new ServerProcess(name, p, URI.create("http://127.0.0.1:" + port), pathOfId, phase2Metrics,
                work);
        try {
            s.awaitReady(log);
            if (jvm) s.jvm = JvmProbe.attach(p.pid());
            return s;
        } catch (IOException | InterruptedException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Polls until a one-byte range of the small file answers, the process dies, or 30 s pass. */
    private void awaitReady(Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        HttpRequest probe = HttpRequest.newBuilder(video(BenchMedia.SMALL_ID)).header("Range", "bytes=0-0")
                .timeout(Duration.ofSeconds(2)).build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with " + process.exitValue() + ": " + tail(log));
            }
            try {
                HttpResponse<Void> r = control.send(probe, HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() / 100 == 2) return;
                throw new IOException(name + " answered " + r.statusCode() + " for " + probe.uri() + ": " + tail(log));
            } catch (java.net.ConnectException e) {
                Thread.sleep(50); // not listening yet
            }
        }
        throw new IOException(name + " did not answer within " + START_TIMEOUT.toSeconds() + " s: " + tail(log));
    }

    private static String tail(Path log) {
        try {
            String s = Files.readString(log, StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? "(no output)" : s.substring(Math.max(0, s.length() - 800));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public URI video(String id) {
        return base.resolve(pathOfId.apply(id));
    }

    long pid() {
        return process.pid();
    }

    @Override
    public Snapshot snapshot() throws IOException, InterruptedException {
        ProcStats.Sample proc = ProcStats.tree(process.pid());
        long allocated = -1;
        long gcs = -1;
        if (jvm != null) {
            JvmProbe.Sample s = jvm.sample();
            allocated = s.allocatedBytes();
            gcs = s.gcCount();
        }
        long copies = -1;
        long sent = -1;
        if (phase2Metrics) {
            String text = control.send(HttpRequest.newBuilder(base.resolve("/metrics"))
                            .timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            copies = (long) metric(text, "streamlab_http_userspace_copy_bytes_total");
            sent = (long) metric(text, "streamlab_http_body_bytes_sent_by_strategy_total");
        }
        return new Snapshot(proc.cpu().total(), proc.peakRssKiB(), proc.anonRssKiB(), allocated, gcs, copies, sent);
    }

    /** The value of an unlabelled sample in Prometheus text format. */
    static double metric(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ")) return Double.parseDouble(line.substring(name.length() + 1).strip());
        }
        throw new IllegalStateException("no " + name + " in /metrics");
    }

    @Override
    public void close() {
        if (jvm != null) jvm.close();
        control.shutdownNow();
        process.destroy(); // SIGTERM: nginx's fast shutdown; the JVMs run their shutdown hooks
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        deleteTree(workDir);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(s.sorted(Comparator.reverseOrder()).toList());
            for (Path p : all) Files.deleteIfExists(p);
        } catch (IOException e) {
            // a temp folder left behind is harmless
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Path javaHome() {
        return Path.of(System.getProperty("java.home"));
    }
}
