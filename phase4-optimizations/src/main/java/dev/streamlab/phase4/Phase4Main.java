package dev.streamlab.phase4;

import dev.streamlab.cache.CacheKey;
import dev.streamlab.cache.CacheRoutes;
import dev.streamlab.cache.ChunkCache;
import dev.streamlab.cache.StreamSegments;
import dev.streamlab.mjpeg.FrameProcessing;
import dev.streamlab.phase3.Phase3Main;
import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.shared.cli.LaunchOptions;
import dev.streamlab.stream.ws.StreamEndpoint;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./lab run phase4}: phase 3's server (player, ranges over sendfile, WebSocket VOD and live) plus phase 4's
 * pages, each installed by its own class as extra routes and WebSocket endpoints.
 */
public final class Phase4Main {
    private Phase4Main() {}

    public static void main(String[] args) throws InterruptedException {
        if (LaunchOptions.wantsHelp(args)) {
            System.out.println(Phase3Main.usage("phase4"));
            return;
        }
        Phase3Server server = start(System.out, System.err, args);
        if (server == null) System.exit(1);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        new CountDownLatch(1).await(); // serve until Ctrl-C
    }

    /** Parses {@code args} as phase 3 does and starts the server; prints why and returns null when it cannot. */
    static Phase3Server start(PrintStream out, PrintStream err, String... args) {
        Phase3Server started = Phase3Main.start(out, err, "phase4", (server, ws) -> {
            // Phase 4's routes are installed here, one line per feature.
            ChunkCache<CacheKey> cache = CacheRoutes.install(server, CacheRoutes.configuredBytes());
            // The chunk cache backs what is computed: /ws/stream's fMP4 segments come from it instead of the tracks'
            // rings (StreamSegments). /videos stays on sendfile: for plain file ranges the page cache already does
            // this job (README, "Chunk cache": a cache holding a third of the catalog only ties sendfile, 0.95-1.19x).
            ws.endpoint(StreamEndpoint.PATH).map(StreamEndpoint.class::cast).orElseThrow()
                    .useSegments(new StreamSegments(cache));
            dev.streamlab.dashboard.ClientLevels levels = dev.streamlab.dashboard.DashboardRoute.install(server);
            // The dashboard's per-client buffer levels: the VOD endpoint, observed (messages pass on unchanged).
            ws.endpoint(StreamEndpoint.PATH).ifPresent(e -> ws.register(StreamEndpoint.PATH, levels.observe(e)));
            // Frame processing: /mjpeg/{id}, /ws/processed/{id}, /thumbs/{id}/... from .y4m proxies (processed.html).
            FrameProcessing.install(server, ws);
        }, args);
        if (started != null) {
            out.println("Dashboard: " + started.uri() + "dashboard   (chunk cache: /ws/stream's segments, "
                    + started.uri() + "cached/videos/{id}, cached/segments/{id}/video/{n})");
        }
        return started;
    }
}
