package dev.streamlab.http1;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A cap on the work one connection's peer can ask for: at most {@code units} per {@code window}; past that, the
 * connection's thread sleeps until the window is over. A peer that stays under the cap never waits here.
 *
 * <p>Why a server on virtual threads needs one: a virtual thread is never preempted, it runs until it blocks. A
 * connection whose reads always find bytes and whose writes always find room (a client flooding Pings and reading the
 * Pongs as fast as they come) never blocks, so it keeps its carrier for as long as its peer likes, and one such peer
 * per carrier stops every other connection, a new client's handshake included. {@code CarrierStarvationTest} shows it:
 * three flooders on two carriers, and the new client was never answered.
 *
 * <p>What did not work: giving the carrier back now and then without a cap. {@code Thread.yield()} puts the thread back
 * on its own carrier's submission queue, and the JDK 25 {@code ForkJoinPool} worker keeps taking tasks from the queue
 * it last took one from while that queue is not empty, so each worker cycled through its own flooder and never scanned
 * the queue with the new connection's thread: the test still failed. A short timed park after every 64 units fixed
 * three flooders but not twenty (the new client waited 0.7–13 s, once more than 20 s), because twenty busy peers still
 * kept both carriers saturated. A cap bounds what each peer can take: at 64 Pings per 10 ms a flooder gets 6,400 Pongs a
 * second, where one without a cap got about 150,000 from a carrier of its own (1.5 M Pongs in 10 s in the test's
 * first, failing run), so it takes some fifty flooders, not three, to fill two carriers. Measured with the cap: the
 * new client answered in 4–12 ms under three flooders and 16 ms under twenty.
 *
 * <p>Fifty flooders at the cap fill two carriers all the same (a new client waited 3.6 s under sixty), so a cap may
 * also charge its peer's work to a {@link WorkBudget} shared by every connection: the rate for all peers together.
 * A batch that finds it used up waits for its turn, so the carriers' time spent on peers' frames is bounded however
 * many connections share it.
 *
 * <p>Not thread-safe: one per connection, ticked by the thread that does the connection's work.
 */
public final class WorkCap {
    /** How a cap waits; the real one is {@link Thread#sleep(Duration)}, a test's records and moves its clock. */
    interface Sleeper {
        void sleep(long nanos) throws InterruptedException;
    }

    private final int units;
    private final long windowNanos;
    private final WorkBudget shared;
    private final LongSupplier clock;
    private final Sleeper sleeper;
    private int used;
    private long windowStart;

    /** A cap for one peer alone, charging no shared budget. */
    public WorkCap(int units, Duration window) {
        this(units, window, null);
    }

    /**
     * @param shared what all connections' caps together may let through, charged {@code units} at a time; null for
     *               none (this peer's cap alone)
     */
    public WorkCap(int units, Duration window, WorkBudget shared) {
        this(units, window, shared, System::nanoTime, nanos -> Thread.sleep(Duration.ofNanos(nanos)));
    }

    /** With a test's clock and sleep in place of {@link System#nanoTime()} and {@link Thread#sleep(Duration)}. */
    WorkCap(int units, Duration window, WorkBudget shared, LongSupplier clock, Sleeper sleeper) {
        if (units < 1) throw new IllegalArgumentException("units must be >= 1, not " + units);
        if (window.isNegative() || window.isZero()) throw new IllegalArgumentException("window must be > 0: " + window);
        this.units = units;
        this.windowNanos = window.toNanos();
        this.shared = shared;
        this.clock = clock;
        this.sleeper = sleeper;
        this.windowStart = clock.getAsLong();
    }

    /**
     * One unit of work done (a message or control frame handled). When it is the window's last unit, charges the
     * window's units to the shared budget, and sleeps until the window is over or the budget has room for more,
     * whichever is later; an interrupt ends the sleep early and stays set for the caller to see.
     *
     * @return whether this call slept (the peer was over its cap, or all peers together over the shared budget)
     */
    public boolean tick() {
        if (++used < units) return false;
        used = 0;
        long now = clock.getAsLong();
        long left = windowNanos - (now - windowStart);
        if (shared != null) left = Math.max(left, shared.charge(units, now));
        if (left > 0) {
            try {
                sleeper.sleep(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        windowStart = clock.getAsLong();
        return left > 0;
    }
}
