package dev.streamlab.stream.ws;

import dev.streamlab.metrics.Counter;

/**
 * One connection's running totals from its {@code stats} reports (frames dropped, stalls), folded into counters
 * on {@code /metrics}: a player reports how many so far, every second, so each report adds only its increase
 * (the same rule as phase 2's {@code QoeAggregator} for {@code POST /api/qoe}). A total that goes down means the
 * client started counting afresh (a new media element source): that report adds nothing and becomes the new base.
 */
public final class ClientTotals {
    private final Counter dropped;
    private final Counter stalls;
    private long lastDropped;
    private long lastStalls;

    /** Totals of one connection, added to these two (shared) counters. */
    public ClientTotals(Counter dropped, Counter stalls) {
        this.dropped = dropped;
        this.stalls = stalls;
    }

    /** Adds what this report's totals grew by; fields the client did not send change nothing. */
    public synchronized void report(ControlMessage.Stats s) {
        if (s.dropped() != ControlMessage.Stats.NOT_SENT) lastDropped = add(dropped, lastDropped, s.dropped());
        if (s.stalls() != ControlMessage.Stats.NOT_SENT) lastStalls = add(stalls, lastStalls, s.stalls());
    }

    private static long add(Counter counter, long last, long now) {
        if (now > last) counter.add(now - last);
        return now;
    }
}
