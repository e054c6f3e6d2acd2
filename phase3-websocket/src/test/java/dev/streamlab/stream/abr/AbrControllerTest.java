package dev.streamlab.stream.abr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The auto rules of {@link AbrController}, report by report on a fake clock (one report per second). */
class AbrControllerTest {
    private static final long[] LADDER = {378_000, 728_000, 1_328_000};
    private static final long SECOND = 1_000_000_000L;
    private static final double LOW = 4;
    private static final double HIGH = 10;

    @Test
    void climbsOneRungAfterTwoGoodReportsWithAHealthyBuffer() {
        AbrController abr = new AbrController(LADDER, 0, LOW, HIGH);
        double fast = 1.6 * LADDER[1];
        assertNull(abr.report(9, fast, 0), "one good report is not enough");
        AbrController.Switch up = abr.report(9, fast, SECOND);
        assertNotNull(up);
        assertEquals(1, up.rung());
        assertNull(abr.report(9, 1.6 * LADDER[2], 2 * SECOND), "the count starts again after a switch");
        assertEquals(2, abr.report(9, 1.6 * LADDER[2], 3 * SECOND).rung());
        assertNull(abr.report(9, 1e9, 4 * SECOND), "no rung above the top");
    }

    @Test
    void doesNotClimbOnALowBufferOrWithinTenSecondsOfAFall() {
        AbrController abr = new AbrController(LADDER, 1, LOW, HIGH);
        double fast = 2 * LADDER[2];
        for (int i = 0; i < 5; i++) assertNull(abr.report(5, fast, i * SECOND), "buffer 5 s < (4 + 10) / 2");
        AbrController.Switch down = abr.report(9, 0.5 * LADDER[1], 5 * SECOND);
        assertEquals(0, down.rung());
        assertTrue(down.reason().contains("throughput"), down.reason());
        for (int s = 6; s < 15; s++) assertNull(abr.report(9, fast, s * SECOND), "held for 10 s after a fall, at " + s);
        assertEquals(1, abr.report(9, fast, 15 * SECOND).rung());
    }

    @Test
    void goesDownOnAnEmptyingBufferOnlyOnceTheBufferHadReachedLow() {
        AbrController abr = new AbrController(LADDER, 2, LOW, HIGH);
        assertNull(abr.report(1, Double.NaN, 0), "still filling after a start: not a sign of a slow path");
        assertNull(abr.report(5, Double.NaN, SECOND));
        assertNull(abr.report(3, Double.NaN, 2 * SECOND), "just below low is the refill's moment, not a sign");
        AbrController.Switch down = abr.report(1.9, Double.NaN, 3 * SECOND);
        assertEquals(1, down.rung());
        assertTrue(down.reason().contains("buffer"), down.reason());
        assertNull(abr.report(1, Double.NaN, 4 * SECOND), "re-armed only when the buffer reaches low again");
    }

    @Test
    void alternatingReportsDoNotFlap() {
        AbrController abr = new AbrController(LADDER, 1, LOW, HIGH);
        int switches = 0;
        // Good enough to climb, then merely fine, alternating for a minute: never two good ones in a row.
        for (int s = 0; s < 60; s++) {
            double throughput = s % 2 == 0 ? 2 * LADDER[2] : 1.3 * LADDER[1];
            if (abr.report(9, throughput, s * SECOND) != null) switches++;
        }
        assertEquals(0, switches, "a 1.2x-1.5x dead band and two reports in a row");
        assertEquals(1, abr.target());
        // Bad, then good, alternating: one fall, then the 10 s hold and the two-report rule keep it down.
        for (int s = 60; s < 120; s++) {
            double throughput = s % 2 == 0 ? 0.5 * LADDER[1] : 2 * LADDER[2];
            if (abr.report(9, throughput, s * SECOND) != null) switches++;
        }
        assertEquals(1, switches, "one switch down, no oscillation");
        assertEquals(0, abr.target());
    }

    @Test
    void manualPinIgnoresReportsUntilAuto() {
        AbrController abr = new AbrController(LADDER, 0, LOW, HIGH);
        abr.pin(2);
        for (int s = 0; s < 5; s++) assertNull(abr.report(1, 1_000, s * SECOND));
        assertEquals(2, abr.target());
        abr.resumeAuto();
        abr.report(5, Double.NaN, 5 * SECOND);
        assertEquals(1, abr.report(5, 1_000, 6 * SECOND).rung(), "auto again, from the pinned rung");
        assertEquals(0, abr.behind(7 * SECOND).rung(), "a skip takes it down at once");
        assertNull(abr.behind(8 * SECOND), "nothing below the lowest rung");
        abr.pin(1);
        assertNull(abr.behind(9 * SECOND), "manual: a skip does not change the rung");
    }
}
