package dev.streamlab.http1;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The work all capped peers together may ask for: {@code unitsPerSecond} across the server, shared by every
 * {@link WorkCap}. A cap charges its peer's work here a batch at a time, and a peer whose batch finds the rate used up
 * waits for its turn.
 *
 * <p>Why a per-peer cap is not enough: it bounds what each connection takes, so the carriers fill only when enough
 * peers flood at once. At 64 Pings per 10 ms per peer that was some fifty here: {@code CarrierStarvationTest}
 * measured a new client's answer at 124 ms under 30 flooders, 3.6 s under 60, and under 100 the test spent 8.6 minutes
 * just opening its flooders, each handshake waiting seconds for a carrier. A rate for the server as a whole bounds the
 * carriers' time spent on WebSocket frames however many connections share it; what is left runs everything else.
 * Measured with the budget of {@code WsEndpoints} (51,200 a second): the new client answered in 6–7 ms under 64 and
 * 100 flooders and 14 ms under 300, the flooders' Pongs 51,202–51,429 a second in all.
 *
 * <p>How: a reservation clock, as a token bucket that lends ahead. {@code nextFree} is when the rate is free again;
 * a batch of {@code n} units takes the interval {@code [max(nextFree, now - burst), +n/rate)} and its caller waits
 * until that interval starts. Waits therefore queue up one after another instead of all ending at the same instant, so
 * a hundred waiting peers wake one batch at a time, not as a herd every window. Up to {@code burst} of unused rate is
 * kept, so a few busy peers at once (a burst of messages, Autobahn's 1,000 back to back) do not wait at all.
 *
 * <p>Thread-safe, lock-free: one compare-and-set per batch.
 */
public final class WorkBudget {
    private final double nanosPerUnit;
    private final long burstNanos;
    private final AtomicLong nextFree;

    /**
     * @param unitsPerSecond what all peers together may ask for, on average
     * @param burst          how much unused rate is kept for later: batches that come together within it do not wait
     */
    public WorkBudget(int unitsPerSecond, Duration burst) {
        this(unitsPerSecond, burst, System::nanoTime);
    }

    /** With {@code clock} in place of {@link System#nanoTime()}: a test's, which it moves. */
    WorkBudget(int unitsPerSecond, Duration burst, LongSupplier clock) {
        if (unitsPerSecond < 1) {
            throw new IllegalArgumentException("unitsPerSecond must be >= 1, not " + unitsPerSecond);
        }
        if (burst.isNegative()) throw new IllegalArgumentException("burst must be >= 0: " + burst);
        this.nanosPerUnit = 1e9 / unitsPerSecond;
        this.burstNanos = burst.toNanos();
        this.nextFree = new AtomicLong(clock.getAsLong() - burstNanos);
    }

    /**
     * Charges {@code units} done at {@code now}.
     *
     * @return how long the caller should wait before doing more, in nanoseconds: 0 while the rate has room
     */
    long charge(int units, long now) {
        long cost = (long) Math.ceil(units * nanosPerUnit);
        long earliest = now - burstNanos;
        while (true) {
            long free = nextFree.get();
            long start = free - earliest < 0 ? earliest : free; // nanoTime may wrap: compare differences
            if (nextFree.compareAndSet(free, start + cost)) return Math.max(0, start - now);
        }
    }
}
