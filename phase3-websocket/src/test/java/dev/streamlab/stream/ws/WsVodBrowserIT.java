package dev.streamlab.stream.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.streamlab.browser.Browser;
import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.phase3.SampleServer;
import dev.streamlab.stream.PlayerPage;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Acceptance for issue 5's WebSocket VOD mode: the shared player ({@code frontend/}, mode {@code ws}) in Debian's
 * Chromium against a phase 3 server with {@code /ws/stream}. The 30 s sample plays (currentTime passes 5 s, frames
 * are decoded, no media error), a pause holds, and a seek to 20 s plays from 20 s or later within 2 s.
 *
 * <p>Run alone: {@code mvn -pl phase3-websocket -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=WsVodBrowserIT}.
 */
class WsVodBrowserIT {
    private static final String SAMPLE = "sample-30s-360p-h264-aac";
    private static final String STATE = """
            const v = document.getElementById('video');
            const w = window.streamlab.bytesLoaded();
            return { t: v.currentTime, paused: v.paused, seeking: v.seeking, readyState: v.readyState,
                     error: v.error ? v.error.code + ' ' + v.error.message : null,
                     decoded: v.getVideoPlaybackQuality().totalVideoFrames, pageError: window.streamlab.error,
                     streamErrors: w.errors || [], timeline: w.timeline || 0, bytes: w.bytes };
            """;

    private static Browser browser;
    private static Phase3Server server;

    @BeforeAll
    static void start() throws IOException {
        browser = Browser.open(); // first: skips (or fails under CI) before anything else starts
        server = SampleServer.start();
        server.setUpgradeHandler(PlayerPage.endpoints()
                .register(StreamEndpoint.PATH, StreamEndpoint.create(server.catalog(), server.metrics())));
    }

    @AfterAll
    static void stop() {
        PlayerPage.close(browser, server);
    }

    @Test
    void theSamplePlaysPausesAndSeeksOverTheWebSocket() throws IOException, InterruptedException {
        PlayerPage.blank(browser);
        PlayerPage.open(browser, URI.create(server.uri() + "?autoplay=1#v=" + SAMPLE + "&mode=ws"));
        assertTrue(((List<?>) browser.script("return window.streamlab.modes")).contains("ws"),
                "phase 3 has /ws/stream, so the mode is offered");
        assertEquals("ws", browser.script("return window.streamlab.mode"), "#mode=ws selects it");

        // Plays: currentTime passes 5 s, frames are decoded.
        Map<String, Object> playing = await("currentTime to pass 5 s", Browser.WAIT, s -> num(s, "t") >= 5);
        double frames = num(playing, "decoded");
        assertTrue(frames >= 60, frames + " frames decoded in 5 s");
        Map<String, Object> later = await("more frames", Duration.ofSeconds(5), s -> num(s, "decoded") > frames);
        assertTrue(num(later, "bytes") > 100_000, "bytes counted: " + later);

        // Pause holds.
        browser.script("document.getElementById('video').pause()");
        Thread.sleep(300);
        double pausedAt = num(state(), "t");
        Thread.sleep(1500);
        Map<String, Object> held = state();
        assertEquals(pausedAt, num(held, "t"), 0.001, "paused: currentTime holds");
        assertEquals(Boolean.TRUE, held.get("paused"));

        // Seek to 20 s: playing from 20 s or later within 2 s.
        browser.script("const v = document.getElementById('video'); v.currentTime = 20; v.play();");
        Map<String, Object> seeked = await("playback from 20 s", Duration.ofSeconds(2),
                s -> !(Boolean) s.get("seeking") && !(Boolean) s.get("paused") && num(s, "t") >= 20.1);
        assertTrue(num(seeked, "timeline") >= 2, "a new timeline after the seek: " + seeked);
        double t = num(seeked, "t");
        Map<String, Object> advancing = await("currentTime to advance after the seek", Duration.ofSeconds(3),
                s -> num(s, "t") >= t + 0.5);
        assertTrue(num(advancing, "t") >= 20);

        assertNull(advancing.get("error"), "the media element's error");
        assertEquals(List.of(), advancing.get("streamErrors"), "the mode's errors");
        browser.screenshot("ws-vod-" + SAMPLE);
        browser.assertNoConsoleErrors();
    }

    @Test
    void playedDataIsTrimmedToASmallKeepWindowWhilePlaybackGoesOn() throws IOException {
        PlayerPage.blank(browser);
        // keep=5: the mode removes played data once it is more than 10 s behind the playhead, down to 5 s behind.
        PlayerPage.open(browser, URI.create(server.uri() + "?v=" + SAMPLE + "&mode=ws&autoplay=1&keep=5"));
        assertEquals(5.0, browser.number("return window.streamlab.stats().keep_behind_s"), "?keep=5 took effect");

        // Trimmed once: every SourceBuffer's first range starts well after 0 while the playhead moves on.
        Map<String, Object> first = await("played data to be removed", Duration.ofSeconds(40),
                s -> num(s, "t") > 12 && firstBufferedStart() >= 3);
        double start = firstBufferedStart();
        double t = num(first, "t");
        assertTrue(start <= t, "nothing at or ahead of the playhead was removed: start " + start + ", t " + t);
        // And again later: the window follows the playhead (the start advances), playback goes on.
        Map<String, Object> later = await("the kept window to follow the playhead", Duration.ofSeconds(30),
                s -> num(s, "t") > t + 6 && firstBufferedStart() > start + 3);
        double laterStart = firstBufferedStart();
        assertTrue(laterStart >= num(later, "t") - 5 - 5 - 1.5, "at most keep + 5 s (+ a tick) behind the playhead: "
                + laterStart + " at " + later.get("t") + ", " + browser.script("return window.streamlab.debug.sourceBuffers()"));
        assertEquals(Boolean.FALSE, later.get("paused"), "still playing: " + later);
        assertEquals(0.0, browser.number("return window.streamlab.stats().quota_errors"), "no QuotaExceededError");
        assertNull(later.get("error"), "the media element's error");
        assertEquals(List.of(), later.get("streamErrors"), "the mode's errors");
        System.out.println("keep=5: first trim to " + start + " s at t=" + t + " s; later " + laterStart + " s at t="
                + later.get("t") + " s; " + browser.script("return JSON.stringify(window.streamlab.debug.sourceBuffers())"));
        browser.assertNoConsoleErrors();
    }

    /** The earliest buffered time over the page's SourceBuffers (each track trims on its own), or 0. */
    private static double firstBufferedStart() {
        return browser.number("""
                const sbs = window.streamlab.debug.sourceBuffers().filter(b => b.buffered.length);
                return sbs.length ? Math.min(...sbs.map(b => b.buffered[0][0])) : 0;""");
    }

    private static Map<String, Object> state() {
        @SuppressWarnings("unchecked")
        Map<String, Object> s = (Map<String, Object>) browser.script(STATE);
        return s;
    }

    /** Polls {@link #STATE} until {@code condition}; fails at once on a media, page or stream error. */
    private static Map<String, Object> await(String what, Duration timeout,
                                             java.util.function.Predicate<Map<String, Object>> condition) {
        return browser.await(what, timeout, d -> {
            Map<String, Object> s = state();
            if (s.get("error") != null) fail("media error: " + s);
            if (s.get("pageError") != null) fail("page error: " + s);
            if (!((List<?>) s.get("streamErrors")).isEmpty()) fail("stream errors: " + s);
            return condition.test(s) ? s : null;
        });
    }

    private static double num(Map<String, Object> s, String key) {
        return ((Number) s.get(key)).doubleValue();
    }
}
