package dev.streamlab.websocket.server;

import dev.streamlab.http1.Http1Request;
import dev.streamlab.http1.Http1Response;
import dev.streamlab.http1.Http1Upgrade;
import dev.streamlab.http1.UpgradeHandler;
import dev.streamlab.http1.WorkBudget;
import dev.streamlab.websocket.WsHandshake;
import dev.streamlab.websocket.WsLimits;
import dev.streamlab.websocket.deflate.DeflateEvents;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * Routes {@code /ws/...} upgrades to endpoints: the RFC 6455 §4.2 handshake ({@link WsHandshake}: version 13,
 * key, Origin allow-list), then a {@link WsSession} on the connection's own virtual thread.
 *
 * <p>An endpoint is registered for an exact path ({@code /ws/echo}) or a prefix ending in {@code /}
 * ({@code /ws/topic/}); a prefix endpoint is created per request from the rest of the path.
 */
public final class WsEndpoints implements UpgradeHandler {
    /**
     * What all peers of one server together may ask of it: eight peers' caps' worth ({@code WsSession.CAP_EVENTS} per
     * {@code WsSession.CAP_WINDOW}: 51,200 messages and control frames a second), a tenth of a second of it kept for
     * bursts, however many connections flood ({@link WorkBudget}). The players send one a second each (their stats),
     * so 5,000 viewers use a tenth of it.
     */
    public static final int SHARED_EVENTS_PER_SECOND = 8 * WsSession.CAP_EVENTS
            * (int) (1_000 / WsSession.CAP_WINDOW.toMillis());
    static final Duration SHARED_BURST = Duration.ofMillis(100);

    private final WsHandshake handshake;
    private final WsLimits limits;
    private final Duration heartbeat;
    private final Map<String, WsEndpoint> exact = new ConcurrentHashMap<>();
    private final Map<String, BiFunction<String, String, WsEndpoint>> prefixes = new ConcurrentHashMap<>();
    private volatile DeflateEvents deflateEvents = DeflateEvents.NONE;
    private volatile Runnable overCap = () -> { };
    /** One for all this router's sessions: the rate all their peers together may ask for (WsSession). */
    private final WorkBudget shared = new WorkBudget(SHARED_EVENTS_PER_SECOND, SHARED_BURST);

    public WsEndpoints(WsHandshake handshake, WsLimits limits, Duration heartbeat) {
        this.handshake = handshake;
        this.limits = limits;
        this.heartbeat = heartbeat;
    }

    /** Where permessage-deflate reports what it did (e.g. {@code /metrics}); the handshake decides whether it is used. */
    public WsEndpoints observeDeflate(DeflateEvents events) {
        this.deflateEvents = java.util.Objects.requireNonNull(events, "events");
        return this;
    }

    /**
     * Run (on the connection's thread; thread-safe and cheap) each time a peer asks for more than the read loop's
     * cap, or all peers together for more than their shared budget, and is made to wait ({@code WsSession.CAP_EVENTS},
     * {@link dev.streamlab.http1.WorkCap}, {@link WorkBudget}).
     */
    public WsEndpoints onOverCap(Runnable counter) {
        this.overCap = java.util.Objects.requireNonNull(counter, "counter");
        return this;
    }

    public WsEndpoints register(String path, WsEndpoint endpoint) {
        exact.put(path, endpoint);
        return this;
    }

    /** The endpoint registered for exactly {@code path}, e.g. for phase 4 to wrap it with an observer. */
    public java.util.Optional<WsEndpoint> endpoint(String path) {
        return java.util.Optional.ofNullable(exact.get(path));
    }

    /**
     * {@code factory} gets the path after {@code prefix} (e.g. the topic name) and the raw query (or null), and
     * returns the endpoint for this one connection; null means 404.
     */
    public WsEndpoints registerPrefix(String prefix, BiFunction<String, String, WsEndpoint> factory) {
        if (!prefix.endsWith("/")) throw new IllegalArgumentException("a prefix ends with '/': " + prefix);
        prefixes.put(prefix, factory);
        return this;
    }

    @Override
    public boolean upgrade(Http1Request request, Http1Upgrade connection) throws IOException {
        WsEndpoint endpoint = find(request.path(), request.query());
        if (endpoint == null) return false; // the router answers 404
        switch (handshake.evaluate(request.method(), request::header)) {
            case WsHandshake.Accept a -> {
                Http1Response ok = new Http1Response(101);
                a.headers().forEach(ok::set);
                connection.respond(ok);
                // Run after the HTTP exchange unwinds: an idle connection then keeps neither the upgrade request
                // nor the router's stack frames (Http1Upgrade.handOff).
                WsSession session = new WsSession(connection, endpoint, endpoint.limits(limits), heartbeat, a.deflate().orElse(null),
                        deflateEvents, overCap, shared);
                connection.handOff(session::run);
            }
            case WsHandshake.Reject r -> {
                byte[] body = ("{\"status\":" + r.status() + ",\"error\":\"" + r.reason().replace("\"", "'")
                        + "\"}").getBytes(StandardCharsets.UTF_8);
                Http1Response no = new Http1Response(r.status());
                r.headers().forEach(no::set);
                no.set("Content-Type", "application/json").set("Content-Length", Integer.toString(body.length))
                        .set("Connection", "close");
                connection.respond(no);
                connection.write(ByteBuffer.wrap(body));
            }
        }
        return true;
    }

    /**
     * Whether {@code path} has an endpoint: a registered one, or one a prefix's factory makes for it (asked with no
     * query; it may refuse, as the live endpoint does for a video not in the catalog). Factories only build an
     * object here; nothing starts until a connection opens.
     */
    @Override
    public boolean accepts(String path) {
        return find(path, null) != null;
    }

    private WsEndpoint find(String path, String query) {
        WsEndpoint e = exact.get(path);
        if (e != null) return e;
        for (var p : prefixes.entrySet()) {
            if (path.startsWith(p.getKey()) && path.length() > p.getKey().length()) {
                return p.getValue().apply(path.substring(p.getKey().length()), query);
            }
        }
        return null;
    }
}
