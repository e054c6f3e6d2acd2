package dev.streamlab.http1;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The cap's arithmetic; what it protects against is CarrierStarvationTest's. */
class WorkCapTest {
    @Test
    void theUnitThatFillsAWindowEarlySleepsOutTheRestOfIt() {
        WorkCap cap = new WorkCap(3, Duration.ofMillis(300));
        long start = System.nanoTime();
        assertFalse(cap.tick());
        assertFalse(cap.tick());
        assertTrue(cap.tick(), "the third unit within 300 ms fills the window");
        // A lower bound only: a sleep can end late on a busy machine, never early.
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(300).toNanos(), "slept out the window");
    }

    @Test
    void aPeerUnderTheCapNeverSleeps() throws Exception {
        WorkCap cap = new WorkCap(2, Duration.ofMillis(50));
        for (int w = 0; w < 3; w++) {
            assertFalse(cap.tick());
            Thread.sleep(60); // the window is over before its second unit
            assertFalse(cap.tick(), "window " + w);
        }
    }

    @Test
    void anInterruptEndsTheSleepAndStaysSet() {
        WorkCap cap = new WorkCap(1, Duration.ofHours(1));
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
