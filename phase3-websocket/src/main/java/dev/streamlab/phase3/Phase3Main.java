package dev.streamlab.phase3;

import dev.streamlab.websocket.WsHandshake;
import dev.streamlab.websocket.WsLimits;
import dev.streamlab.websocket.hub.Hub;
import dev.streamlab.websocket.hub.TopicEndpoint;
import dev.streamlab.websocket.deflate.PerMessageDeflate;
import dev.streamlab.websocket.server.EchoEndpoint;
import dev.streamlab.websocket.server.WsEndpoints;
import java.time.Duration;

import dev.streamlab.http1.Http1Settings;
import dev.streamlab.shared.cli.LaunchOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;

/**
 * {@code ./lab run phase3 [--threads virtual|platform] [--max-connections N] [--quiet]}: phase 2's video server on
 * our own HTTP/1.1 server. {@code --threads platform} runs a platform thread per connection instead of a virtual
 * one, for the benchmark that compares them.
 */
public final class Phase3Main {
    /** A Ping every 30 s; a peer silent for two of them is dropped. */
    static final Duration HEARTBEAT = Duration.ofSeconds(30);

    private Phase3Main() {}

    /** The usage line of {@code ./lab run NAME}: phase 4 takes phase 3's options. */
    public static String usage(String name) {
        return ("usage: ./lab run " + name + " " + LaunchOptions.USAGE
                + " [--threads virtual|platform] [--max-connections N] [--quiet]\n" + LaunchOptions.OPTIONS
                + "  --threads KIND   a virtual or a platform thread per connection (default virtual)\n"
                + "  --max-connections N  connections served at once; more wait in the backlog (default "
                + Http1Settings.DEFAULTS.maxConnections() + ")\n"
                + "  --quiet          no access log").stripTrailing();
    }

    public static void main(String[] args) throws InterruptedException {
        if (LaunchOptions.wantsHelp(args)) {
            System.out.println(usage("phase3"));
            return;
        }
        Phase3Server server = start(System.out, System.err, args);
        if (server == null) System.exit(1);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        new CountDownLatch(1).await(); // serve until Ctrl-C
    }

    /** What a later phase adds to phase 3's server before it is announced: routes and WebSocket endpoints. */
    @FunctionalInterface
    public interface Extension {
        void install(Phase3Server server, WsEndpoints webSockets) throws IOException;
    }

    /** Parses {@code args} and starts a server; prints why and returns null when it cannot. */
    static Phase3Server start(PrintStream out, PrintStream err, String... args) {
        return start(out, err, "phase3", (server, ws) -> {}, args);
    }

    /**
     * Phase 3's server with {@code extension} installed (phase 4 runs through here with its own routes); {@code name}
     * prefixes error messages. Prints why and returns null when it cannot start.
     */
    public static Phase3Server start(PrintStream out, PrintStream err, String name, Extension extension,
                                     String... args) {
        try {
            LaunchOptions opt = LaunchOptions.parse(List.of(args), LaunchOptions.bundledMedia());
            Http1Settings http = Http1Settings.DEFAULTS;
            boolean quiet = false;
            List<String> rest = opt.rest();
            for (int i = 0; i < rest.size(); i++) {
                switch (rest.get(i)) {
                    case "--threads" -> http = http.withThreads(Http1Settings.Threads.parse(value(rest, ++i, "--threads")));
                    case "--max-connections" -> {
                        String v = value(rest, ++i, "--max-connections");
                        int n;
                        try {
                            n = Integer.parseInt(v);
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("--max-connections needs a number, got '" + v + "'");
                        }
                        if (n < 1) throw new IllegalArgumentException("--max-connections must be at least 1, got " + n);
                        http = http.withMaxConnections(n);
                    }
                    case "--quiet" -> quiet = true;
                    default -> throw new IllegalArgumentException("unknown argument " + rest.get(i) + "\n" + usage(name));
                }
            }
            Path frontend = Path.of(System.getProperty("streamlab.frontend",
                    opt.media().resolveSibling("frontend").toString()));
            if (!Files.isDirectory(frontend)) throw new IllegalArgumentException("frontend folder " + frontend
                    + " not found (set -Dstreamlab.frontend)");
            AccessLog.installOneLineFormat(quiet ? Level.WARNING : Level.INFO);
            Phase3Server server = Phase3Server.start(opt.host(), opt.port(), opt.media(),
                    new Phase3Server.Settings(frontend, http));
            WsEndpoints ws = webSockets(server);
            try {
                extension.install(server, ws);
            } catch (IOException | RuntimeException e) {
                server.close();
                throw e;
            }
            server.setUpgradeHandler(ws);
            out.println(("phase3".equals(name) ? "Phase 3" : name.replaceFirst("^phase(\\d)$", "Phase $1") + ", on phase 3's server")
                    + " — our own HTTP/1.1 server (" + http.threads().name().toLowerCase(java.util.Locale.ROOT)
                    + " thread per connection, sendfile), serving " + opt.media());
            out.println("Open " + server.uri() + "   (catalog: " + server.uri() + "api/videos, metrics: "
                    + server.uri() + "metrics, WebSocket echo: ws://" + server.uri().getAuthority()
                    + "/ws/echo, topics: ws://" + server.uri().getAuthority() + TopicEndpoint.PREFIX
                    + "{name}; Ctrl-C stops)");
            // Shareable player links for the modes a student would try first (the player's URL scheme).
            server.catalog().list().stream().filter(e -> e.ok()).findFirst().ifPresent(first -> {
                String live = server.catalog().find("ladder-30s-720p").isPresent() ? "ladder-30s-720p" : first.id();
                out.println("WebSocket VOD: " + server.uri() + "?v=" + first.id() + "&mode=ws   live channel: "
                        + server.uri() + "?channel=" + live + "&mode=live");
            });
            return server;
        } catch (IllegalArgumentException | IOException e) {
            err.println(name + ": " + LaunchOptions.startFailure(e));
        }
        return null;
    }

    /**
     * Phase 3's WebSocket endpoints on {@code server}: echo (conformance), VOD streaming, the broadcast hub's topics.
     * Returned unregistered so phase 4 can add its own before {@link Phase3Server#setUpgradeHandler}.
     */
    public static WsEndpoints webSockets(Phase3Server server) {
        Hub hub = Phase3Metrics.meteredHub(server.metrics());
        // permessage-deflate (RFC 7692) is offered to every path, but only used where a sender asks per message
        // (JSON control/metrics); video goes out uncompressed and zero-copy. See dev.streamlab.websocket.deflate.
        return new WsEndpoints(WsHandshake.sameOrigin().withPermessageDeflate(PerMessageDeflate.Config.DEFAULT),
                WsLimits.DEFAULT, HEARTBEAT)
                .observeDeflate(Phase3Metrics.deflateMetrics(server.metrics()))
                .onOverCap(Phase3Metrics.overCapMetric(server.metrics()))
                .register("/ws/echo", new EchoEndpoint())
                .register("/ws/stream", dev.streamlab.stream.ws.StreamEndpoint.create(server.catalog(), server.metrics()))
                .registerPrefix(TopicEndpoint.PREFIX, TopicEndpoint.factory(hub))
                .registerPrefix(dev.streamlab.stream.live.LiveEndpoint.PREFIX, dev.streamlab.stream.live.LiveEndpoint
                        .create(server.catalog(), server.metrics(),
                                dev.streamlab.stream.live.LiveConfig.fromSystemProperties()).factory());
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) throw new IllegalArgumentException(option + " needs a value");
        return args.get(i);
    }
}
