package dev.streamlab.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.phase1.Phase1Server;
import dev.streamlab.phase2.Phase2Server;
import dev.streamlab.phase2.RawHttp;
import dev.streamlab.testing.ExternalTools;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Phase 1's MP4 inspector ({@code frontend/probe.html}) in Chromium, on its own server and on phase 2's, which serves
 * every file of {@code frontend/} but has no {@code /api/probe}: there the page names the phase it belongs to and
 * the command that starts it, after one request, instead of a script error.
 *
 * <p>Run alone: {@code mvn -pl phase2-http-server -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=ProbePageBrowserIT -Djmh.skip=true}.
 */
class ProbePageBrowserIT {
    // Closed by JUnit after the class's tests (a field still null, when the browser skipped, is left alone).
    @AutoClose
    static Browser browser;
    @AutoClose
    static Phase1Server phase1;
    @AutoClose
    static Phase2Server phase2;

    @BeforeAll
    static void start() throws IOException {
        browser = Browser.open(); // first: skips (or fails under CI) before anything else starts
        phase1 = Phase1Server.start("127.0.0.1", 0, ExternalTools.media(), ExternalTools.root().resolve("frontend"));
        phase2 = Phase2Server.start("127.0.0.1", 0, ExternalTools.media(),
                new Phase2Server.Settings("mapped", 30_000, ExternalTools.root().resolve("frontend")));
    }

    @BeforeEach
    void blankPage() {
        browser.get(URI.create("about:blank"));
        browser.clearConsoleErrors();
    }

    @Test
    void onPhase1TheInspectorListsEverySampleWithACleanConsole() throws IOException {
        browser.get(phase1.uri());
        int samples = ExternalTools.bundledSamples().size();
        browser.awaitTrue("a heading per sample", "return document.querySelectorAll('#out h2').length === arguments[0];",
                samples);
        assertEquals(samples, browser.number("return document.querySelectorAll('#out table').length;"),
                "every sample parses into a table of tracks");
        // No /favicon.ico request either: phase 1 has no such route, and its 404 used to be the console's one error.
        browser.assertNoConsoleErrors();
    }

    @Test
    void onPhase2TheInspectorNamesPhase1AndItsCommandAfterOneRequest() throws IOException {
        long notFound = notFound();
        browser.get(phase2.uri().resolve("/probe.html"));
        browser.awaitTrue("the page to say which phase serves it", "return !!document.getElementById('other-phase');");
        String text = (String) browser.script("return document.getElementById('out').textContent;");
        assertTrue(text.contains("phase 1 page") && text.contains("./lab run phase1"), text);
        assertFalse(text.contains("Error"), "no script error is shown: " + text);
        // The server counts a request once its response is out, a moment after the page may have read it.
        browser.await("the server to count the 404", Browser.WAIT, d -> notFound() > notFound ? true : null);
        assertEquals(notFound + 1, notFound(), "one 404: /api/probe, asked once");
        // The one 404 is the only console line (Chromium logs every failed load); no TypeError, no favicon.ico.
        List<String> errors = browser.consoleErrors();
        assertEquals(1, errors.size(), "console: " + errors);
        assertTrue(errors.getFirst().contains("/api/probe") && errors.getFirst().contains("404"), errors.getFirst());
        browser.screenshot("probe-on-phase2");
    }

    private static long notFound() {
        return RawHttp.notFoundCount(phase2.uri());
    }
}
