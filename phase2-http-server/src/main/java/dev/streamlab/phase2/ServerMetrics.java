package dev.streamlab.phase2;

import dev.streamlab.http.io.ByteProvenance;
import dev.streamlab.metrics.Counter;
import dev.streamlab.metrics.Histogram;
import dev.streamlab.metrics.MetricsRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/** Everything phase 2 exports at {@code /metrics}, defined in one place so the names read as a list. */
final class ServerMetrics {
    /** Seconds; TTFB on loopback is sub-millisecond to tens of milliseconds under load. */
    private static final double[] TTFB_BUCKETS = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25,
            0.5, 1, 2.5};

    final MetricsRegistry registry = new MetricsRegistry();
    final Counter requests = registry.counter("streamlab_http_requests_total",
            "HTTP requests by route and status.", "route", "status");
    final Counter bytesSent = registry.counter("streamlab_http_bytes_sent_total",
            "Response body bytes sent, all routes.");
    final Counter rangeRequests = registry.counter("streamlab_http_range_requests_total",
            "Requests for /videos with a Range header, by outcome.", "outcome");
    final Counter videoBytes = registry.counter("streamlab_video_bytes_sent_total",
            "Body bytes sent per video.", "video");
    final Counter stalledWrites = registry.counter("streamlab_http_stalled_writes_total",
            "Responses cut off because the client stopped reading for longer than the stall timeout.");
    final Histogram ttfb = registry.histogram("streamlab_http_ttfb_seconds",
            "Time from the request reaching the handler to the first body byte written (or headers, without a body).",
            TTFB_BUCKETS, "route");
    ServerMetrics(String io, ByteProvenance provenance, Connections connections) {
        registry.gauge("streamlab_http_open_connections",
                "Client connections with a request in the last idle interval (the JDK server does not expose its"
                        + " connection set; this is an estimate from remote addresses).", connections::open);
        registry.gauge("streamlab_http_active_requests", "Requests being handled now.", connections::active);
        registry.gauge("streamlab_http_body_bytes_sent_by_strategy_total",
                "Video body bytes sent through the " + io + " I/O strategy (the denominator of copies per byte).",
                provenance::bytesSent);
        registry.gauge("streamlab_http_userspace_copy_bytes_total",
                "Bytes copied in user space between file and socket by the " + io + " strategy, counted where"
                        + " each copy happens.", provenance::bytesCopied);
        registry.gauge("streamlab_http_copies_per_byte", "User-space copies per video body byte sent ("
                + io + ").", provenance::copiesPerByte);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        registry.gauge("streamlab_jvm_heap_used_bytes", "JVM heap in use.",
                () -> memory.getHeapMemoryUsage().getUsed());
        registry.gauge("streamlab_jvm_threads", "Live platform threads (virtual threads are not counted here).",
                () -> ManagementFactory.getThreadMXBean().getThreadCount());
    }
}
