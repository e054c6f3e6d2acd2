package dev.streamlab.phase2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.testing.ExternalTools;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code ./lab run phase2}: the options a student can ask about, and the ones it refuses. */
class Phase2MainTest {
    @Test
    void helpPrintsTheUsageAndStartsNothing() throws Exception {
        // In its own JVM: a main that started a server would block and never exit 0.
        for (String flag : new String[] {"--help", "-h"}) {
            ExternalTools.Exit r = ExternalTools.javaMain(Phase2Main.class, "--port", "0", flag);
            assertEquals(0, r.status(), r.err());
            assertEquals(Phase2Main.USAGE + "\n", r.out());
        }
    }

    @Test
    void anUnknownArgumentIsNamedWithTheUsage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertNull(Phase2Main.start(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), "--port", "0", "--bogus"));
        String said = err.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("unknown argument --bogus") && said.contains(Phase2Main.USAGE), said);
    }
}
