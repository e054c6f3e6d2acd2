package dev.streamlab.phase3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.phase2.RawHttp;
import dev.streamlab.testing.ExternalTools;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** {@code ./lab run phase3}: options, the "Open http://..." line, and clear errors. */
class Phase3MainTest {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    Phase3Server start(String... args) {
        System.setProperty("streamlab.frontend", ExternalTools.root().resolve("frontend").toString());
        return Phase3Main.start(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
    }

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "platform"})
    void startsOnAFreePortAndPrintsTheAddressToOpen(String threads) throws Exception {
        Phase3Server server = start("--port", "0", "--media", ExternalTools.media().toString(), "--threads", threads,
                "--quiet");
        assertNotNull(server, err.toString(StandardCharsets.UTF_8));
        try {
            String printed = out.toString(StandardCharsets.UTF_8);
            Matcher m = Pattern.compile("Open http://127\\.0\\.0\\.1:(\\d+)/").matcher(printed);
            assertTrue(m.find(), printed);
            assertEquals(server.uri().getPort(), Integer.parseInt(m.group(1)));
            assertTrue(printed.contains(threads + " thread per connection"), printed);
            assertEquals(200, RawHttp.get(server.uri(), "/api/videos").status());
        } finally {
            server.close();
        }
    }

    @Test
    void badOptionsAreExplainedAndStartNothing() {
        assertNull(start("--port", "0", "--threads", "green"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--threads must be virtual or platform"), err.toString());
        err.reset();
        assertNull(start("--port", "0", "--bogus"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown argument --bogus\n" + Phase3Main.usage("phase3")),
                err.toString());
        err.reset();
        assertNull(start("--port", "0", "--max-connections", "many"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--max-connections needs a number, got 'many'"));
        err.reset();
        // Said in the option's own words, not the settings record's field name.
        assertNull(start("--port", "0", "--max-connections", "0"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--max-connections must be at least 1, got 0"),
                err.toString());
        err.reset();
        // An address no resolver knows: the JDK's exception has no message, which printed as "phase3: null".
        assertNull(start("--port", "0", "--host", "999.1.1.1", "--media", ExternalTools.media().toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("cannot resolve the host"), err.toString());
    }

    @Test
    void helpPrintsTheUsageAndStartsNothing() throws Exception {
        // In its own JVM: a main that started a server would block and never exit 0.
        ExternalTools.Exit r = ExternalTools.javaMain(Phase3Main.class, "--help");
        assertEquals(0, r.status(), r.err());
        assertEquals(Phase3Main.usage("phase3") + "\n", r.out());
    }
}
