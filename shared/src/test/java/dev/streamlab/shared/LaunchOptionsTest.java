package dev.streamlab.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.shared.cli.LaunchOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LaunchOptionsTest {
    @TempDir
    Path dir;

    @Test
    void defaultsToLoopbackLikeJwebserver() {
        LaunchOptions o = LaunchOptions.parse(List.of(), dir);
        assertEquals("127.0.0.1", o.host());
        assertEquals(8080, o.port());
        assertEquals(dir.toAbsolutePath().normalize(), o.media());
    }

    @Test
    void readsHostPortMediaAndKeepsUnknownArguments() {
        LaunchOptions o = LaunchOptions.parse(List.of("--host", "0.0.0.0", "--port", "0", "--media",
                dir.toString(), "--io", "mapped"), null);
        assertEquals("0.0.0.0", o.host());
        assertEquals(0, o.port());
        assertEquals(List.of("--io", "mapped"), o.rest());
    }

    @Test
    void badValuesGiveMessagesFitForTheCommandLine() throws Exception {
        var e = assertThrows(IllegalArgumentException.class, () -> LaunchOptions.parse(List.of("--port", "x"), dir));
        assertTrue(e.getMessage().contains("--port needs a number"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LaunchOptions.parse(List.of("--port", "70000"), dir));
        assertTrue(e.getMessage().contains("0..65535"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LaunchOptions.parse(List.of("--port"), dir));
        assertTrue(e.getMessage().contains("needs a value"), e.getMessage());
        Path file = Files.createFile(dir.resolve("f"));
        e = assertThrows(IllegalArgumentException.class,
                () -> LaunchOptions.parse(List.of("--media", file.toString()), dir));
        assertTrue(e.getMessage().contains("is not a directory"), e.getMessage());
        for (String option : List.of("--media", "--host", "--port")) { // '' is not the working directory
            e = assertThrows(IllegalArgumentException.class, () -> LaunchOptions.parse(List.of(option, ""), dir));
            assertTrue(e.getMessage().contains(option + " needs a value"), e.getMessage());
        }
    }

    @Test
    void helpIsAskedForWithDashHOrDashDashHelpAnywhere() {
        assertTrue(LaunchOptions.wantsHelp("--port", "0", "--help"));
        assertTrue(LaunchOptions.wantsHelp("-h"));
        assertFalse(LaunchOptions.wantsHelp("--port", "0", "--helpful"));
        assertFalse(LaunchOptions.wantsHelp());
    }
}
