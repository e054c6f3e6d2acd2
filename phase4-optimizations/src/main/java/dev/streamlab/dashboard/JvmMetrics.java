package dev.streamlab.dashboard;

import dev.streamlab.metrics.MetricsRegistry;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.List;

/**
 * The JVM's memory and garbage collection at {@code /metrics} ({@code streamlab_jvm_*}), read from
 * {@code java.lang.management} when scraped: nothing runs on the request path. Direct buffer memory is here because
 * the chunk cache lives there, outside the heap.
 */
public final class JvmMetrics {
    private JvmMetrics() {}

    /** Registers the gauges; a name the registry already has (phase 3 exports heap used) is left as it is. */
    public static void register(MetricsRegistry registry) {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        List<GarbageCollectorMXBean> gcs = ManagementFactory.getGarbageCollectorMXBeans();
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).findFirst().orElse(null);
        gauge(registry, "streamlab_jvm_heap_used_bytes", "JVM heap in use.",
                () -> memory.getHeapMemoryUsage().getUsed());
        gauge(registry, "streamlab_jvm_heap_committed_bytes", "JVM heap committed by the operating system.",
                () -> memory.getHeapMemoryUsage().getCommitted());
        gauge(registry, "streamlab_jvm_heap_max_bytes", "The heap's upper bound (-Xmx), -1 if undefined.",
                () -> memory.getHeapMemoryUsage().getMax());
        gauge(registry, "streamlab_jvm_direct_buffer_bytes",
                "Memory held by direct ByteBuffers (socket buffers, the chunk cache), outside the heap.",
                () -> direct == null ? 0 : direct.getMemoryUsed());
        // Counters in meaning, exported as gauges because the MXBeans, not we, count them.
        gauge(registry, "streamlab_jvm_gc_collections_total", "Garbage collections since start, all collectors.",
                () -> gcs.stream().mapToLong(g -> Math.max(0, g.getCollectionCount())).sum());
        gauge(registry, "streamlab_jvm_gc_seconds_total",
                "Time spent in garbage collection since start (as the collectors report it), all collectors.",
                () -> gcs.stream().mapToLong(g -> Math.max(0, g.getCollectionTime())).sum() / 1000.0);
    }

    private static void gauge(MetricsRegistry registry, String name, String help,
                              java.util.function.DoubleSupplier value) {
        try {
            registry.gauge(name, help, value);
        } catch (IllegalArgumentException alreadyThere) {
            // Phase 3 registers heap used itself; its value is the same MXBean reading.
        }
    }
}
