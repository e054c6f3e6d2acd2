package dev.streamlab.phase3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.browser.Browser;
import dev.streamlab.phase2.RawHttp;
import dev.streamlab.stream.PlayerPage;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pages of other phases that a phase 3 server serves anyway (it serves every file of {@code frontend/}), in
 * Chromium: phase 4's processed view and dashboard, phase 1's MP4 inspector. Each says once which phase serves it
 * and the command that starts that phase, and sends no request that fails again and again.
 *
 * <p>Run alone: {@code mvn -pl phase3-websocket -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=OtherPhasePagesBrowserIT -Djmh.skip=true}.
 */
class OtherPhasePagesBrowserIT {
    private static final String PHASE4_COMMAND = "./lab run phase4 (or just ./lab run)";

    private static Browser browser;
    private static Phase3Server server;

    @BeforeAll
    static void start() throws IOException {
        browser = Browser.open(); // first: skips (or fails under CI) before anything else starts
        server = SampleServer.start();
    }

    @AfterAll
    static void stop() {
        PlayerPage.close(browser, server);
    }

    @BeforeEach
    void blankPage() {
        PlayerPage.blank(browser);
    }

    @Test
    void processedViewNamesPhase4AndOpensNoStream() throws IOException {
        long notFound = notFound();
        browser.get(server.uri().resolve("/processed.html?video=sample-10s-360p-video-only"));
        browser.awaitTrue("the page to say which phase serves it",
                "const e = document.getElementById('error'); return !e.hidden && e.textContent.length > 0;");
        String text = (String) browser.script("return document.getElementById('error').textContent;");
        assertTrue(text.contains("phase 4 page") && text.contains(PHASE4_COMMAND), text);
        assertEquals(Boolean.TRUE, browser.script("return document.getElementById('filter').disabled;"),
                "nothing to filter");
        assertEquals(notFound, notFound(), "no request for /mjpeg/, /ws/processed/ or /thumbs/ (each a 404 here)");
        assertEquals("", browser.script("return document.getElementById('mjpeg').getAttribute('src') || '';"),
                "no MJPEG stream requested");
        assertEquals("– fps", browser.script("return document.getElementById('ws-fps').textContent;"),
                "no rate measured for a stream that never started");
        browser.assertNoConsoleErrors(); // no failed /ws/processed/ handshake, no 404
    }

    @Test
    void dashboardNamesPhase4AndNeverAsksForTheClientLevels() throws IOException {
        long notFound = notFound();
        browser.get(server.uri().resolve("/dashboard.html"));
        // Three polls drawn: time enough for the old page to ask for /api/dashboard/clients three times.
        browser.awaitTrue("three polls of /metrics drawn",
                "return window.streamlabDashboard && window.streamlabDashboard.polls >= 3;");
        String note = (String) browser.script("""
                const n = document.getElementById('phase-note');
                return n && !n.hidden ? n.textContent : null;""");
        assertTrue(note != null && note.contains("phase 4 page") && note.contains(PHASE4_COMMAND), "" + note);
        assertEquals(notFound, notFound(), "no request for /api/dashboard/clients (a 404 here)");
        assertEquals("n/a phase 4's: it reads the players' stats messages on /ws/stream", browser.script(
                "return document.getElementById('v-buffers').textContent + ' '"
                        + " + document.getElementById('d-buffers').textContent;"),
                "the per-client tile says whose it is, not that something is unfinished");
        assertEquals(null, browser.script("return window.streamlabDashboard.lastError;"));
        browser.screenshot("dashboard-on-phase3");
        browser.assertNoConsoleErrors();
    }

    @Test
    void probePageNamesPhase1AfterOneRequest() {
        long notFound = notFound();
        browser.get(server.uri().resolve("/probe.html"));
        browser.awaitTrue("the page to say which phase serves it", "return !!document.getElementById('other-phase');");
        String text = (String) browser.script("return document.getElementById('out').textContent;");
        assertTrue(text.contains("phase 1 page") && text.contains("./lab run phase1"), text);
        // The server counts a request once its response is out, a moment after the page may have read it.
        browser.await("the server to count the 404", Browser.WAIT, d -> notFound() > notFound ? true : null);
        assertEquals(notFound + 1, notFound(), "one 404: /api/probe, asked once");
        // Chromium logs every failed load: that one 404 is the console's only line (no TypeError, no favicon.ico).
        List<String> errors = browser.consoleErrors();
        assertEquals(1, errors.size(), "console: " + errors);
        assertTrue(errors.getFirst().contains("/api/probe") && errors.getFirst().contains("404"), errors.getFirst());
    }

    private static long notFound() {
        return RawHttp.notFoundCount(server.uri());
    }
}
