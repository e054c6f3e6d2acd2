package dev.streamlab.phase3;

import dev.streamlab.http.io.ByteProvenance;
import dev.streamlab.http1.Http1Events;
import dev.streamlab.http1.Http1Timeout;
import dev.streamlab.metrics.Counter;
import dev.streamlab.metrics.Histogram;
import dev.streamlab.metrics.MetricsRegistry;
import dev.streamlab.websocket.deflate.DeflateEvents;
import dev.streamlab.websocket.hub.Hub;
import dev.streamlab.websocket.hub.HubEvents;
import dev.streamlab.websocket.hub.Overflow;
import dev.streamlab.websocket.server.WsEndpoints;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * Everything phase 3 exports at {@code /metrics}: phase 2's names (so one dashboard reads both), plus what owning
 * the socket makes measurable — exact open connections, timeouts by kind, requests refused by the parser, and how
 * often {@code transferTo} returned 0. Also the {@link Http1Events} listener that feeds them.
 */
final class Phase3Metrics implements Http1Events {
    private static final double[] TTFB_BUCKETS = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25,
            0.5, 1, 2.5};

    final MetricsRegistry registry = new MetricsRegistry();
    final AtomicInteger active = new AtomicInteger();
    final Counter requests = registry.counter("streamlab_http_requests_total",
            "HTTP requests by route and status (route \"invalid\": refused by the parser).", "route", "status");
    final Counter bytesSent = registry.counter("streamlab_http_bytes_sent_total",
            "Response body bytes sent, all routes.");
    final Counter rangeRequests = registry.counter("streamlab_http_range_requests_total",
            "Requests for /videos with a Range header, by outcome.", "outcome");
    final Counter videoBytes = registry.counter("streamlab_video_bytes_sent_total",
            "Body bytes sent per video.", "video");
    final Counter stalledWrites = registry.counter("streamlab_http_stalled_writes_total",
            "Connections cut off because the client stopped reading for longer than the write-stall timeout.");
    final Counter timeouts = registry.counter("streamlab_http_timeouts_total",
            "Connections cut off by a deadline: request (slow request, answered 408), idle (keep-alive),"
                    + " upgrade_read.", "kind");
    final Counter shed = registry.counter("streamlab_http_shed_at_cap_total",
            "Connections cut off early because the server was at its connection cap and they had waited 5 s on their"
                    + " client (also counted in their own timeout's series).", "kind");
    final Counter connections = registry.counter("streamlab_http_connections_total", "Connections accepted.");
    final Counter transferToZero = registry.counter("streamlab_http_transferto_zero_returns_total",
            "Times FileChannel.transferTo returned 0 on a full socket buffer (virtual threads) and one chunk went"
                    + " through the copying fallback instead of spinning.");
    final Histogram ttfb = registry.histogram("streamlab_http_ttfb_seconds",
            "Time from the request reaching the handler to the first body byte written (or headers, without a body).",
            TTFB_BUCKETS, "route");
    Phase3Metrics(String io, ByteProvenance provenance, IntSupplier openConnections) {
        registry.gauge("streamlab_http_open_connections", "Client connections open now (exact: we own the sockets).",
                openConnections::getAsInt);
        registry.gauge("streamlab_http_active_requests", "Requests being handled now.", active::get);
        registry.gauge("streamlab_http_body_bytes_sent_by_strategy_total",
                "Video body bytes sent through the " + io + " path (the denominator of copies per byte).",
                provenance::bytesSent);
        registry.gauge("streamlab_http_userspace_copy_bytes_total",
                "Video body bytes copied into user space on the way from file to socket: 0 for transferTo"
                        + " (sendfile), 1 per byte of the fallback taken when transferTo returns 0.",
                provenance::bytesCopied);
        registry.gauge("streamlab_http_copies_per_byte", "User-space copies per video body byte sent ("
                + io + ").", provenance::copiesPerByte);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        registry.gauge("streamlab_jvm_heap_used_bytes", "JVM heap in use.",
                () -> memory.getHeapMemoryUsage().getUsed());
        registry.gauge("streamlab_jvm_threads", "Live platform threads (virtual threads are not counted here).",
                () -> ManagementFactory.getThreadMXBean().getThreadCount());
    }

    /**
     * Issue 4's broadcast hub ({@code /ws/topic/...}), exported at {@code /metrics} as {@code streamlab_ws_hub_*}:
     * gauges read from the hub when scraped, and counters by overflow policy fed by the hub's events.
     */
    static Hub meteredHub(MetricsRegistry registry) {
        Hub hub = new Hub(new HubMetrics(registry));
        registry.gauge("streamlab_ws_hub_topics", "Hub topics with at least one subscriber.", hub::topicCount);
        registry.gauge("streamlab_ws_hub_subscribers", "Hub subscribers now, all topics.", hub::subscriberCount);
        registry.gauge("streamlab_ws_hub_sender_threads",
                "Hub sender threads alive (virtual, one per subscriber; 0 again once every subscriber left).",
                hub::senderThreads);
        registry.gauge("streamlab_ws_hub_copies_per_byte", "User-space copies per byte the hub delivered: a client's"
                + " message is copied once (then shared by every subscriber); a heap buffer costs one more JDK copy"
                + " per subscriber; a direct buffer published by the server, none.", () -> {
                    long delivered = hub.deliveredBytes();
                    return delivered == 0 ? 0 : (double) (hub.copiedBytes() + hub.heapDeliveredBytes()) / delivered;
                });
        return hub;
    }

    /**
     * {@code streamlab_ws_over_cap_total}: how often a WebSocket peer asked for more than its read loop's cap, or all
     * peers together for more than their shared budget, and one was made to wait. Normally 0; it climbs under a flood
     * (clients sending Pings or messages as fast as they can), and shows the cap at work rather than a server that
     * merely got slow.
     */
    static Runnable overCapMetric(MetricsRegistry registry) {
        Counter c = registry.counter("streamlab_ws_over_cap_total", "Times a WebSocket peer asked for more than 64"
                + " messages or control frames in 10 ms, or all peers together for more than "
                + WsEndpoints.SHARED_EVENTS_PER_SECOND + " a second, and its read loop slept (a flood held back).");
        return c::inc;
    }

    /**
     * permessage-deflate (RFC 7692) at {@code /metrics} as {@code streamlab_ws_deflate_*}: compressed messages and
     * their bytes before and after, by direction, the ratio of what we sent, and the native zlib streams alive
     * (back to 0 when every compressing connection is closed — a leak shows here).
     */
    static DeflateEvents deflateMetrics(MetricsRegistry registry) {
        Counter messages = registry.counter("streamlab_ws_deflate_messages_total",
                "permessage-deflate compressed WebSocket messages, by direction (sent, received).", "direction");
        Counter raw = registry.counter("streamlab_ws_deflate_uncompressed_bytes_total",
                "Bytes of those messages before compression (sent) or after inflating (received).", "direction");
        Counter wire = registry.counter("streamlab_ws_deflate_compressed_bytes_total",
                "Payload bytes of those messages on the wire, compressed.", "direction");
        AtomicInteger open = new AtomicInteger();
        registry.gauge("streamlab_ws_deflate_native_streams",
                "java.util.zip Deflaters and Inflaters alive (native memory, ~256/~40 KiB; created at a connection's first"
                        + " compressed message, ended when it closes).", open::get);
        registry.gauge("streamlab_ws_deflate_sent_ratio", "Uncompressed / compressed bytes of the messages we sent"
                + " compressed (0 before the first).", () -> {
                    long w = wire.value("sent");
                    return w == 0 ? 0 : (double) raw.value("sent") / w;
                });
        return new DeflateEvents() {
            @Override
            public void compressed(long rawBytes, long wireBytes) {
                messages.labels("sent").increment();
                raw.labels("sent").add(rawBytes);
                wire.labels("sent").add(wireBytes);
            }

            @Override
            public void inflated(long wireBytes, long rawBytes) {
                messages.labels("received").increment();
                raw.labels("received").add(rawBytes);
                wire.labels("received").add(wireBytes);
            }

            @Override
            public void nativeStreams(int delta) {
                open.addAndGet(delta);
            }
        };
    }

    /** The hub's events as labelled counters (label {@code policy}: drop_oldest, skip_to_marked, disconnect). */
    private static final class HubMetrics implements HubEvents {
        final Counter published;
        final Counter copiedBytes;
        final Counter delivered;
        final Counter deliveredBytes;
        final Counter dropped;
        final Counter skips;
        final Counter disconnects;
        final Counter highWater;

        HubMetrics(MetricsRegistry registry) {
            published = registry.counter("streamlab_ws_hub_published_total", "Messages published to hub topics.");
            copiedBytes = registry.counter("streamlab_ws_hub_copied_bytes_total",
                    "Bytes the hub copied: each message a WebSocket client publishes, once (never per subscriber).");
            delivered = registry.counter("streamlab_ws_hub_delivered_total",
                    "Messages handed to hub subscribers' sockets, by overflow policy.", "policy");
            deliveredBytes = registry.counter("streamlab_ws_hub_delivered_bytes_total",
                    "Bytes handed to hub subscribers' sockets.");
            dropped = registry.counter("streamlab_ws_hub_dropped_total", "Messages a slow hub subscriber never got:"
                    + " dropped (oldest), skipped over, or discarded at a disconnect; by overflow policy.", "policy");
            skips = registry.counter("streamlab_ws_hub_skips_total",
                    "Gaps: skip-to-marked subscribers jumping to the newest marked message.", "policy");
            disconnects = registry.counter("streamlab_ws_hub_disconnects_total",
                    "Hub subscribers closed (1008 or 1013) for overflowing their send queue.", "policy");
            highWater = registry.counter("streamlab_ws_hub_queue_high_water", "The deepest any hub subscriber's send"
                    + " queue has been, in messages, by overflow policy (a high-water mark only rises).", "policy");
        }

        @Override
        public void published(int subscribers, int copied) {
            published.inc();
            if (copied > 0) copiedBytes.add(copied);
        }

        @Override
        public void delivered(Overflow policy, int bytes, boolean heap) {
            delivered.labels(policy.metricLabel()).increment();
            deliveredBytes.add(bytes);
        }

        @Override
        public void dropped(Overflow policy, int messages) {
            dropped.labels(policy.metricLabel()).add(messages);
        }

        @Override
        public void skipped(Overflow policy) {
            skips.labels(policy.metricLabel()).increment();
        }

        @Override
        public void disconnected(Overflow policy) {
            disconnects.labels(policy.metricLabel()).increment();
        }

        @Override
        public void queueHighWater(Overflow policy, int previous, int depth) {
            highWater.labels(policy.metricLabel()).add(depth - previous); // the counter's value is the mark
        }
    }

    @Override
    public void connectionOpened() {
        connections.inc();
    }

    @Override
    public void requestRejected(int status) {
        requests.labels("invalid", Integer.toString(status)).increment();
    }

    @Override
    public void timedOut(Http1Timeout kind) {
        if (kind == Http1Timeout.WRITE_STALL) {
            stalledWrites.inc();
        } else {
            timeouts.labels(kind.name().toLowerCase(Locale.ROOT)).increment();
        }
    }

    @Override
    public void shedAtTheCap(Http1Timeout kind) {
        shed.labels(kind.name().toLowerCase(Locale.ROOT)).increment();
    }

    @Override
    public void transferToReturnedZero() {
        transferToZero.inc();
    }
}
