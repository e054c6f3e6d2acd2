package dev.streamlab.phase2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.testing.ExternalTools;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
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

    @Test
    void anUnresolvableHostOrABusyPortSaysWhatToTry() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        // jdk.httpserver reports it as a SocketException "Unresolved address", which said nothing about --host.
        assertNull(Phase2Main.start(o, e, "--port", "0", "--host", "999.1.1.1", "--media", ExternalTools.media().toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("phase2: cannot resolve the host to listen on; try"
                + " --host 127.0.0.1"), err.toString(StandardCharsets.UTF_8));
        err.reset();
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertNull(Phase2Main.start(o, e, "--port", String.valueOf(busy.getLocalPort()),
                    "--media", ExternalTools.media().toString()));
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("is the port in use? Try --port 0"),
                    err.toString(StandardCharsets.UTF_8));
        }
    }
}
