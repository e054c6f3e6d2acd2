package dev.streamlab.mjpeg;

import dev.streamlab.metrics.Counter;
import dev.streamlab.metrics.MetricsRegistry;
import java.util.function.IntSupplier;

/**
 * The processed streams' numbers on {@code /metrics}: frames, JPEG bytes, the one frame copy, streams served and
 * refused.
 */
final class ProcessedMetrics {
    final Counter frames;
    final Counter jpegBytes;
    final Counter frameCopyBytes;
    final Counter refused;

    /** @param streams the processed streams served now (the stream permits in use) */
    ProcessedMetrics(MetricsRegistry registry, IntSupplier streams) {
        frames = registry.counter("streamlab_processed_frames_total",
                "Processed frames sent, by transport (mjpeg, ws) and filter", "transport", "filter");
        jpegBytes = registry.counter("streamlab_processed_jpeg_bytes_total",
                "JPEG bytes of processed frames sent, by transport", "transport");
        frameCopyBytes = registry.counter("streamlab_processed_frame_copy_bytes_total",
                "Bytes copied from the mapped .y4m into work buffers: one frame per frame sent (the read is a view)");
        registry.gauge("streamlab_processed_streams", "Processed streams served now (MJPEG and WebSocket)",
                streams::getAsInt);
        refused = registry.counter("streamlab_processed_refused_total",
                "Processed streams refused because every stream permit was in use or the client held its share"
                        + " (503, or WebSocket close 1013)");
    }

    /** Counts one frame sent. */
    void sent(String transport, ProcessedStream s, int jpegLength) {
        frames.labels(transport, s.filter().wireName()).increment();
        jpegBytes.labels(transport).add(jpegLength);
        frameCopyBytes.add(s.frameBytes());
    }
}
