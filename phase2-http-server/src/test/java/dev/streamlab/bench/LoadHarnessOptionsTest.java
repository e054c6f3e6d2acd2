package dev.streamlab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The load harness's options and what its report says of them; no server is started. */
class LoadHarnessOptionsTest {

    @Test
    void theServersHeapIs512MegabytesUnlessToldAndTheReportSaysWhichWasUsed() {
        LoadHarness.Options usual = LoadHarness.Options.parse("--jvm-arg", "-XX:+UseSerialGC");
        assertEquals(List.of("-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC"),
                ServerProcess.jvmOptions(usual.heap(), usual.jvmArgs()));

        LoadHarness.Options small = LoadHarness.Options.parse("--heap", "64m", "--servers", "phase3,nginx");
        assertEquals(List.of("-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch"),
                ServerProcess.jvmOptions(small.heap(), small.jvmArgs()));
        String md = LoadHarness.report(small, List.of());
        assertTrue(md.contains("phase 2 = `java -Xms64m -Xmx64m -XX:+AlwaysPreTouch "), md);
        assertTrue(md.contains("phase 3 = `java -Xms64m -Xmx64m -XX:+AlwaysPreTouch dev.streamlab.phase3.Phase3Main"),
                md);
        assertFalse(md.contains("512m"), md);
    }

    @Test
    void aHeapThatIsNotASizeIsRefusedWithTheOptionsName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LoadHarness.Options.parse("--heap", "-Xmx1g"));
        assertEquals("--heap takes a size such as 64m or 1g, not -Xmx1g", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LoadHarness.Options.parse("--heap", "0m"));
        assertThrows(IllegalArgumentException.class, () -> LoadHarness.Options.parse("--heap"));
    }
}
