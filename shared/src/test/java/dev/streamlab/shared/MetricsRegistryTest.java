package dev.streamlab.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.metrics.Counter;
import dev.streamlab.metrics.Histogram;
import dev.streamlab.metrics.MetricsRegistry;
import org.junit.jupiter.api.Test;

class MetricsRegistryTest {
    @Test
    void writesTheTextExpositionFormat() {
        MetricsRegistry r = new MetricsRegistry();
        Counter c = r.counter("app_requests_total", "Requests.", "route", "status");
        c.labels("/videos", "206").add(3);
        c.labels("/videos", "206").increment();
        r.gauge("app_open", "Open things.", () -> 2);
        Histogram h = r.histogram("app_ttfb_seconds", "TTFB.", new double[] {0.01, 0.1});
        h.observe(0.005);
        h.observe(0.01);
        h.observe(0.5);
        String text = r.scrape();
        assertTrue(text.contains("# HELP app_requests_total Requests.\n# TYPE app_requests_total counter\n"
                + "app_requests_total{route=\"/videos\",status=\"206\"} 4\n"), text);
        assertTrue(text.contains("# TYPE app_open gauge\napp_open 2\n"), text);
        assertTrue(text.contains("app_ttfb_seconds_bucket{le=\"0.01\"} 2\n"
                + "app_ttfb_seconds_bucket{le=\"0.1\"} 2\napp_ttfb_seconds_bucket{le=\"+Inf\"} 3\n"
                + "app_ttfb_seconds_sum 0.515\napp_ttfb_seconds_count 3\n"), text);
    }

    @Test
    void labelValuesAreEscaped() {
        MetricsRegistry r = new MetricsRegistry();
        r.counter("x_total", "x", "v").labels("a\"b\\c\nd").increment();
        assertTrue(r.scrape().contains("x_total{v=\"a\\\"b\\\\c\\nd\"} 1"), r.scrape());
    }

    @Test
    void labelCardinalityIsCappedSoClientsCannotGrowMemory() {
        MetricsRegistry r = new MetricsRegistry();
        Counter c = r.counter("y_total", "y", "id");
        for (int i = 0; i < 5000; i++) c.labels("id" + i).increment();
        assertEquals(5000, c.total());
        assertTrue(c.value("_overflow_") >= 4000);
        assertTrue(r.scrape().lines().count() < 1100);
    }

    @Test
    void badNamesAndDuplicatesAreRefused() {
        MetricsRegistry r = new MetricsRegistry();
        assertThrows(IllegalArgumentException.class, () -> r.counter("1bad", "h"));
        r.counter("ok_total", "h");
        assertThrows(IllegalArgumentException.class, () -> r.counter("ok_total", "h"));
    }

    @Test
    void unlabelledMetricsAreExportedAtZeroBeforeTheirFirstEvent() {
        MetricsRegistry r = new MetricsRegistry();
        r.counter("z_total", "z");
        r.histogram("z_seconds", "z", new double[] {0.1});
        Counter labelled = r.counter("l_total", "l", "route");
        String text = r.scrape();
        // As Prometheus' client libraries do: a watcher sees "0", not a series that does not exist yet.
        assertTrue(text.contains("# TYPE z_total counter\nz_total 0\n"), text);
        assertTrue(text.contains("z_seconds_bucket{le=\"+Inf\"} 0\nz_seconds_sum 0\nz_seconds_count 0\n"), text);
        // A labelled one has no series until a label set is used: which label values exist is not known in advance.
        assertTrue(text.contains("# TYPE l_total counter\n") && !text.contains("l_total{"), text);
        assertEquals(0, labelled.total());
    }
}
