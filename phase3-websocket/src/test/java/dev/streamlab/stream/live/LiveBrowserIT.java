package dev.streamlab.stream.live;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Acceptance for the live channel: three Chromium sessions (three drivers, so none is a throttled background tab)
 * open the player in live mode at different times, and their presentation times, taken at the same instant, are
 * within one GOP (2 s) of each other, while each keeps advancing.
 *
 * <p>The URL is the player's shareable live link, {@code /?channel=ladder-30s-720p&mode=live&autoplay=1}.
 *
 * <p>Run alone: {@code mvn -pl phase3-websocket -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=LiveBrowserIT}.
 */
class LiveBrowserIT {
    private static final String CHANNEL = "ladder-30s-720p";
    private static final double GOP_SECONDS = 2.0;
    private static final String STATE = """
            const v = document.getElementById('video');
            const live = window.streamlab.mode === 'live';
            return { t: v.currentTime, now: Date.now(), paused: v.paused, mode: window.streamlab.mode,
                     error: v.error ? v.error.code + ' ' + v.error.message : null, pageError: window.streamlab.error,
                     streamErrors: window.streamlab.bytesLoaded().errors || [] };
            """;

    @Test
    void threeViewersJoiningAtDifferentTimesShowTheSameMoment() throws Exception {
        List<Browser> browsers = new ArrayList<>();
        Phase3Server server = null;
        try {
            browsers.add(Browser.open()); // first: skips (or fails under CI) before anything else starts
            server = SampleServer.start();
            LiveEndpoint live = LiveEndpoint.create(server.catalog(), server.metrics(), LiveConfig.DEFAULT);
            server.setUpgradeHandler(PlayerPage.endpoints()
                    .registerPrefix(LiveEndpoint.PREFIX, live.factory()));
            URI page = URI.create(server.uri() + "?channel=" + CHANNEL + "&mode=live&autoplay=1");

            for (int i = 0; i < 3; i++) {
                if (i > 0) {
                    browsers.add(Browser.open());
                    Thread.sleep(1500); // join at different moments of the channel (a different chunk of a GOP)
                }
                Browser b = browsers.get(i);
                b.get(page);
                b.awaitTrue("the player to load", "return !!(window.streamlab && window.streamlab.ready)");
                assertEquals("live", b.script("return window.streamlab.mode"), "mode=live selects the live mode");
                double t0 = num(state(b), "t");
                await(b, "currentTime to advance", s -> num(s, "t") > t0 + 1);
            }

            // Let the drift correction settle, then read the three playheads at (nearly) one instant.
            Thread.sleep(3000);
            for (int round = 0; round < 3; round++) {
                List<Map<String, Object>> states = new ArrayList<>();
                for (Browser b : browsers) states.add(state(b));
                double ref = num(states.getFirst(), "now");
                double min = Double.MAX_VALUE;
                double max = -Double.MAX_VALUE;
                for (Map<String, Object> s : states) {
                    assertNull(s.get("error"), "media error: " + s);
                    assertEquals(List.of(), s.get("streamErrors"), "stream errors: " + s);
                    assertEquals(Boolean.FALSE, s.get("paused"), "playing: " + s);
                    // Each read happened a few ms after the first: bring it back to the same instant.
                    double t = num(s, "t") - (num(s, "now") - ref) / 1000;
                    min = Math.min(min, t);
                    max = Math.max(max, t);
                }
                assertTrue(max - min < GOP_SECONDS, "presentation times within one GOP: " + states);
                Thread.sleep(1000); // the next sample a second later: in sync over time, not at one instant only
            }
            // The mode's own numbers (the same module instance the page imported): a latency to the live edge
            // that is known and bounded, on the first timeline.
            for (Browser b : browsers) {
                @SuppressWarnings("unchecked")
                Map<String, Object> stats = (Map<String, Object>) b.driver().executeAsyncScript(
                        "const done = arguments[0]; import('/js/modes/live.js').then(m => done(m.live.stats()));");
                System.out.println("live mode stats: " + stats); // latency, buffer, stalls, skips: for the log
                double latency = num(stats, "latency_s");
                assertTrue(latency > 0 && latency < 10, "latency to the live edge: " + stats);
                assertEquals(1, num(stats, "timeline"), 0, "no resync needed: " + stats);
            }
            for (int i = 0; i < browsers.size(); i++) {
                browsers.get(i).screenshot("live-" + CHANNEL + "-" + i);
                browsers.get(i).assertNoConsoleErrors();
            }
        } finally {
            for (Browser b : browsers) b.close();
            if (server != null) server.close();
        }
    }

    private static Map<String, Object> state(Browser b) {
        @SuppressWarnings("unchecked")
        Map<String, Object> s = (Map<String, Object>) b.script(STATE);
        return s;
    }

    private static void await(Browser b, String what, java.util.function.Predicate<Map<String, Object>> condition) {
        b.await(what, Browser.WAIT, d -> {
            Map<String, Object> s = state(b);
            if (s.get("error") != null) fail("media error: " + s);
            if (s.get("pageError") != null) fail("page error: " + s);
            if (!((List<?>) s.get("streamErrors")).isEmpty()) fail("stream errors: " + s);
            return condition.test(s) ? s : null;
        });
    }

    private static double num(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).doubleValue();
    }
}
