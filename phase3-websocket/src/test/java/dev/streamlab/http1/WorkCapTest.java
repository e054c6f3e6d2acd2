package dev.streamlab.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cap's arithmetic on a clock the test moves (no real waiting); what it protects against is
 * CarrierStarvationTest's.
 */
class WorkCapTest {
    /** A clock that moves only when told to, or when the cap sleeps on it. */
    private long now = 1_000_000_000L;
    private final List<Long> slept = new ArrayList<>();

    private WorkCap cap(int units, Duration window) {
        return cap(units, window, null);
    }

    private WorkCap cap(int units, Duration window, WorkBudget shared) {
        return new WorkCap(units, window, shared, () -> now, nanos -> {
            slept.add(nanos);
            now += nanos;
        });
    }

    @Test
    void theUnitThatFillsAWindowEarlySleepsOutTheRestOfIt() {
        WorkCap cap = cap(3, Duration.ofMillis(300));
        assertFalse(cap.tick());
        now += 100_000_000L;
        assertFalse(cap.tick());
        assertTrue(cap.tick(), "the third unit within 300 ms fills the window");
        assertEquals(List.of(200_000_000L), slept, "slept out the 200 ms left of the window");
        // The next window starts when the sleep ended: three more units at once wait a whole window.
        cap.tick();
        cap.tick();
        assertTrue(cap.tick());
        assertEquals(List.of(200_000_000L, 300_000_000L), slept);
    }

    @Test
    void aPeerUnderTheCapNeverSleeps() {
        WorkCap cap = cap(2, Duration.ofMillis(50));
        for (int w = 0; w < 3; w++) {
            assertFalse(cap.tick());
            now += 60_000_000L; // the window is over before its second unit
            assertFalse(cap.tick(), "window " + w);
        }
        assertEquals(List.of(), slept);
    }

    @Test
    void peersUnderTheirOwnCapWaitTheirTurnWhenTogetherTheyExceedTheSharedBudget() {
        // 10 units a second for everyone, no burst; each peer may do 2 units per 100 ms (20 a second) on its own.
        WorkBudget shared = new WorkBudget(10, Duration.ZERO, () -> now);
        WorkCap a = cap(2, Duration.ofMillis(100), shared);
        WorkCap b = cap(2, Duration.ofMillis(100), shared);
        now += 500_000_000L; // both windows are long over: only the budget can make anyone wait
        a.tick();
        assertFalse(a.tick(), "the first batch of two units finds the budget free");
        b.tick();
        assertTrue(b.tick(), "the second batch waits until the first one's 200 ms are over");
        assertEquals(List.of(200_000_000L), slept);
        a.tick();
        assertTrue(a.tick(), "and a's next batch queues behind b's");
        assertEquals(List.of(200_000_000L, 200_000_000L), slept);
    }

    @Test
    void aPeersOwnWindowStillAppliesWhenTheSharedBudgetHasRoom() {
        WorkBudget shared = new WorkBudget(1_000_000, Duration.ofSeconds(1), () -> now);
        WorkCap cap = cap(2, Duration.ofMillis(100), shared);
        cap.tick();
        assertTrue(cap.tick());
        assertEquals(List.of(100_000_000L), slept, "the peer's own cap, not the budget's 2 µs");
    }

    @Test
    void anInterruptEndsTheSleepAndStaysSet() {
        WorkCap cap = new WorkCap(1, Duration.ofHours(1)); // the real sleep: a pending interrupt ends it at once
        Thread.currentThread().interrupt();
        try {
            assertTrue(cap.tick(), "over the cap: it meant to sleep");
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is left for the caller");
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void nonsenseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new WorkCap(0, Duration.ofMillis(1)));
        assertThrows(IllegalArgumentException.class, () -> new WorkCap(1, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new WorkCap(1, Duration.ofMillis(-1)));
    }
}
