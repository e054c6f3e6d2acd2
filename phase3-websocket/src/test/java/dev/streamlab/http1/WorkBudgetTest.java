package dev.streamlab.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The shared budget's reservation arithmetic, on a clock the test holds still or moves (no real waiting). */
class WorkBudgetTest {
    private static final long MS = 1_000_000L;
    /** Far from 0, and negative: System.nanoTime() may be either. */
    private final long t0 = -5_000 * MS;

    @Test
    void batchesPastTheRateWaitOneAfterAnotherNotAllForTheSameInstant() {
        WorkBudget b = new WorkBudget(1_000, Duration.ZERO, () -> t0); // 1 ms per unit
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 4; i++) waits.add(b.charge(10, t0) / MS);
        assertEquals(List.of(0L, 10L, 20L, 30L), waits, "each 10-unit batch takes the next 10 ms");
    }

    @Test
    void unusedRateIsKeptUpToTheBurstAndNoMore() {
        WorkBudget b = new WorkBudget(1_000, Duration.ofMillis(25), () -> t0);
        long later = t0 + 1_000 * MS; // idle for a second: only 25 ms of it is kept
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 4; i++) waits.add(b.charge(10, later) / MS);
        assertEquals(List.of(0L, 0L, 0L, 5L), waits, "three batches fit in the 25 ms kept; the fourth waits 5 ms");
    }

    @Test
    void theRateComesBackAsTimePasses() {
        WorkBudget b = new WorkBudget(1_000, Duration.ZERO, () -> t0);
        assertEquals(0, b.charge(10, t0));
        assertEquals(10 * MS, b.charge(10, t0));
        assertEquals(0, b.charge(10, t0 + 20 * MS), "20 ms on, both batches are paid for");
    }

    @Test
    void concurrentChargesEachGetASlotOfTheirOwn() throws InterruptedException {
        WorkBudget b = new WorkBudget(1_000, Duration.ZERO, () -> t0);
        int threads = 8;
        int each = 1_000;
        AtomicLong total = new AtomicLong();
        AtomicLong latest = new AtomicLong();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> started = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            started.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int k = 0; k < each; k++) {
                    long w = b.charge(1, t0);
                    total.addAndGet(w);
                    latest.accumulateAndGet(w, Math::max);
                }
            }));
        }
        go.countDown();
        for (Thread t : started) t.join();
        int n = threads * each;
        // Slots 0..n-1 ms, each handed out once: the waits are exactly 0 + 1 + ... + (n - 1) ms.
        assertEquals((long) n * (n - 1) / 2 * MS, total.get(), "no slot given twice, none skipped");
        assertEquals((n - 1) * MS, latest.get());
    }

    @Test
    void nonsenseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new WorkBudget(0, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new WorkBudget(1, Duration.ofMillis(-1)));
    }
}
