package dev.streamlab.stream.ws;

import dev.streamlab.catalog.Catalog;
import dev.streamlab.metrics.Counter;
import dev.streamlab.metrics.MetricsRegistry;
import dev.streamlab.websocket.WsCloseCodes;
import dev.streamlab.websocket.WsEvent;
import dev.streamlab.websocket.WsLimits;
import dev.streamlab.websocket.server.WsConnection;
import dev.streamlab.websocket.server.WsEndpoint;
import java.io.IOException;
import java.time.Duration;
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
    private final Settings settings;
    private final Meters meters;
    private final Map<WsConnection, StreamSession> sessions = new ConcurrentHashMap<>();
    /** One remux per video for every connection (and so one segment ring per track): see {@link SharedRemuxers}. */
    private final SharedRemuxers remuxers = new SharedRemuxers(32);
    /** Where media segments come from: each track's ring here; phase 4 installs its chunk cache. */
    private volatile SegmentSource segments = SegmentSource.RING;
    private volatile long throttleBps;

    /**
     * Pacing and slow-client bounds (PROTOCOL.md, "Pacing" and "Slow clients").
     *
     * @param lowS        refill when the client's buffer falls to this many seconds
     * @param highS       fill up to this many seconds ahead of the client's playhead (also the pre-buffer)
     * @param skipLagS    the next segment to send starts this many seconds before the real-time schedule: skip
     * @param maxSkips    more skips than this within {@code skipWindow} closes the connection with 1008
     * @param skipWindow  see {@code maxSkips}
     * @param throttleBps the lab's link emulator: the sender waits after each write as a link of this many bits/s
     *                    would; 0 = off (always, outside tests and lab runs)
     */
    public record Settings(double lowS, double highS, double skipLagS, int maxSkips, Duration skipWindow,
                           long throttleBps) {
        /** Low 4 s, high 10 s, skip when 3 s behind, close after 3 skips in 60 s, no throttle. */
        public static final Settings DEFAULTS = new Settings(4, 10, 3, 3, Duration.ofSeconds(60), 0);

        public Settings {
            if (!(lowS > 0 && highS > lowS)) throw new IllegalArgumentException("need 0 < low < high");
            if (!(skipLagS > 0) || maxSkips < 0 || skipWindow.isNegative() || throttleBps < 0) {
                throw new IllegalArgumentException("bad slow-client settings");
            }
        }
    }

    private StreamEndpoint(Catalog catalog, MetricsRegistry registry, Settings settings) {
        this.catalog = catalog;
        this.settings = settings;
        this.throttleBps = settings.throttleBps();
        this.meters = new Meters(registry);
        registry.gauge("streamlab_ws_stream_sessions", "Open /ws/stream connections.", sessions::size);
        registry.gauge("streamlab_ws_stream_remuxes", "Videos remuxed for /ws/stream (one per file, shared by every"
                + " connection and rung).", () -> remuxers.opensAndRemuxes()[1]);
        registry.gauge("streamlab_ws_stream_remux_opens", "Remuxed videos asked for by connections (opens"
                + " minus remuxes = opens served by a shared remuxer).", () -> remuxers.opensAndRemuxes()[0]);
        registry.gauge("streamlab_ws_stream_segment_ring_hits", "Media segments served from a track's ring of recently"
                + " built segments (another viewer at the same position built it).",
                () -> remuxers.ringHitsAndMisses()[0]);
        registry.gauge("streamlab_ws_stream_segment_ring_misses", "Media segments built for /ws/stream (not in the"
                + " ring).", () -> remuxers.ringHitsAndMisses()[1]);
    }

    /**
     * An endpoint streaming the videos of {@code catalog}, metered into {@code registry}, with
     * {@link Settings#DEFAULTS}.
     *
     * @throws IllegalArgumentException if {@code registry} already has the {@code streamlab_ws_stream_*} names
     */
    public static StreamEndpoint create(Catalog catalog, MetricsRegistry registry) {
        return create(catalog, registry, Settings.DEFAULTS);
    }

    /** {@link #create(Catalog, MetricsRegistry)} with other pacing and slow-client settings. */
    public static StreamEndpoint create(Catalog catalog, MetricsRegistry registry, Settings settings) {
        return new StreamEndpoint(catalog, registry, settings);
    }

    /**
     * Sets the link emulator for every connection, now and later: bits/s, 0 = off. For tests and lab runs that
     * need a slow link the browser's own emulation cannot give (see PROTOCOL.md, "Slow clients").
     */
    public void throttle(long bitsPerSecond) {
        if (bitsPerSecond < 0) throw new IllegalArgumentException("bits/s >= 0");
        throttleBps = bitsPerSecond;
    }

    long throttleBps() {
        return throttleBps;
    }

    /**
     * Takes media segments from {@code source} instead of the tracks' rings ({@link SegmentSource#RING}), for every
     * segment sent from now on. Phase 4 installs its shared chunk cache this way.
     */
    public StreamEndpoint useSegments(SegmentSource source) {
        segments = java.util.Objects.requireNonNull(source, "source");
        return this;
    }

    SegmentSource segments() {
        return segments;
    }

    Settings settings() {
        return settings;
    }

    SharedRemuxers remuxers() {
        return remuxers;
    }

    Meters meters() {
        return meters;
    }

    /** Clients send only JSON control messages of at most 4 KiB (PROTOCOL.md): a longer one is a 1009. */
    @Override
    public WsLimits limits(WsLimits server) {
        return ControlMessage.LIMITS;
    }

    @Override
    public void opened(WsConnection connection) {
        sessions.put(connection, new StreamSession(connection, catalog, this));
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
        private final Counter skips;
        private final Counter dropped;
        private final Counter switches;
        private final Counter slowCloses;
        private final Counter clientDropped;
        private final Counter clientStalls;

        Meters(MetricsRegistry registry) {
            messages = registry.counter("streamlab_ws_stream_segments_total",
                    "Binary messages (init and media segments) sent on /ws/stream.");
            bytes = registry.counter("streamlab_ws_stream_bytes_total",
                    "Payload bytes of those messages (24-byte header + fMP4).");
            mapped = registry.counter("streamlab_ws_stream_mapped_bytes_total",
                    "Of those, bytes written with 0 user-space copies: sample bytes straight from the mapped file"
                            + " (or, with phase 4's chunk cache, whole segments from its direct buffers).");
            bad = registry.counter("streamlab_ws_stream_bad_messages_total",
                    "Control messages answered with an error (malformed, unknown, out of order).");
            skips = registry.counter("streamlab_ws_stream_skips_total",
                    "Times a client fell behind real time and the stream skipped to a newer keyframe.");
            dropped = registry.counter("streamlab_ws_stream_dropped_segments_total",
                    "Media segments never sent because of those skips (whole GOPs, never part of one).");
            switches = registry.counter("streamlab_ws_stream_rung_switches_total",
                    "Bitrate rung switches that took effect, by direction.", "direction");
            slowCloses = registry.counter("streamlab_ws_stream_slow_closes_total",
                    "Connections closed with 1008 because they skipped too often: too slow even for skipping.");
            clientDropped = registry.counter("streamlab_ws_stream_client_dropped_frames_total",
                    "Video frames the players dropped, from their stats reports (getVideoPlaybackQuality).");
            clientStalls = registry.counter("streamlab_ws_stream_client_stalls_total",
                    "Stalls (out of data while playing) the players counted, from their stats reports.");
            registry.gauge("streamlab_ws_stream_copies_per_byte", "User-space copies per byte sent on /ws/stream:"
                    + " headers, moof and init segments are heap buffers (1 JDK copy), samples are mapped (0); a"
                    + " cached segment's own copy is counted by streamlab_cache_copies_per_byte.",
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

        /** A connection's running totals of dropped frames and stalls, feeding the two client counters. */
        ClientTotals clientTotals() {
            return new ClientTotals(clientDropped, clientStalls);
        }

        void skip() {
            skips.inc();
        }

        void dropped(int segments) {
            dropped.add(segments);
        }

        void rungSwitch(boolean up) {
            switches.labels(up ? "up" : "down").increment();
        }

        void slowClose() {
            slowCloses.inc();
        }
    }
}
