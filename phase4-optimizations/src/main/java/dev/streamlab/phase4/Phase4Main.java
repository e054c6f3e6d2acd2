package dev.streamlab.phase4;

import dev.streamlab.mjpeg.FrameProcessing;
import dev.streamlab.phase3.Phase3Main;
import dev.streamlab.phase3.Phase3Server;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./lab run phase4}: phase 3's server (player, ranges over sendfile, WebSocket VOD and live) plus phase 4's
 * pages, each installed by its own class as extra routes and WebSocket endpoints.
 */
public final class Phase4Main {
    private Phase4Main() {}

    public static void main(String[] args) throws InterruptedException {
        Phase3Server server = start(System.out, System.err, args);
        if (server == null) System.exit(1);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        new CountDownLatch(1).await(); // serve until Ctrl-C
    }

    /** Parses {@code args} as phase 3 does and starts the server; prints why and returns null when it cannot. */
    static Phase3Server start(PrintStream out, PrintStream err, String... args) {
        return Phase3Main.start(out, err, "phase4", (server, ws) -> {
            // Phase 4's routes are installed here, one line per feature.
            // Frame processing: /mjpeg/{id}, /ws/processed/{id}, /thumbs/{id}/... from .y4m proxies (processed.html).
            FrameProcessing.install(server, ws);
        }, args);
    }
}
