package dev.streamlab.stream.live;

import dev.streamlab.catalog.Catalog;
import dev.streamlab.catalog.VideoEntry;
import dev.streamlab.metrics.Counter;
import dev.streamlab.metrics.MetricsRegistry;
import dev.streamlab.stream.ws.ClientTotals;
import dev.streamlab.websocket.server.WsEndpoint;
import dev.streamlab.websocket.server.WsEndpoints;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code /ws/live/{channel}}: a catalog video looped as a live channel (PROTOCOL.md, "Live channel"). The channel
 * id is a catalog id; an unknown one is refused at the upgrade with 404 (the factory returns null). A channel's
 * producer starts with its first viewer ({@link LiveChannel}); every viewer is a {@link LiveSession}.
 *
 * {@snippet :
 * webSockets.registerPrefix(LiveEndpoint.PREFIX, LiveEndpoint.create(catalog, metrics, LiveConfig.DEFAULT).factory());
 * }
 *
 * <p>At {@code /metrics} as {@code streamlab_live_*}; the player offers its live mode when it finds
 * {@code streamlab_live_viewers} there.
 */
public final class LiveEndpoint {
    public static final String PREFIX = "/ws/live/";
    private static final Logger LOG = Logger.getLogger(LiveEndpoint.class.getName());

    private final Catalog catalog;
    private final LiveConfig config;
    private final Meters meters;
    private final Map<String, LiveChannel> channels = new ConcurrentHashMap<>();

    private LiveEndpoint(Catalog catalog, MetricsRegistry registry, LiveConfig config) {
        this.catalog = catalog;
        this.config = config;
        this.meters = new Meters(registry, this);
    }

    /**
     * An endpoint for the videos of {@code catalog}, metered into {@code registry}.
     *
     * @throws IllegalArgumentException if {@code registry} already has the {@code streamlab_live_*} names
     */
    public static LiveEndpoint create(Catalog catalog, MetricsRegistry registry, LiveConfig config) {
        return new LiveEndpoint(catalog, registry, config);
    }

    /** For {@link WsEndpoints#registerPrefix}: null (404) unless the rest of the path is a catalog id. */
    public BiFunction<String, String, WsEndpoint> factory() {
        return (rest, query) -> catalog.find(rest).isPresent() ? new LiveSession(this, rest) : null;
    }

    /** Channels whose producer runs. */
    public int channelCount() {
        return channels.size();
    }

    /** Viewers watching, over all channels. */
    public int viewerCount() {
        return meters.sessions.size();
    }

    /** Live threads: producers and viewer senders (0 once every viewer left and the channels stopped). */
    public int threadCount() {
        int n = 0;
        for (LiveChannel c : channels.values()) if (c.producerAlive()) n++;
        return n + meters.senders.get();
    }

    /** Stops every channel (the server is shutting down): viewers are closed with 1001. */
    public void close() {
        for (LiveChannel c : channels.values()) c.stop();
    }

    LiveConfig config() {
        return config;
    }

    Meters meters() {
        return meters;
    }

    /** The running channel {@code id}, started if needed and counted as one more viewer; null if it cannot run. */
    LiveChannel join(String id) {
        for (int attempt = 0; attempt < 3; attempt++) {
            LiveChannel c;
            synchronized (channels) { // opening maps the file: once per channel, not once per racing viewer
                c = channels.get(id);
                if (c == null) {
                    Optional<VideoEntry> e = catalog.find(id);
                    if (e.isEmpty()) return null;
                    try {
                        c = LiveChannel.open(id, e.get().file(), config, meters);
                    } catch (IOException | RuntimeException ex) {
                        LOG.log(Level.WARNING, "live channel " + id + " cannot run: " + ex.getMessage());
                        return null;
                    }
                    channels.put(id, c);
                }
            }
            if (c.enter()) return c;
            channels.remove(id, c); // stopped while idle: start a fresh one
        }
        return null;
    }

    /** The endpoint's counters ({@code streamlab_live_*}). */
    static final class Meters {
        private final Counter published;
        private final Counter segments;
        private final Counter bytes;
        private final Counter copied;
        private final Counter skips;
        private final Counter skippedSegments;
        private final Counter slowClosed;
        private final Counter bad;
        private final Counter joins;
        private final Counter clientDropped;
        private final Counter clientStalls;
        final Set<LiveSession> sessions = ConcurrentHashMap.newKeySet();
        final AtomicInteger senders = new AtomicInteger();
        private final LiveEndpoint endpoint;

        Meters(MetricsRegistry r, LiveEndpoint endpoint) {
            this.endpoint = endpoint;
            r.gauge("streamlab_live_viewers", "Viewers watching a /ws/live channel.", () -> sessions.size());
            r.gauge("streamlab_live_channels", "Live channels whose producer runs.", () -> endpoint.channels.size());
            joins = r.counter("streamlab_live_joins_total", "Viewers that joined a live channel.");
            published = r.counter("streamlab_live_segments_published_total",
                    "Segments the channels' producers put into their ring buffers.");
            segments = r.counter("streamlab_live_segments_sent_total", "Media segments sent to live viewers.");
            bytes = r.counter("streamlab_live_bytes_sent_total",
                    "Payload bytes sent to live viewers (24-byte header + fMP4).");
            copied = r.counter("streamlab_live_copied_bytes_total", "Bytes copied in user space per viewer: the"
                    + " 24-byte header per message (segments are shared views); the whole segment in the naive mode.");
            skips = r.counter("streamlab_live_skips_total",
                    "Slow viewers skipped to the newest keyframe (queued media dropped).");
            skippedSegments = r.counter("streamlab_live_skipped_segments_total", "Segments those skips dropped.");
            slowClosed = r.counter("streamlab_live_slow_closes_total",
                    "Viewers closed with 1008 for skipping too often.");
            bad = r.counter("streamlab_live_bad_messages_total", "Control messages answered with an error.");
            clientDropped = r.counter("streamlab_live_client_dropped_frames_total",
                    "Video frames the live players dropped, from their stats reports (getVideoPlaybackQuality).");
            clientStalls = r.counter("streamlab_live_client_stalls_total",
                    "Stalls (out of data while playing) the live players counted, from their stats reports.");
            r.gauge("streamlab_live_copied_bytes_per_segment", "User-space bytes copied per media segment sent.",
                    () -> segments.total() == 0 ? 0 : (double) copied.total() / segments.total());
            r.gauge("streamlab_live_lag_max_seconds", "Largest lag behind the live edge a viewer reported (stats).",
                    () -> {
                        double max = 0;
                        for (LiveSession s : sessions) {
                            double l = s.lagSeconds();
                            if (l > max) max = l;
                        }
                        return max;
                    });
        }

        /** A viewer's running totals of dropped frames and stalls, feeding the two client counters. */
        ClientTotals clientTotals() {
            return new ClientTotals(clientDropped, clientStalls);
        }

        void viewerJoined(LiveSession s) {
            joins.inc();
            sessions.add(s);
        }

        void viewerLeft(LiveSession s) {
            sessions.remove(s);
        }

        void senderStarted() {
            senders.incrementAndGet();
        }

        void senderEnded() {
            senders.decrementAndGet();
        }

        void published() {
            published.inc();
        }

        void sent(long n, long copiedBytes) {
            bytes.add(n);
            copied.add(copiedBytes);
        }

        void segmentSent() {
            segments.inc();
        }

        void skipped(long dropped) {
            skips.inc();
            skippedSegments.add(dropped);
        }

        /** Aborts every viewer whose write has been blocked too long (a producer calls it twice a second). */
        void abortStalled(long now) {
            for (LiveSession s : sessions) s.abortIfStalled(now);
        }

        void slowClosed() {
            slowClosed.inc();
        }

        void badMessage() {
            bad.inc();
        }

        void channelStopped(LiveChannel c) {
            endpoint.channels.remove(c.id(), c);
        }

        long skips() {
            return skips.total();
        }
    }
}
