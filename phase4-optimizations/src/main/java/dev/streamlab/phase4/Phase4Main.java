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
        Phase3Server started = Phase3Main.start(out, err, "phase4", (server, ws) -> {
            // Phase 4's routes are installed here, one line per feature.
            dev.streamlab.cache.CacheRoutes.install(server, dev.streamlab.cache.CacheRoutes.configuredBytes());
            dev.streamlab.dashboard.ClientLevels levels = dev.streamlab.dashboard.DashboardRoute.install(server);
            // The dashboard's per-client buffer levels: the VOD endpoint, observed (messages pass on unchanged).
            ws.endpoint("/ws/stream").ifPresent(e -> ws.register("/ws/stream", levels.observe(e)));
            // Frame processing: /mjpeg/{id}, /ws/processed/{id}, /thumbs/{id}/... from .y4m proxies (processed.html).
            FrameProcessing.install(server, ws);
        }, args);
        if (started != null) {
            out.println("Dashboard: " + started.uri() + "dashboard   (chunk cache: " + started.uri()
                    + "cached/videos/{id}, cached/segments/{id}/video/{n})");
        }
        return started;
    }
}
