package dev.streamlab.bench;

import dev.streamlab.phase2.Phase2Server;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Phase 2 started inside this JVM on an ephemeral loopback port: the smoke test's server. Its CPU, memory and
 * allocation are not reported (they would include the load generator's); the copy counters are read directly.
 */
final class InProcessPhase2 implements ServerUnderTest {
    // Held so the level sticks (the logging framework keeps loggers weakly): a line per request would measure the
    // console, not the server. Phase2Main --quiet does the same.
    private static final Logger ACCESS_LOG = Logger.getLogger("streamlab.access");

    private final Phase2Server server;
    private final String io;

    private InProcessPhase2(Phase2Server server, String io) {
        this.server = server;
        this.io = io;
    }

    /**
     * @throws IOException when the port cannot be bound or a folder cannot be read
     */
    static InProcessPhase2 start(Path media, Path frontend, String io) throws IOException {
        Phase2Server.configure();
        ACCESS_LOG.setLevel(Level.WARNING);
        return new InProcessPhase2(Phase2Server.start("127.0.0.1", 0, media,
                new Phase2Server.Settings(io, 30_000, frontend)), io);
    }

    @Override
    public String name() {
        return "phase 2 in-process (" + io + ")";
    }

    @Override
    public URI video(String id) {
        return server.uri().resolve("videos/" + id);
    }

    @Override
    public Snapshot snapshot() {
        return new Snapshot(Double.NaN, -1, -1, -1, -1, server.provenance().bytesCopied(),
                server.provenance().bytesSent());
    }

    @Override
    public void close() {
        server.close();
    }
}
