package dev.streamlab.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.phase2.RawHttp;
import dev.streamlab.phase3.Phase3Main;
import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.testing.ExternalTools;
import dev.streamlab.testing.Fifos;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Phase 4's routes that open a catalog video ({@code /cached/videos}, {@code /cached/segments},
 * {@code /remux/segments}) when the listed file has since become something that cannot be opened. The catalog
 * answers from a listing up to a second old, so a request can name a path that is now a FIFO (whose open for reading
 * blocks until a writer comes) or a symbolic-link loop (ELOOP): each must answer 404, as phase 2's and 3's
 * {@code /videos} do, not hang its thread or close the connection unanswered.
 */
class CachedRoutesReplacedVideoTest {
    static final String SOURCE = "sample-10s-360p-video-only";

    @org.junit.jupiter.api.io.TempDir
    static Path media;
    static Phase3Server server;

    @BeforeAll
    static void start() throws Exception {
        Files.copy(ExternalTools.media().resolve(SOURCE + ".mp4"), media.resolve(SOURCE + ".mp4"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setProperty("streamlab.frontend", ExternalTools.root().resolve("frontend").toString());
        server = Phase3Main.start(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err), "phase4-test",
                (s, ws) -> CacheRoutes.install(s, 16L << 20), "--port", "0", "--media", media.toString(), "--quiet");
        assertNotNull(server, err.toString(StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    /** A FIFO would block the open for good (no writer comes); a link loop fails it with ELOOP. Both: a 404. */
    @ParameterizedTest
    @CsvSource({
            "fifo, /cached/videos/%s", "fifo, /cached/segments/%s/video/init", "fifo, /remux/segments/%s/video/0",
            "loop, /cached/videos/%s", "loop, /cached/segments/%s/video/init", "loop, /remux/segments/%s/video/0"})
    void aVideoReplacedByAFifoOrASymlinkLoopGetsA404(String kind, String route) throws Exception {
        String id = "soon-a-" + kind + "-" + Math.abs(route.hashCode());
        Path file = media.resolve(id + ".mp4");
        Files.copy(media.resolve(SOURCE + ".mp4"), file);
        try {
            server.catalog().rescan();
            // Served once first: what a route keeps of the file (an open channel, a remuxer) must be found stale.
            assertEquals(200, RawHttp.get(server.uri(), route.formatted(id)).status());
            Files.delete(file);
            if (kind.equals("fifo")) Fifos.make(file);
            else Files.createSymbolicLink(file, file.getFileName());
            RawHttp.Response r = RawHttp.get(server.uri(), route.formatted(id));
            assertEquals(404, r.status(), r.text());
            assertTrue(r.text().contains(id) && !r.text().contains(media.toString()), r.text());
        } finally {
            Fifos.release(file);
            Files.deleteIfExists(file);
            server.catalog().rescan();
        }
    }
}
