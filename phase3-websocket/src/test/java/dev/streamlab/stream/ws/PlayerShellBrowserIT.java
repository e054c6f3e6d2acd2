package dev.streamlab.stream.ws;

import static dev.streamlab.stream.PlayerStats.num;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.streamlab.browser.Browser;
import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.phase3.SampleServer;
import dev.streamlab.stream.PlayerPage;
import dev.streamlab.stream.PlayerStats;
import dev.streamlab.stream.live.LiveConfig;
import dev.streamlab.stream.live.LiveEndpoint;
import dev.streamlab.stream.ws.StreamClient.Binary;
import dev.streamlab.stream.ws.StreamClient.Closed;
import dev.streamlab.stream.ws.StreamClient.Msg;
import dev.streamlab.stream.ws.StreamClient.Text;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * The player shell ({@code frontend/}) against a phase 3 server, in Debian's Chromium: addressable URLs, the
 * {@code window.streamlab.stats()} object and the buffer chart, recovery with {@code resync} after the client's
 * buffer is damaged on purpose, and a player that keeps playing while another client abuses {@code /ws/stream}.
 * Each test is bounded well under a minute.
 *
 * <p>The resync test uses the ws mode's {@code resync()} ({@code frontend/js/modes/websocket.js}): the protocol's
 * {@code resync} continues after what the server already sent, so the client repairs its SourceBuffers, jumps a hole
 * the server fills later, and when nothing comes (a server pacing on watermarks believes the client still holds the
 * lost media) seeks to the playhead after 3 s.
 *
 * <p>Run alone: {@code mvn -pl phase3-websocket -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=PlayerShellBrowserIT}.
 */
class PlayerShellBrowserIT {
    private static final String SAMPLE = "sample-30s-360p-h264-aac";
    private static final String CHANNEL = "ladder-30s-720p";
    private static final String HELLO = "{\"type\":\"hello\",\"codecs\":[\"avc1.64001e\",\"mp4a.40.2\"]}";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Browser browser;
    private static Phase3Server server;

    @BeforeAll
    static void start() throws IOException {
        browser = Browser.open(); // first: skips (or fails under CI) before anything else starts
        server = SampleServer.start();
        LiveEndpoint live = LiveEndpoint.create(server.catalog(), server.metrics(), LiveConfig.DEFAULT);
        server.setUpgradeHandler(PlayerPage.endpoints()
                .register(StreamEndpoint.PATH, StreamEndpoint.create(server.catalog(), server.metrics()))
                .registerPrefix(LiveEndpoint.PREFIX, live.factory()));
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
    void queryUrlOpensTheVideoInWsModeAndPlays() throws IOException {
        open("?v=" + SAMPLE + "&mode=ws&autoplay=1");
        assertEquals("ws", browser.script("return window.streamlab.mode"), "?mode=ws selects the mode");
        assertEquals("ws", browser.script("return document.getElementById('mode').value"), "the switch shows it");
        // The same /metrics probe that offered the ws mode found no dashboard (phase 4's): no link to a 404.
        assertEquals(Boolean.TRUE, browser.script("return document.getElementById('dashboard-link').hidden"),
                "phase 3's header does not link to /dashboard");
        assertEquals(Boolean.TRUE, browser.script("return document.getElementById('processed-link').hidden"),
                "phase 3's header does not link to /processed.html (phase 4's page)");

        Map<String, Object> playing = awaitStats("currentTime to pass 5 s", Browser.WAIT, s -> num(s, "currentTime") >= 5);
        assertEquals("ws", playing.get("mode"), "stats().mode: " + playing);
        assertEquals(SAMPLE, playing.get("video"), "stats().video: " + playing);
        assertEquals(Boolean.FALSE, playing.get("paused"));
        double frames = num(playing, "decoded_frames");
        assertTrue(frames >= 60, frames + " frames decoded in 5 s: " + playing);
        Map<String, Object> later = awaitStats("more decoded frames", Duration.ofSeconds(5),
                s -> num(s, "decoded_frames") > frames);
        assertTrue(num(later, "buffered_s") > 0, "something buffered ahead while playing: " + later);
        assertTrue(((List<?>) later.get("buffer_history")).size() >= 5, "the chart sampled every 500 ms: " + later);

        // Each call returns a fresh object: changing one does not change the page's state or the next answer.
        assertEquals(Boolean.TRUE, browser.script("""
                const a = window.streamlab.stats(); a.mode = 'x'; a.currentTime = -1;
                const b = window.streamlab.stats(); return b.mode === 'ws' && b.currentTime >= 0 && a !== b;"""));
        assertTrue(browser.number("""
                const c = document.getElementById('buffer-chart');
                const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let painted = 0;
                for (let i = 3; i < px.length; i += 4) if (px[i] > 0) painted++;
                return painted;""") > 100, "the buffer chart has drawn something");
        assertEquals("?v=" + SAMPLE + "&mode=ws&autoplay=1", browser.script("return location.search"),
                "the address bar keeps the shareable form");
        browser.screenshot("player-shell-ws");
    }

    @Test
    void channelUrlOpensTheLiveModeAndShowsItsLatency() {
        open("?channel=" + CHANNEL + "&autoplay=1"); // no mode: a channel means the live mode
        assertEquals("live", browser.script("return window.streamlab.mode"), "?channel= picks the live mode");
        double t0 = num(stats(), "currentTime");
        Map<String, Object> playing = awaitStats("the live playhead to advance 2 s", Browser.WAIT,
                s -> num(s, "currentTime") >= t0 + 2 && s.get("latency_s") instanceof Number);
        assertEquals(CHANNEL, playing.get("channel"), "stats().channel: " + playing);
        assertNull(playing.get("video"), "a live view has a channel, not a video: " + playing);
        assertEquals(Boolean.TRUE, playing.get("live"));
        double latency = num(playing, "latency_s");
        assertTrue(latency > 0 && latency < 10, "latency to the live edge: " + playing);
        browser.awaitTrue("the latency card to show a number", """
                const card = document.getElementById('latency-card');
                return !card.hidden && Number(document.getElementById('stat-latency').dataset.value) > 0;""");
        assertEquals("?channel=" + CHANNEL + "&mode=live&autoplay=1", browser.script("return location.search"),
                "the URL names the channel and the mode");
    }

    @Test
    void oldHashLinkStillSelectsAndIsRewrittenToTheQueryForm() {
        open("#v=" + SAMPLE + "&mode=ws");
        browser.awaitTrue("the hash link to select " + SAMPLE,
                "return window.streamlab.selectedId === arguments[0] && window.streamlab.mode === 'ws';", SAMPLE);
        assertEquals("?v=" + SAMPLE + "&mode=ws", browser.script("return location.search"));
        assertEquals("", browser.script("return location.hash"));

        // The mode switch keeps the video and writes the new mode into the URL (a new history entry).
        browser.script("""
                const m = document.getElementById('mode');
                m.value = 'progressive';
                m.dispatchEvent(new Event('change'));""");
        assertEquals("progressive", browser.script("return window.streamlab.mode"));
        assertEquals(SAMPLE, browser.script("return window.streamlab.selectedId"), "the selection survives the switch");
        assertEquals("?v=" + SAMPLE + "&mode=progressive", browser.script("return location.search"));
        browser.script("history.back()");
        browser.awaitTrue("Back to return to ws mode", "return window.streamlab.mode === 'ws';");
        assertEquals(SAMPLE, browser.script("return window.streamlab.selectedId"));
    }

    @Test
    void qualityMenuPinsARungAndAutoReleasesIt() {
        open("?v=" + CHANNEL + "&mode=ws&autoplay=1"); // the 720p sample of the bundled 240p/360p/720p ladder
        awaitStats("the ladder's three rungs, playing", Browser.WAIT,
                s -> s.get("rungs") instanceof List<?> r && r.size() == 3 && num(s, "currentTime") > 0.5);
        browser.awaitTrue("the quality menu to offer Auto and three rungs", """
                const q = document.getElementById('quality');
                return !document.getElementById('quality-row').hidden
                    && Array.from(q.options, o => o.value).join() === 'auto,0,1,2';""");
        String choose = """
                const q = document.getElementById('quality');
                q.value = arguments[0];
                q.dispatchEvent(new Event('change'));""";
        browser.script(choose, "1");
        awaitStats("rung 1, chosen by hand", Duration.ofSeconds(15),
                s -> "manual".equals(s.get("abr")) && num(s, "rung") == 1);
        browser.awaitTrue("the panel to show rung 1", "return document.getElementById('stat-rung').dataset.value === '1';");
        browser.script(choose, "auto");
        awaitStats("the mode's ABR to choose again", Duration.ofSeconds(5), s -> "auto".equals(s.get("abr")));
        browser.awaitTrue("the menu to show Auto", "return document.getElementById('quality').value === 'auto';");
    }

    @Test
    void statsPanelShowsWhatAModeReports() {
        open("?v=" + SAMPLE + "&mode=progressive");
        // The shell codes against optional mode methods (stats, setQuality, live): render the panel for a mode that
        // has them all, as the ABR and live modes do, and read the DOM in the same task (before the next refresh).
        @SuppressWarnings("unchecked")
        Map<String, Object> shown = (Map<String, Object>) browser.driver().executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                import('/js/stats.js').then(({ renderStream }) => {
                  const mode = { id: 'fake', live: true, setQuality() {} };
                  const stats = { rung: 1, abr: 'manual', latency_s: 2.5, edge_s: 30, skips: 2, low_s: 4, high_s: 12,
                    buffered_s: 5, rungs: [{ rung: 0, video: '240p', width: 426, height: 240, bandwidth: 300000 },
                                           { rung: 1, video: '720p', width: 1280, height: 720, bandwidth: 2500000 }] };
                  renderStream({ mode, stats, video: document.getElementById('video'), chart: { draw() {} } });
                  const q = document.getElementById('quality');
                  const shown = {
                    options: Array.from(q.options, o => o.value), value: q.value,
                    menuHidden: document.getElementById('quality-row').hidden,
                    latencyHidden: document.getElementById('latency-card').hidden,
                    latency: document.getElementById('stat-latency').dataset.value,
                    rung: document.getElementById('stat-rung').dataset.value,
                    rungText: document.getElementById('stat-rung').textContent,
                    skips: document.getElementById('stat-skips').dataset.value,
                    watermarks: document.getElementById('stat-watermarks').textContent };
                  // The same panel for progressive (no stats, no setQuality, not live): menu and latency hidden.
                  renderStream({ mode: { id: 'plain' }, stats: {}, video: document.getElementById('video'), chart: { draw() {} } });
                  shown.plainMenuHidden = document.getElementById('quality-row').hidden;
                  shown.plainLatencyHidden = document.getElementById('latency-card').hidden;
                  done(shown);
                }, e => done({ failed: String(e) }));""");
        assertNull(shown.get("failed"), String.valueOf(shown));
        assertEquals(List.of("auto", "0", "1"), shown.get("options"), "Auto + each rung: " + shown);
        assertEquals("1", shown.get("value"), "manual choice shown: " + shown);
        assertEquals(Boolean.FALSE, shown.get("menuHidden"));
        assertEquals(Boolean.FALSE, shown.get("latencyHidden"), "a live mode shows its latency");
        assertEquals("2.5", shown.get("latency"));
        assertEquals("1", shown.get("rung"));
        assertTrue(((String) shown.get("rungText")).contains("1280×720"), String.valueOf(shown.get("rungText")));
        assertEquals("2", shown.get("skips"));
        assertTrue(((String) shown.get("watermarks")).contains("low 4.0 s"), String.valueOf(shown.get("watermarks")));
        assertEquals(Boolean.TRUE, shown.get("plainMenuHidden"), "no menu without setQuality");
        assertEquals(Boolean.TRUE, shown.get("plainLatencyHidden"), "no latency for a VOD mode");
    }

    @Test
    void resyncRecoversAfterTheClientBufferIsCorrupted() throws Exception {
        open("?v=" + SAMPLE + "&mode=ws&autoplay=1");
        awaitStats("currentTime to pass 2 s", Browser.WAIT, s -> num(s, "currentTime") >= 2);

        // Damage: each SourceBuffer's parser is reset mid-append and its append window closes 0.5 s after the
        // playhead, so every segment from now on is silently discarded (frontend/js/debug.js). What was buffered
        // stays: playback could reach its end, and no further.
        @SuppressWarnings("unchecked")
        Map<String, Object> damage = (Map<String, Object>) browser.driver().executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                window.streamlab.debug.corrupt().then(d => done(d), e => done({ failed: String(e) }));""");
        assertNull(damage.get("failed"), "the corruption ran: " + damage);
        double bufferedEnd = num(damage, "buffered_end");
        assertTrue(bufferedEnd > num(damage, "at"), "something was buffered ahead: " + damage);

        // Proof the damage is real: segments keep arriving, the buffer does not grow.
        double segments = segments();
        browser.await("new segments to arrive after the damage", Duration.ofSeconds(10),
                d -> segments() >= segments + 2 ? Boolean.TRUE : null);
        assertTrue(maxBufferedEnd() <= bufferedEnd + 0.05,
                "segments were discarded: buffered to " + maxBufferedEnd() + " s, " + bufferedEnd + " s before");

        assertEquals(Boolean.TRUE, browser.script("return window.streamlab.debug.resync()"),
                "the ws mode answers resync() (repairs its SourceBuffers, sends the protocol's resync, jumps the hole"
                        + " or escalates to a seek)");
        Map<String, Object> recovered = awaitStats("playback 3 s past the damaged buffer's end", Duration.ofSeconds(25),
                s -> num(s, "currentTime") >= bufferedEnd + 3);
        assertEquals(Boolean.FALSE, recovered.get("paused"), "still playing: " + recovered);
        assertNull(recovered.get("media_error"), "no fatal media error: " + recovered);
        @SuppressWarnings("unchecked")
        List<Object> streamErrors = (List<Object>) browser.script("return window.streamlab.bytesLoaded().errors || []");
        assertEquals(List.of(), streamErrors, "the mode's errors");
        System.out.println("resync: damaged at " + damage.get("at") + " s with " + bufferedEnd + " s buffered; "
                + browser.script("return JSON.stringify(window.streamlab.stats())"));
    }

    private static double segments() {
        return browser.number("return window.streamlab.bytesLoaded().segments");
    }

    @Test
    void abusiveClientLeavesTheServerAndOtherPlayersUnaffected() throws Exception {
        open("?v=" + SAMPLE + "&mode=ws&autoplay=1");
        awaitStats("the player to pass 1 s", Browser.WAIT, s -> num(s, "currentTime") >= 1);
        double before = num(stats(), "currentTime");

        List<String> answers = new ArrayList<>();
        try (StreamClient abuser = new StreamClient(server.uri())) {
            abuser.send(HELLO);
            abuser.send("{\"type\":\"open\",\"video\":\"" + SAMPLE + "\"}");
            for (String bad : List.of("{", "not json at all", "[1,2,3]", "{\"type\":\"launch-missiles\"}",
                    "{\"type\":\"seek\",\"t\":-1}", "{\"type\":\"seek\",\"t\":NaN}", "{\"type\":\"seek\",\"t\":\"NaN\"}",
                    "{\"type\":\"seek\"}")) {
                abuser.send(bad);
            }
            abuser.send("{\"type\":\"seek\",\"t\":1e9}"); // past the end: clamped, not refused
            // A seek storm: 100 seeks within one second, each to a different place.
            long stormStart = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                abuser.send("{\"type\":\"seek\",\"t\":" + (i % 29) + "." + (i % 10) + "}");
                long due = stormStart + (i + 1) * 9_000_000L; // ~9 ms apart: the 100 fit in 1 s
                long wait = due - System.nanoTime();
                if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000)); // pacing the storm, not a sync wait
            }
            assertTrue(System.nanoTime() - stormStart < 1_500_000_000L, "the storm took longer than planned");
            abuser.send("{\"type\":\"seek\",\"t\":10}");
            // The abuser still gets answers: every bad message an error, and the last seek its seeked (10 s).
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            boolean seekedTen = false;
            while (!seekedTen && System.nanoTime() < until) {
                Msg m = abuser.poll(Duration.ofMillis(500));
                if (m instanceof Text t) {
                    answers.add(t.type() + ("error".equals(t.type()) ? ":" + t.json().get("code") : ""));
                    seekedTen = "seeked".equals(t.type()) && ((Number) t.json().get("requested")).doubleValue() == 10;
                } else if (m instanceof Closed c) {
                    fail("the server closed the abuser's stream (" + c + ") though it stayed under the limit");
                }
            }
            assertTrue(seekedTen, "the abuser's last seek was answered; text answers: " + answers);
            long errors = answers.stream().filter(a -> a.startsWith("error:")).count();
            assertEquals(8, errors, "one error per bad message: " + answers);
            assertTrue(answers.contains("error:bad_json") && answers.contains("error:bad_message")
                    && answers.contains("error:unknown_type"), "named errors: " + answers);
        }

        // The browser's player kept playing meanwhile, without an error.
        Map<String, Object> still = awaitStats("the first player to keep advancing", Duration.ofSeconds(10),
                s -> num(s, "currentTime") >= before + 3);
        assertNull(still.get("media_error"), "the first player has no media error: " + still);

        // A fresh client still gets a stream: meta, two init segments, media.
        try (StreamClient fresh = new StreamClient(server.uri())) {
            fresh.send(HELLO);
            fresh.send("{\"type\":\"open\",\"video\":\"" + SAMPLE + "\"}");
            Msg meta = fresh.next(Duration.ofSeconds(5));
            assertEquals("meta", assertInstanceOf(Text.class, meta).type());
            int media = 0;
            for (int i = 0; i < 6; i++) {
                Binary b = assertInstanceOf(Binary.class, fresh.next(Duration.ofSeconds(5)));
                if (b.header().kind() == SegmentHeader.Kind.MEDIA) media++;
            }
            assertTrue(media >= 4, media + " media segments for the new client");
        }

        HttpResponse<String> videos = HTTP.send(HttpRequest.newBuilder(server.uri().resolve("/api/videos"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, videos.statusCode(), "GET /api/videos after the abuse");
        assertTrue(videos.body().contains(SAMPLE));
        assertNotEquals(0, num(stats(), "decoded_frames"));
    }

    // ---- helpers ----

    private static void open(String pathAndQuery) {
        PlayerPage.open(browser, URI.create(server.uri() + pathAndQuery));
    }

    private static Map<String, Object> stats() {
        return PlayerStats.of(browser);
    }

    /** The end of the last buffered range of the element (0 when nothing is buffered). */
    private static double maxBufferedEnd() {
        return browser.number("const b = document.getElementById('video').buffered; return b.length ? b.end(b.length - 1) : 0;");
    }

    private static Map<String, Object> awaitStats(String what, Duration timeout, Predicate<Map<String, Object>> condition) {
        return PlayerStats.await(browser, what, timeout, condition);
    }

}
