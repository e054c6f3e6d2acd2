package dev.streamlab.stream.ws;

import dev.streamlab.catalog.Catalog;
import dev.streamlab.metrics.Counter;
import dev.streamlab.metrics.MetricsRegistry;
import dev.streamlab.websocket.WsCloseCodes;
import dev.streamlab.websocket.WsEvent;
import dev.streamlab.websocket.server.WsConnection;
import dev.streamlab.websocket.server.WsEndpoint;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code /ws/stream}: video on demand over one WebSocket, for a MediaSource player (issue 5; the protocol is
 * {@code phase3-websocket/PROTOCOL.md}). Each connection gets a {@link StreamSession}: control messages are
 * handled on the connection's reader thread, segments go out from the session's own virtual thread.
 *
 * <p>Exported at {@code /metrics} as {@code streamlab_ws_stream_*}; the player offers its WebSocket mode only when
 * it finds these names there (phase 2 has none), see {@code frontend/README.md}.
 */
public final class StreamEndpoint implements WsEndpoint {
    /** The path Phase3Main registers. */
    public static final String PATH = "/ws/stream";

    private final Catalog catalog;
    private final Meters meters;
    private final Map<WsConnection, StreamSession> sessions = new ConcurrentHashMap<>();

    private StreamEndpoint(Catalog catalog, MetricsRegistry registry) {
        this.catalog = catalog;
        this.meters = new Meters(registry);
        registry.gauge("streamlab_ws_stream_sessions", "Open /ws/stream connections.", sessions::size);
    }

    /**
     * An endpoint streaming the videos of {@code catalog}, metered into {@code registry}.
     *
     * @throws IllegalArgumentException if {@code registry} already has the {@code streamlab_ws_stream_*} names
     */
    public static StreamEndpoint create(Catalog catalog, MetricsRegistry registry) {
        return new StreamEndpoint(catalog, registry);
    }

    @Override
    public void opened(WsConnection connection) {
        sessions.put(connection, new StreamSession(connection, catalog, meters));
    }

    @Override
    public void message(WsConnection connection, WsEvent message) throws IOException {
        StreamSession s = sessions.get(connection);
        if (s == null) return;
        switch (message) {
            case WsEvent.Text t -> s.onText(t.text());
            // RFC 6455 §7.4.1: 1003 "received a type of data it cannot accept" — clients send only JSON text.
            default -> connection.close(WsCloseCodes.UNSUPPORTED_DATA, "send JSON text messages");
        }
    }

    @Override
    public void closed(WsConnection connection, int code) {
        StreamSession s = sessions.remove(connection);
        if (s != null) s.closed();
    }

    /** The endpoint's counters; sessions feed them. */
    static final class Meters {
        private final Counter messages;
        private final Counter bytes;
        private final Counter mapped;
        private final Counter bad;

        Meters(MetricsRegistry registry) {
            messages = registry.counter("streamlab_ws_stream_segments_total",
                    "Binary messages (init and media segments) sent on /ws/stream.");
            bytes = registry.counter("streamlab_ws_stream_bytes_total",
                    "Payload bytes of those messages (24-byte header + fMP4).");
            mapped = registry.counter("streamlab_ws_stream_mapped_bytes_total",
                    "Of those, sample bytes written straight from the mapped file: 0 user-space copies.");
            bad = registry.counter("streamlab_ws_stream_bad_messages_total",
                    "Control messages answered with an error (malformed, unknown, out of order).");
            registry.gauge("streamlab_ws_stream_copies_per_byte", "User-space copies per byte sent on /ws/stream:"
                    + " headers, moof and init segments are heap buffers (1 JDK copy), samples are mapped (0).",
                    () -> bytes.total() == 0 ? 0 : (double) (bytes.total() - mapped.total()) / bytes.total());
        }

        void sent(int count, long total, long mappedBytes) {
            if (count == 0) return;
            messages.add(count);
            bytes.add(total);
            mapped.add(mappedBytes);
        }

        void badMessage() {
            bad.inc();
        }
    }
}
