package dev.streamlab.dashboard;

import dev.streamlab.http1.Http1Exchange;
import dev.streamlab.http1.Http1Handler;
import dev.streamlab.stream.ws.ControlMessage;
import dev.streamlab.websocket.WsEvent;
import dev.streamlab.websocket.WsLimits;
import dev.streamlab.websocket.server.WsConnection;
import dev.streamlab.websocket.server.WsEndpoint;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-client buffer levels for the dashboard, read from the {@code {"type":"stats","buffered_s":…,"t":…}} messages
 * the player sends on {@code /ws/stream} (PROTOCOL.md): {@link #observe} wraps an endpoint, notes each stats message
 * and passes every message on unchanged. {@code GET /api/dashboard/clients} lists them as JSON; the registry has no
 * labelled gauges, and one series per connection does not belong in {@code /metrics} anyway.
 *
 * <p>Lag: how far a client's playhead has fallen behind the wall clock since playback began ({@link PlayheadLag}):
 * 0 for smooth playback, growing with every stall or pause, the latency a live viewer would have accumulated.
 *
 * <p>Wiring: phase 3 registers {@code /ws/stream}; {@code Phase4Main} takes that endpoint back from {@code WsEndpoints}
 * and registers it again wrapped by {@link #observe}. Until something is observed ({@code "observing": false}: a
 * server without {@code /ws/stream}) the dashboard's tile says there is nothing to observe.
 */
public final class ClientLevels {
    public static final String PATH = "/api/dashboard/clients";
    /** A stats message is tiny; anything larger is not parsed here (the endpoint itself judges it). */
    private static final int MAX_STATS = 1024;

    /** One client's latest report. */
    public record Level(String client, double bufferedSeconds, double playhead, double lagSeconds,
                        double ageSeconds) {}

    private static final class Tracked {
        final String name;
        final PlayheadLag lag = new PlayheadLag(); // written by the connection's thread only
        volatile double buffered = Double.NaN;
        volatile double t = Double.NaN;
        volatile double lagSeconds = Double.NaN;
        volatile long atNanos;

        Tracked(String name) {
            this.name = name;
        }
    }

    /**
     * Lag from a client's reports, each a playhead {@code t} at a wall-clock instant: {@code (wall time since the
     * base report) − (t − base t)}, computed when a report arrives (so a report's age is not counted as lag; the
     * table shows the age apart). The base is the first report until the playhead first moves, then the report where
     * it moved: the wait for the first frame is a startup delay, not lag (it showed as a constant 2 s on a smoothly
     * playing tab), yet a client stuck before its first frame shows its wait growing.
     */
    static final class PlayheadLag {
        private double baseT = Double.NaN;
        private long baseNanos;
        private boolean playing;

        /** Notes a report of playhead {@code t} at {@code nanos} ({@link System#nanoTime()}); returns the lag in s. */
        double report(double t, long nanos) {
            if (Double.isNaN(t)) return Double.NaN;
            if (Double.isNaN(baseT) || (!playing && t > baseT)) {
                playing = !Double.isNaN(baseT);
                baseT = t;
                baseNanos = nanos;
            }
            return Math.max(0, (nanos - baseNanos) / 1e9 - (t - baseT));
        }
    }

    private final Map<WsConnection, Tracked> clients = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile boolean observing;

    /** {@code inner} with its stats messages noted; every event still reaches {@code inner} as it came. */
    public WsEndpoint observe(WsEndpoint inner) {
        observing = true;
        return new WsEndpoint() {
            @Override
            public void opened(WsConnection c) throws IOException {
                clients.put(c, new Tracked("client-" + ids.incrementAndGet()));
                inner.opened(c);
            }

            @Override
            public void message(WsConnection c, WsEvent message) throws IOException {
                if (message instanceof WsEvent.Text text && text.payload().remaining() <= MAX_STATS) {
                    note(clients.get(c), text.text());
                }
                inner.message(c, message);
            }

            @Override
            public void closed(WsConnection c, int code) {
                clients.remove(c);
                inner.closed(c, code);
            }

            @Override
            public WsLimits limits(WsLimits server) {
                return inner.limits(server);
            }
        };
    }

    private static void note(Tracked k, String json) {
        if (k == null || !json.contains("stats")) return;
        // The endpoint's own parser and rules: a report it answers with an error (a negative buffer, a playhead of
        // -5 s) must not become a row here either, or any client could put a fake "about to stall" at the top.
        if (!(ControlMessage.parse(json) instanceof ControlMessage.Stats s)) return;
        long now = System.nanoTime();
        k.lagSeconds = k.lag.report(s.currentTime(), now);
        k.buffered = s.bufferedSeconds();
        k.t = s.currentTime();
        k.atNanos = now;
    }

    /** Clients that have reported, lowest buffer first (the ones about to stall). */
    public List<Level> snapshot() {
        long now = System.nanoTime();
        List<Level> out = new ArrayList<>();
        for (Tracked k : clients.values()) {
            if (Double.isNaN(k.buffered)) continue;
            out.add(new Level(k.name, k.buffered, k.t, k.lagSeconds, (now - k.atNanos) / 1e9));
        }
        out.sort(Comparator.comparingDouble(Level::bufferedSeconds));
        return out;
    }

    /** {@code GET /api/dashboard/clients}: {@code {"observing": bool, "clients": [...]}}. */
    public Http1Handler route() {
        return this::handle;
    }

    private void handle(Http1Exchange ex) throws IOException {
        if (!ex.request().path().equals(PATH)) {
            ex.error(404, "not found");
            return;
        }
        if (!ex.method().equals("GET") && !ex.method().equals("HEAD")) {
            ex.header("Allow", "GET, HEAD");
            ex.error(405, "use GET or HEAD");
            return;
        }
        List<Object> list = new ArrayList<>();
        for (Level l : snapshot()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("client", l.client());
            m.put("buffered_s", round(l.bufferedSeconds()));
            m.put("t", round(l.playhead()));
            m.put("lag_s", round(l.lagSeconds()));
            m.put("age_s", round(l.ageSeconds()));
            list.add(m);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("observing", observing);
        body.put("clients", list);
        ex.json(200, body);
    }

    /**
     * Three decimals; NaN (not reported) as null, which JSON can carry. Beyond 2^53 / 1000 a double has no
     * thousandths to round, and {@code Math.round} would saturate at {@code Long.MAX_VALUE} (1e308 shown as 9.2e15).
     */
    private static Object round(double v) {
        if (!Double.isFinite(v)) return null;
        return Math.abs(v) < 9e12 ? Math.round(v * 1000) / 1000.0 : v;
    }
}
