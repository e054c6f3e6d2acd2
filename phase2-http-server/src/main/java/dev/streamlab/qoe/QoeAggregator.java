package dev.streamlab.qoe;

import dev.streamlab.metrics.Counter;
import dev.streamlab.metrics.Histogram;
import dev.streamlab.metrics.MetricsRegistry;
import dev.streamlab.shared.json.JsonParser;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code POST /api/qoe}: the players' quality-of-experience reports, validated and folded into the metrics
 * ({@code streamlab_qoe_*}). Phases 2 and 3 both use it.
 *
 * <p>A player sends running totals for its session (stalls so far, frames dropped so far), several times. To count
 * each stall once, the aggregator remembers the last report per session and adds only the increase. Sessions are
 * kept in a bounded LRU map, so a client inventing session ids cannot grow memory.
 */
public final class QoeAggregator {
    /** A report is a few hundred bytes; anything larger is refused with 413. */
    public static final int MAX_BYTES = 8 * 1024;
    static final int MAX_SESSIONS = 10_000;
    private static final double[] STARTUP_BUCKETS = {0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30};

    /** The numbers one report carries (already validated). */
    public record Report(String session, String video, double startupMs, long stalls, double stallMs, long dropped,
                         long decoded, boolean error) {}

    private final Counter reports;
    private final Counter sessions;
    private final Histogram startup;
    private final Counter stalls;
    private final Counter stallMillis;
    private final Counter dropped;
    private final Counter decoded;
    private final Counter errors;
    private final Map<String, Report> last = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Report> eldest) {
            return size() > MAX_SESSIONS;
        }
    };

    /** Registers the QoE metrics in {@code registry}. */
    public QoeAggregator(MetricsRegistry registry) {
        reports = registry.counter("streamlab_qoe_reports_total", "QoE reports received from players.");
        sessions = registry.counter("streamlab_qoe_sessions_total", "Playback sessions seen.");
        startup = registry.histogram("streamlab_qoe_startup_seconds",
                "Player startup time (load to first frame playing), one observation per session.", STARTUP_BUCKETS);
        stalls = registry.counter("streamlab_qoe_stalls_total", "Rebuffering stalls reported by players.");
        stallMillis = registry.counter("streamlab_qoe_stall_milliseconds_total",
                "Time spent stalled, reported by players.");
        dropped = registry.counter("streamlab_qoe_dropped_frames_total",
                "Frames the players dropped (getVideoPlaybackQuality).");
        decoded = registry.counter("streamlab_qoe_decoded_frames_total",
                "Frames the players decoded (getVideoPlaybackQuality).");
        errors = registry.counter("streamlab_qoe_playback_errors_total",
                "Sessions whose player reported a media error.");
    }

    /**
     * Parses and validates one report.
     *
     * @throws JsonParser.JsonException when it is not a JSON object
     * @throws IllegalArgumentException when a field is missing or out of range; the message says which
     */
    public static Report parse(String json) throws JsonParser.JsonException {
        Map<String, Object> m = JsonParser.parseObject(json, MAX_BYTES);
        return new Report(text(m, "session"), text(m, "video"), number(m, "startup_ms", -1, 3_600_000),
                (long) number(m, "stalls", 0, 1e6), number(m, "stall_ms", 0, 1e9),
                (long) number(m, "dropped_frames", 0, 1e9), (long) number(m, "decoded_frames", 0, 1e10),
                isError(m.get("error")));
    }

    /**
     * Whether a request's {@code Content-Type} is one a report comes with: {@code application/json}, or
     * {@code text/plain} (what {@code navigator.sendBeacon} sends for a string). Media types are case-insensitive
     * (RFC 9110 §8.3.1) and end at their parameters: {@code Application/JSON; charset=utf-8} is JSON,
     * {@code application/jsonp} is not (a prefix test answered the other way round for both).
     */
    public static boolean acceptsContentType(String type) {
        if (type == null) return false;
        int semicolon = type.indexOf(';');
        String media = (semicolon < 0 ? type : type.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
        return media.equals("application/json") || media.equals("text/plain");
    }

    /** The player sends null or the media error's message; {@code false} or {@code ""} is no error. */
    private static boolean isError(Object e) {
        return Boolean.TRUE.equals(e) || e instanceof String s && !s.isEmpty();
    }

    /**
     * Counts a report's increases over the session's highest totals so far. The totals kept are those highest values,
     * not the last report: a client alternating a report of a million stalls with one of none (absent fields read as
     * 0) once added a million stalls per pair (a black-box audit); now the million counts once, and so do the
     * startup time and an error.
     */
    public synchronized void add(Report r) {
        reports.inc();
        Report prev = last.get(r.session());
        if (prev == null) {
            sessions.inc();
            prev = new Report(r.session(), r.video(), -1, 0, 0, 0, 0, false);
        }
        double startupMs = prev.startupMs() >= 0 ? prev.startupMs() : r.startupMs();
        last.put(r.session(), new Report(r.session(), r.video(), startupMs, Math.max(prev.stalls(), r.stalls()),
                Math.max(prev.stallMs(), r.stallMs()), Math.max(prev.dropped(), r.dropped()),
                Math.max(prev.decoded(), r.decoded()), prev.error() || r.error()));
        if (prev.startupMs() < 0 && r.startupMs() >= 0) startup.observe(r.startupMs() / 1000.0);
        stalls.add(Math.max(0, r.stalls() - prev.stalls()));
        stallMillis.add(Math.max(0, Math.round(r.stallMs() - prev.stallMs())));
        dropped.add(Math.max(0, r.dropped() - prev.dropped()));
        decoded.add(Math.max(0, r.decoded() - prev.decoded()));
        if (r.error() && !prev.error()) errors.inc();
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
