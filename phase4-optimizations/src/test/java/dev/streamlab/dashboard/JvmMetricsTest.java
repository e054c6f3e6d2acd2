package dev.streamlab.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.metrics.MetricsRegistry;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JvmMetricsTest {
    static Map<String, Double> samples(String text) {
        Map<String, Double> m = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || line.isBlank()) continue;
            int sp = line.lastIndexOf(' ');
            m.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
        }
        return m;
    }

    @Test
    void heapGcAndDirectMemoryAreExported() {
        MetricsRegistry registry = new MetricsRegistry();
        JvmMetrics.register(registry);
        System.gc(); // at least one collection to count (a hint; the assertion below does not depend on it)
        Map<String, Double> m = samples(registry.scrape());
        assertTrue(m.get("streamlab_jvm_heap_used_bytes") > 0, m.toString());
        assertTrue(m.get("streamlab_jvm_heap_committed_bytes") >= m.get("streamlab_jvm_heap_used_bytes"), m.toString());
        assertTrue(m.get("streamlab_jvm_gc_collections_total") >= 0, m.toString());
        assertTrue(m.get("streamlab_jvm_gc_seconds_total") >= 0, m.toString());
        assertTrue(m.containsKey("streamlab_jvm_direct_buffer_bytes"), m.toString());
    }

    @Test
    void aGaugePhase3AlreadyRegisteredIsKept() {
        MetricsRegistry registry = new MetricsRegistry();
        registry.gauge("streamlab_jvm_heap_used_bytes", "phase 3's", () -> 7);
        JvmMetrics.register(registry);
        assertEquals(7.0, samples(registry.scrape()).get("streamlab_jvm_heap_used_bytes"));
    }
}
