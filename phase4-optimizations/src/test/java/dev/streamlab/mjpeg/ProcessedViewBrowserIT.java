package dev.streamlab.mjpeg;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.browser.Browser;
import dev.streamlab.phase3.Phase3Main;
import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.testing.ExternalTools;
import dev.streamlab.y4m.Y4mProxies;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The processed-live page in Debian's Chromium: WebSocket frames arrive and are drawn on the canvas, the measured
 * fps is above 0, the MJPEG {@code <img>} shows a picture, and switching the filter to grayscale turns the canvas
 * grey.
 *
 * <p>Run alone: {@code mvn -pl phase4-optimizations -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=ProcessedViewBrowserIT -Djmh.skip=true}.
 */
class ProcessedViewBrowserIT {
    private static final String ID = "sample-10s-360p-video-only";
    /** Mean |R-G| + |G-B| of the canvas: about 0 when grey. */
    private static final String CANVAS_COLOUR = """
            const c = document.getElementById('canvas');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let sum = 0;
            for (let i = 0; i < d.length; i += 4) sum += Math.abs(d[i] - d[i + 1]) + Math.abs(d[i + 1] - d[i + 2]);
            return sum / (d.length / 4);
            """;

    private static Browser browser;
    private static Phase3Server server;
    private static Path cache;

    @BeforeAll
    static void start() throws IOException {
        browser = Browser.open(); // first: skips (or fails under CI) before anything else starts
        Path ffmpeg = ExternalTools.ffmpeg();
        cache = Files.createTempDirectory("streamlab-processed-it");
        Y4mProxies proxies = new Y4mProxies(cache.resolve("y4m"), ffmpeg.toString());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setProperty("streamlab.frontend", ExternalTools.root().resolve("frontend").toString());
        server = Phase3Main.start(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err), "test",
                (s, ws) -> FrameProcessing.install(s, ws, proxies),
                "--port", "0", "--media", ExternalTools.media().toString(), "--quiet");
        assertNotNull(server, err.toString());
    }

    @AfterAll
    static void stop() throws IOException {
        try {
            if (browser != null) browser.close();
        } finally {
            if (server != null) server.close();
            if (cache != null) {
                try (var s = Files.walk(cache)) {
                    for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void framesArriveAtAMeasuredRateAndAFilterSwitchChangesThePixels() {
        browser.get(URI.create("about:blank"));
        browser.clearConsoleErrors();
        browser.get(URI.create(server.uri() + "processed.html?video=" + ID + "&filter=none"));
        Duration wait = Duration.ofSeconds(60); // the first visit has ffmpeg make the proxy
        browser.await("WebSocket frames to arrive", wait,
                d -> browser.number("return window.processedView ? window.processedView.wsFrames() : 0") >= 10);
        browser.awaitTrue("a measured fps above 0", "return window.processedView.fps().ws > 0");
        browser.awaitTrue("the MJPEG image to show a frame", "return document.getElementById('mjpeg').naturalWidth > 0");
        browser.awaitTrue("a measured MJPEG fps above 0", "return window.processedView.fps().mjpeg > 0");
        double colour = browser.await("a colourful canvas", Browser.WAIT, d -> {
            double c = browser.number(CANVAS_COLOUR);
            return c > 3 ? c : null;
        });
        browser.script("""
                const s = document.getElementById('filter');
                s.value = 'grayscale';
                s.dispatchEvent(new Event('change'));
                """);
        browser.awaitTrue("the WebSocket to confirm the filter",
                "return document.getElementById('ws-state').textContent.includes('grayscale')");
        double grey = browser.await("a grey canvas", Browser.WAIT, d -> {
            double c = browser.number(CANVAS_COLOUR);
            return c < 3 ? c : null;
        });
        assertTrue(grey < colour, grey + " vs " + colour);
        System.out.println("page fps readouts: " + browser.script("return window.processedView.fps()"));
        assertTrue(browser.script("return document.getElementById('mjpeg').src").toString().contains("filter=grayscale"));
        browser.assertNoConsoleErrors();
    }
}
