package dev.streamlab.bench;

import dev.streamlab.testing.Await;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Phase 3 ({@code Phase3Main}) in a child JVM, as the WebSocket benchmarks ({@link WsScale}, {@link WsFanout},
 * {@link LiveViewers}) run it: a process of its own, so that its CPU, RSS and threads ({@code /proc/PID}) are the
 * server's alone and not the load generator's, which shares the two cores. On 127.0.0.1, port 0; ready when it
 * prints its {@code Open http://...} line.
 *
 * <p>Not phase 2's {@code ServerProcess}, which starts phase 3 for the range harness: that one pre-touches its heap
 * (so RSS would no longer show what each connection adds, which {@link WsScale} measures), serves the generated
 * benchmark media and has no {@code --max-connections}; these benchmarks need the bundled media and thousands of
 * connections.
 */
final class Phase3Child {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path log;
    private final URI base;

    private Phase3Child(Process process, Path log, URI base) {
        this.process = process;
        this.log = log;
        this.base = base;
    }

    /**
     * Starts phase 3 on the repository's {@code media} and {@code frontend} under {@code root}.
     *
     * @param jvmOptions     heap and system properties, before the class name
     * @param threads        {@code virtual} or {@code platform} ({@code --threads})
     * @param maxConnections {@code --max-connections}: the clients the benchmark opens, plus room for its probes
     * @throws IOException when it exits or does not print its address within 30 s (its output is in the message)
     */
    static Phase3Child start(String name, Path root, String classpath, List<String> jvmOptions, String threads,
                             int maxConnections) throws Exception {
        Path log = Files.createTempFile("phase3-" + name, ".log");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin/java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-Dstreamlab.frontend=" + root.resolve("frontend"), "-cp", classpath,
                "dev.streamlab.phase3.Phase3Main", "--host", "127.0.0.1", "--port", "0",
                "--media", root.resolve("media").toString(), "--threads", threads,
                "--max-connections", Integer.toString(maxConnections), "--quiet"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            return new Phase3Child(p, log, awaitAddress(p, log));
        } catch (Exception e) {
            stop(p, log);
            throw e;
        }
    }

    URI base() {
        return base;
    }

    long pid() {
        return process.pid();
    }

    /** Stops the server (TERM, then KILL after 10 s) and deletes its log. */
    void stop() throws IOException, InterruptedException {
        stop(process, log);
    }

    /** Closes the benchmark's client sockets, each whatever the others do. */
    static void closeAll(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private static URI awaitAddress(Process p, Path log) throws Exception {
        AtomicReference<URI> address = new AtomicReference<>();
        boolean ready = Await.until(START_TIMEOUT, () -> {
            if (!p.isAlive()) throw new IOException("phase 3 exited: " + Files.readString(log));
            for (String line : Files.readAllLines(log)) {
                if (line.startsWith("Open http://")) address.set(URI.create(line.split("\\s+")[1]));
            }
            return address.get() != null;
        });
        if (!ready) {
            throw new IOException("phase 3 did not start within " + START_TIMEOUT.toSeconds() + " s: "
                    + Files.readString(log));
        }
        return address.get();
    }

    private static void stop(Process p, Path log) throws IOException, InterruptedException {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        Files.deleteIfExists(log);
    }
}
