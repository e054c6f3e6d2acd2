package dev.streamlab.qoe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamlab.metrics.MetricsRegistry;
import org.junit.jupiter.api.Test;

/** {@link QoeAggregator}: running totals per session, each increase counted once, whatever the client sends. */
class QoeAggregatorTest {
    final MetricsRegistry registry = new MetricsRegistry();
    final QoeAggregator qoe = new QoeAggregator(registry);

    double metric(String name) {
        for (String l : registry.scrape().split("\n")) {
            if (l.startsWith(name + " ")) return Double.parseDouble(l.substring(name.length() + 1));
        }
        return 0;
    }

    void report(String json) throws Exception {
        qoe.add(QoeAggregator.parse(json));
    }

    @Test
    void aClientAlternatingAHugeReportWithAnEmptyOneCountsTheHugeOneOnce() throws Exception {
        // The audit's pair, ten times: it once added 10 million stalls and 10 errors and startups from one session.
        for (int i = 0; i < 10; i++) {
            report("{\"session\":\"osc\",\"video\":\"v\",\"stalls\":1000000,\"stall_ms\":1e9,\"decoded_frames\":1e10,"
                    + "\"dropped_frames\":1e9,\"startup_ms\":3600000,\"error\":\"x\"}");
            report("{\"session\":\"osc\",\"video\":\"v\"}");
        }
        assertEquals(1_000_000, metric("streamlab_qoe_stalls_total"));
        assertEquals(1e9, metric("streamlab_qoe_stall_milliseconds_total"));
        assertEquals(1e10, metric("streamlab_qoe_decoded_frames_total"));
        assertEquals(1, metric("streamlab_qoe_playback_errors_total"));
        assertEquals(1, metric("streamlab_qoe_startup_seconds_count"));
        assertEquals(1, metric("streamlab_qoe_sessions_total"));
        assertEquals(20, metric("streamlab_qoe_reports_total"));
    }

    @Test
    void runningTotalsCountTheirIncreases() throws Exception {
        report("{\"session\":\"s\",\"video\":\"v\",\"stalls\":1,\"stall_ms\":300}");
        report("{\"session\":\"s\",\"video\":\"v\",\"stalls\":3,\"stall_ms\":900}");
        report("{\"session\":\"s\",\"video\":\"v\",\"stalls\":2,\"stall_ms\":100}"); // lower: nothing more
        assertEquals(3, metric("streamlab_qoe_stalls_total"));
        assertEquals(900, metric("streamlab_qoe_stall_milliseconds_total"));
    }

    @Test
    void contentTypesAreComparedAsMediaTypes() {
        for (String ok : new String[] {"application/json", "Application/JSON", "application/json; charset=utf-8",
                " text/plain ;charset=UTF-8", "TEXT/PLAIN"}) {
            org.junit.jupiter.api.Assertions.assertTrue(QoeAggregator.acceptsContentType(ok), ok);
        }
        for (String no : new String[] {"application/jsonp", "application/jsonpfoo", "text/plainx", "text/html", "",
                "application/x-www-form-urlencoded"}) {
            org.junit.jupiter.api.Assertions.assertFalse(QoeAggregator.acceptsContentType(no), no);
        }
        org.junit.jupiter.api.Assertions.assertFalse(QoeAggregator.acceptsContentType(null));
    }

    @Test
    void falseOrAnEmptyStringIsNoError() throws Exception {
        report("{\"session\":\"a\",\"video\":\"v\",\"error\":false}");
        report("{\"session\":\"b\",\"video\":\"v\",\"error\":\"\"}");
        report("{\"session\":\"c\",\"video\":\"v\",\"error\":null}");
        assertEquals(0, metric("streamlab_qoe_playback_errors_total"));
        report("{\"session\":\"d\",\"video\":\"v\",\"error\":\"MEDIA_ERR_DECODE\"}");
        assertEquals(1, metric("streamlab_qoe_playback_errors_total"));
    }
}
