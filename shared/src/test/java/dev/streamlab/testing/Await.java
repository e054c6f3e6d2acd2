package dev.streamlab.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Waiting on a condition, bounded in time: the one polling loop the tests share, instead of each writing its own
 * {@code while (...) Thread.sleep(...)}. Tests wait for what they need (a counter to move, a server to go idle),
 * never for a fixed time.
 */
public final class Await {
    private Await() {}

    /** A condition that may do I/O (read /metrics, count file descriptors). */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /**
     * Polls {@code condition} every few milliseconds until it holds or {@code timeout} passes.
     *
     * @return whether it held; callers assert on the result (or on the state it describes) with their own message
     */
    public static boolean until(Duration timeout, Condition condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) return false;
            LockSupport.parkNanos(5_000_000);
            if (Thread.interrupted()) throw new InterruptedException();
        }
        return true;
    }
}
