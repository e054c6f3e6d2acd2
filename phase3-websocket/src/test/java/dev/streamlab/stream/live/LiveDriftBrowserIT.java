package dev.streamlab.stream.live;

import static dev.streamlab.stream.PlayerStats.num;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.streamlab.browser.Browser;
import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.phase3.SampleServer;
import dev.streamlab.stream.PlayerPage;
import dev.streamlab.stream.PlayerStats;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The live player's drift correction ({@code frontend/js/modes/live.js}, {@code correct()}) in Debian's Chromium,
 * and how soon a viewer joining a running channel sees its first frame.
 *
 * <ul>
 *   <li>Forced behind the edge (paused 9 s: latency ≈ target + 9 s, past the jump bound of target + 6 s), the
 *       player jumps back to about the target latency on play, and over the next 30 s the latency stays near
 *       the target instead of creeping up (the rate nudge absorbs what stalls add).</li>
 *   <li>Join time: a page script (installed before the page's own, through CDP) notes when the page asked for the
 *       channel ({@code hello}) and when the first decoded frame was presented ({@code requestVideoFrameCallback}),
 *       both on the page's clock, whose 0 is the navigation start. Logged, not asserted beyond a sanity bound (the
 *       figure is in the phase 3 README; the goal is &lt; 500 ms on loopback).</li>
 * </ul>
 *
 * <p>Run alone: {@code mvn -pl phase3-websocket -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=LiveDriftBrowserIT}.
 */
class LiveDriftBrowserIT {
    private static final String CHANNEL = "ladder-30s-720p";
    /** Installed before the page's scripts: times of the live WebSocket's milestones and of the first frame. */
    private static final String JOIN_TIMER = """
            window.__join = { hello: null, meta: null, firstSegment: null, firstFrame: null };
            const Native = window.WebSocket;
            window.WebSocket = class extends Native {
              constructor(...args) {
                super(...args);
                this.addEventListener('message', e => {
                  const j = window.__join;
                  if (typeof e.data === 'string') { if (j.meta === null && e.data.includes('"meta"')) j.meta = performance.now(); }
                  else if (j.firstSegment === null && e.data.byteLength > 24 && new DataView(e.data).getUint8(4) === 1)
                    j.firstSegment = performance.now();
                });
              }
              send(data) {
                if (window.__join.hello === null && String(data).includes('"hello"')) window.__join.hello = performance.now();
                super.send(data);
              }
            };
            // loadstart: the player set the element's src (before any frame); media events do not bubble: capture.
            document.addEventListener('loadstart', e => {
              if (e.target.requestVideoFrameCallback && window.__join.firstFrame === null) {
                e.target.requestVideoFrameCallback((now, meta) => { window.__join.firstFrame = meta.presentationTime; });
              }
            }, true);
            """;

    private static Browser browser;
    private static Phase3Server server;

    @BeforeAll
    static void start() throws IOException {
        browser = Browser.open(); // first: skips (or fails under CI) before anything else starts
        server = SampleServer.start();
        LiveEndpoint live = LiveEndpoint.create(server.catalog(), server.metrics(), LiveConfig.DEFAULT);
        server.setUpgradeHandler(PlayerPage.endpoints()
                .registerPrefix(LiveEndpoint.PREFIX, live.factory()));
        browser.cdp("Page.enable", Map.of());
        browser.cdp("Page.addScriptToEvaluateOnNewDocument", Map.of("source", JOIN_TIMER));
    }

    @AfterAll
    static void stop() {
        PlayerPage.close(browser, server);
    }

    @BeforeEach
    void blankPage() {
        PlayerPage.blank(browser);
    }

    @AfterEach
    void consoleStaysClean() {
        browser.assertNoConsoleErrors();
    }

    @Test
    void forcedBehindTheEdgeThePlayerJumpsBackToTheTargetAndLatencyDoesNotCreep() throws Exception {
        open();
        Map<String, Object> settled = awaitStats("the player to play near the target latency", Browser.WAIT,
                s -> started(s) && num(s, "latency_s") < num(s, "target_s") + 1);
        double target = num(settled, "target_s");
        double jumps = num(settled, "jumps");

        browser.script("document.getElementById('video').pause()");
        Map<String, Object> behind = awaitStats("the paused player to fall past the jump bound (target + 6 s)",
                Duration.ofSeconds(30), s -> num(s, "latency_s") > target + 6 + 1);
        browser.script("document.getElementById('video').play()");
        Map<String, Object> back = awaitStats("a jump back toward the live edge", Duration.ofSeconds(15),
                s -> !(Boolean) s.get("paused") && num(s, "jumps") > jumps && num(s, "latency_s") < target + 2);
        System.out.println("live drift: target " + target + " s; paused until " + behind.get("latency_s")
                + " s behind; after play " + back.get("latency_s") + " s (jumps " + back.get("jumps") + ")");

        // Over the next 30 s: never again past the jump bound, and back near the target at the end, whatever the
        // stalls of two busy cores added meanwhile (the 1.08x nudge takes ~12 s per second of extra latency).
        // The page samples stats() once a second (its own clock, not a sleeping test thread); we wait for 30 samples.
        browser.script("""
                window.__drift = [];
                window.__driftTimer = setInterval(() => {
                  const st = window.streamlab.stats();
                  window.__drift.push(st.media_error || st.error ? -1 : st.latency_s);
                }, 1000);""");
        browser.await("30 latency samples, one a second", Duration.ofSeconds(45),
                d -> ((Number) browser.script("return window.__drift.length")).intValue() >= 30 ? true : null);
        browser.script("clearInterval(window.__driftTimer)");
        Map<String, Object> s = stats();
        @SuppressWarnings("unchecked")
        List<Number> samples = (List<Number>) browser.script("return window.__drift.slice(0, 30)");
        List<Double> latencies = new ArrayList<>();
        for (Number n : samples) {
            if (n.doubleValue() < 0) fail("player error while sampling: " + s);
            latencies.add(n.doubleValue());
        }
        double max = latencies.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        double lastFive = latencies.subList(latencies.size() - 5, latencies.size()).stream()
                .mapToDouble(Double::doubleValue).average().orElseThrow();
        System.out.println("live drift: 30 s after recovering, latency per second " + latencies + "; max " + max
                + " s, last five " + lastFive + " s; stalls " + s.get("stalls") + ", rate " + s.get("playback_rate"));
        assertTrue(max < target + 6, "latency stayed under the jump bound: " + latencies);
        assertTrue(lastFive < target + 1.5, "no creep: back near the " + target + " s target, " + latencies);
        assertEquals(Boolean.FALSE, s.get("paused"), "still playing: " + s);
        assertEquals(List.of(), browser.script("return window.streamlab.bytesLoaded().errors"), "the mode's errors");
    }

    @Test
    void aFewSecondsBehindThePlayerCatchesUpAt108PercentWithoutAJumpThenReturnsTo1x() throws Exception {
        open();
        // Settled: at 1x inside the player's dead band (target - 0.5 s .. target + 1 s), where correct() leaves the
        // rate alone. Anywhere in it is steady; a join that lands at target + 0.7 s stays there (a CI run waited
        // for < target + 0.5 s and timed out on exactly that).
        Map<String, Object> settled = awaitStats("the player to play at 1x inside the dead band", Browser.WAIT,
                s -> started(s) && num(s, "latency_s") < num(s, "target_s") + 1 && num(s, "playback_rate") == 1);
        double target = num(settled, "target_s");
        double jumps = num(settled, "jumps");

        // Behind by more than the nudge bound (target + 1 s) but less than the jump bound (target + 6 s).
        browser.script("document.getElementById('video').pause()");
        Map<String, Object> behind = awaitStats("the paused player to fall ~2.5 s behind", Duration.ofSeconds(15),
                s -> num(s, "latency_s") > target + 2.5);
        browser.script("document.getElementById('video').play()");
        Map<String, Object> nudged;
        try {
            nudged = awaitStats("playback at the catch-up rate", Duration.ofSeconds(5),
                    s -> !(Boolean) s.get("paused") && num(s, "playback_rate") > 1);
        } catch (AssertionError e) {
            throw new AssertionError("no catch-up after the pause; while paused: " + behind, e);
        }
        assertEquals(1.08, num(nudged, "playback_rate"), 1e-9, "catch-up rate: " + nudged);

        // 0.08 s of latency regained per second: ~25 s from target + 2.5 to under target + 0.25, where it stops.
        Map<String, Object> caughtUp = awaitStats("back at 1x near the target", Duration.ofSeconds(60),
                s -> num(s, "playback_rate") == 1 && num(s, "latency_s") < target + 0.5);
        System.out.println("live nudge: target " + target + " s; at 1.08x from " + nudged.get("latency_s")
                + " s; back at 1x at " + caughtUp.get("latency_s") + " s, stalls " + caughtUp.get("stalls"));
        assertEquals(jumps, num(caughtUp, "jumps"), "caught up by playing faster, not by jumping: " + caughtUp);
        assertEquals(Boolean.FALSE, caughtUp.get("paused"), "still playing: " + caughtUp);
    }

    @Test
    void joiningARunningChannelShowsTheFirstFrameSoon() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 4; i++) { // the first join starts the channel (cold); the next three join it running
            if (i > 0) browser.get(URI.create("about:blank"));
            open();
            @SuppressWarnings("unchecked")
            Map<String, Object> join = browser.await("the first decoded frame", Browser.WAIT, d -> {
                Object j = browser.script("return window.__join.firstFrame === null ? null : window.__join");
                return j instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
            });
            double frame = num(join, "firstFrame");
            double hello = num(join, "hello");
            String line = String.format("%s: page open -> first frame %.0f ms (-> hello %.0f ms); hello -> meta %.0f"
                            + " ms, -> first media segment %.0f ms, -> first frame %.0f ms",
                    i == 0 ? "cold channel" : "join " + i, frame, hello, num(join, "meta") - hello,
                    num(join, "firstSegment") - hello, frame - hello);
            lines.add(line);
            System.out.println("live join: " + line);
            assertTrue(frame - hello > 0 && frame < 5000, "a sanity bound, not the goal: " + line);
            assertNull(stats().get("media_error"));
        }
        System.out.println("live join, all: " + String.join("; ", lines));
    }

    // ---- helpers ----

    /**
     * Playing, not just asked to: the first {@code playing} event has come ({@code startup_ms}) and the page knows
     * its latency. Twice on fresh clones (2026-12-07) a test paused the player in the instant between autoplay and
     * that event, with 4 frames decoded; the element was left at currentTime 0, and on play the player started
     * where a new viewer starts, near the target, so there was nothing to catch up and the test failed.
     */
    private static boolean started(Map<String, Object> s) {
        return s.get("startup_ms") instanceof Number && s.get("latency_s") instanceof Number
                && !(Boolean) s.get("paused");
    }

    private static void open() {
        PlayerPage.open(browser, URI.create(server.uri() + "?channel=" + CHANNEL + "&mode=live&autoplay=1"));
        assertEquals("live", browser.script("return window.streamlab.mode"));
    }

    private static Map<String, Object> stats() {
        return PlayerStats.of(browser);
    }

    private static Map<String, Object> awaitStats(String what, Duration timeout, Predicate<Map<String, Object>> condition) {
        return PlayerStats.await(browser, what, timeout, condition);
    }

}
