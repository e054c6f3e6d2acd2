package dev.streamlab.phase4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.phase2.RawHttp;
import dev.streamlab.phase3.Phase3Main;
import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.testing.ExternalTools;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code ./lab run phase4}: the dashboard and the cache routes are installed and announced. */
class Phase4MainTest {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void frontend() {
        System.setProperty("streamlab.frontend", ExternalTools.root().resolve("frontend").toString());
    }

    @AfterEach
    void clear() {
        System.clearProperty("streamlab.cache.bytes");
    }

    Phase3Server start() {
        return Phase4Main.start(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                "--port", "0", "--media", ExternalTools.media().toString(), "--quiet");
    }

    @Test
    void servesTheDashboardAndAnnouncesIt() throws Exception {
        Phase3Server server = start();
        assertNotNull(server, err.toString(StandardCharsets.UTF_8));
        try {
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("Dashboard: " + server.uri() + "dashboard"),
                    out.toString(StandardCharsets.UTF_8));
            RawHttp.Response page = RawHttp.get(server.uri(), "/dashboard");
            assertEquals(200, page.status());
            assertTrue(page.header("Content-Type").startsWith("text/html"));
            assertTrue(page.text().contains("/js/dashboard.js"));
            assertEquals(200, RawHttp.get(server.uri(), "/dashboard.html").status());
            assertEquals(200, RawHttp.get(server.uri(), "/js/dashboard.js").status());
            assertEquals(404, RawHttp.get(server.uri(), "/dashboard/nope").status());
            assertEquals(405, RawHttp.send(server.uri(), "POST", "/dashboard").status());
            String metrics = RawHttp.get(server.uri(), "/metrics").text();
            assertTrue(metrics.contains("streamlab_cache_capacity_bytes " + (128L << 20)), metrics);
            assertTrue(metrics.contains("streamlab_jvm_gc_collections_total"), metrics);
        } finally {
            server.close();
        }
    }

    @Test
    void aBadCacheSizeIsRefusedWithAReadableMessage() {
        System.setProperty("streamlab.cache.bytes", "lots");
        assertNull(start());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("phase4: -Dstreamlab.cache.bytes needs a byte count"),
                err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aZeroCacheSizeTurnsTheCacheOff() throws Exception {
        System.setProperty("streamlab.cache.bytes", "0");
        Phase3Server server = start();
        assertNotNull(server, err.toString(StandardCharsets.UTF_8));
        try {
            RawHttp.get(server.uri(), "/cached/videos/sample-10s-360p-bframes");
            RawHttp.get(server.uri(), "/cached/videos/sample-10s-360p-bframes");
            String metrics = RawHttp.get(server.uri(), "/metrics").text();
            assertTrue(metrics.contains("streamlab_cache_bypasses_total{kind=\"range\"} 2"), metrics);
            assertTrue(metrics.contains("streamlab_cache_resident_bytes 0"), metrics);
        } finally {
            server.close();
        }
    }

    @Test
    void helpPrintsPhase3sOptionsUnderPhase4sName() throws Exception {
        ExternalTools.Exit r = ExternalTools.javaMain(Phase4Main.class, "--help");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith(Phase3Main.usage("phase4") + "\n"), r.out());
    }
}
