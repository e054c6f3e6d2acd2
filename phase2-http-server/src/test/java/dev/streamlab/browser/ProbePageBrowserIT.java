package dev.streamlab.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamlab.phase1.Phase1Server;
import dev.streamlab.testing.ExternalTools;
import java.io.IOException;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Phase 1's MP4 inspector ({@code frontend/probe.html}) in Chromium, on its own server.
 *
 * <p>Run alone: {@code mvn -pl phase2-http-server -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=ProbePageBrowserIT -Djmh.skip=true}.
 */
class ProbePageBrowserIT {
    static Browser browser;
    static Phase1Server phase1;

    @BeforeAll
    static void start() throws IOException {
        browser = Browser.open(); // first: skips (or fails under CI) before anything else starts
        phase1 = Phase1Server.start("127.0.0.1", 0, ExternalTools.media(), ExternalTools.root().resolve("frontend"));
    }

    @AfterAll
    static void stop() {
        try {
            if (browser != null) browser.close();
        } finally {
            if (phase1 != null) phase1.close();
        }
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
}
