package dev.streamlab.phase2;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Folds the players' QoE reports into the metrics.
 *
 * <p>A player sends running totals for its session (stalls so far, frames dropped so far), several times. To
 * count each stall once, the aggregator remembers the last report per session and adds only the increase.
 * Sessions are kept in a bounded LRU map, so a client inventing session ids cannot grow memory.
 */
final class QoeAggregator {
    static final int MAX_SESSIONS = 10_000;

    /** The numbers one report carries (already validated). */
    record Report(String session, String video, double startupMs, long stalls, double stallMs, long dropped,
                  long decoded, boolean error) {}

    private final ServerMetrics metrics;
    private final Map<String, Report> last = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Report> eldest) {
            return size() > MAX_SESSIONS;
        }
    };

    QoeAggregator(ServerMetrics metrics) {
        this.metrics = metrics;
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
}
