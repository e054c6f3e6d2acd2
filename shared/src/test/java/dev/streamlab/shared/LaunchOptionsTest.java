package dev.streamlab.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.shared.cli.LaunchOptions;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
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

    @Test
    void urlOfAnnouncesAWildcardBindAsLoopbackAndBracketsIpv6() throws Exception {
        assertEquals(URI.create("http://127.0.0.1:8080/"), LaunchOptions.urlOf(new InetSocketAddress(8080)));
        assertEquals(URI.create("http://127.0.0.1:1/"),
                LaunchOptions.urlOf(new InetSocketAddress(InetAddress.getByName("::"), 1)));
        assertEquals(URI.create("http://10.1.2.3:80/"),
                LaunchOptions.urlOf(new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 80)));
        assertEquals(URI.create("http://[0:0:0:0:0:0:0:1]:9000/"),
                LaunchOptions.urlOf(new InetSocketAddress(InetAddress.getByName("::1"), 9000)));
        // A link-local address with its zone: RFC 6874 writes the % as %25, or URI.create would refuse it.
        URI zoned = LaunchOptions.urlOf(new InetSocketAddress(
                Inet6Address.getByAddress(null, InetAddress.getByName("fe80::1").getAddress(), 3), 8080));
        assertEquals("http://[fe80:0:0:0:0:0:0:1%253]:8080/", zoned.toString());
        assertEquals(8080, zoned.getPort());
    }
}
