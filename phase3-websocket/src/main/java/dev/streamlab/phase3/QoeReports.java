package dev.streamlab.phase3;

import dev.streamlab.shared.json.JsonParser;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /api/qoe}: the players' quality-of-experience reports, validated and folded into the metrics, as in
 * phase 2 (whose aggregator is package-private there; this is the same logic).
 *
 * <p>A player sends running totals for its session (stalls so far, frames dropped so far), several times. To count
 * each stall once, the last report per session is remembered and only the increase is added. Sessions live in a
 * bounded LRU map, so a client inventing session ids cannot grow memory.
 */
final class QoeReports {
    static final int MAX_BYTES = 8 * 1024;
    static final int MAX_SESSIONS = 10_000;

    /** The numbers one report carries (already validated). */
    record Report(String session, String video, double startupMs, long stalls, double stallMs, long dropped,
                  long decoded, boolean error) {}

    private final Phase3Metrics metrics;
    private final Map<String, Report> last = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Report> eldest) {
            return size() > MAX_SESSIONS;
        }
    };

    QoeReports(Phase3Metrics metrics) {
        this.metrics = metrics;
    }

    /**
     * Parses and validates one report.
     *
     * @throws JsonParser.JsonException when it is not a JSON object
     * @throws IllegalArgumentException when a field is missing or out of range; the message says which
     */
    static Report parse(String json) throws JsonParser.JsonException {
        Map<String, Object> m = JsonParser.parseObject(json, MAX_BYTES);
        return new Report(text(m, "session"), text(m, "video"), number(m, "startup_ms", -1, 3_600_000),
                (long) number(m, "stalls", 0, 1e6), number(m, "stall_ms", 0, 1e9),
                (long) number(m, "dropped_frames", 0, 1e9), (long) number(m, "decoded_frames", 0, 1e10),
                m.get("error") != null);
    }

    synchronized void add(Report r) {
        metrics.qoeReports.inc();
        Report prev = last.put(r.session(), r);
        if (prev == null) {
            metrics.qoeSessions.inc();
            prev = new Report(r.session(), r.video(), -1, 0, 0, 0, 0, false);
        }
        if (prev.startupMs() < 0 && r.startupMs() >= 0) metrics.qoeStartup.observe(r.startupMs() / 1000.0);
        metrics.qoeStalls.add(Math.max(0, r.stalls() - prev.stalls()));
        metrics.qoeStallMillis.add(Math.max(0, Math.round(r.stallMs() - prev.stallMs())));
        metrics.qoeDropped.add(Math.max(0, r.dropped() - prev.dropped()));
        metrics.qoeDecoded.add(Math.max(0, r.decoded() - prev.decoded()));
        if (r.error() && !prev.error()) metrics.qoeErrors.inc();
    }

    private static String text(Map<String, Object> m, String key) {
        if (!(m.get(key) instanceof String s) || s.isEmpty() || s.length() > 200) {
            throw new IllegalArgumentException("'" + key + "' must be a non-empty string of at most 200 characters");
        }
        return s;
    }

    private static double number(Map<String, Object> m, String key, double dflt, double max) {
        Object v = m.get(key);
        if (v == null) return dflt;
        if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue()) || n.doubleValue() < 0
                || n.doubleValue() > max) {
            throw new IllegalArgumentException("'" + key + "' must be a number between 0 and " + (long) max);
        }
        return n.doubleValue();
    }
}
