package dev.streamlab.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.phase2.Phase2Server;
import dev.streamlab.shared.json.JsonParser;
import dev.streamlab.testing.ExternalTools;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * The player ({@code frontend/}) in a real Chromium against a real phase 2 server: what a viewer sees, checked
 * through the page's test hooks (frontend/README.md "For tests") and the server's {@code /metrics}.
 *
 * <p>One server and one browser for the class; each test starts from {@code about:blank}, so no page state leaks
 * between tests, and each ends by checking the browser console shows no error. Every wait polls a condition and is
 * bounded by {@link Browser#WAIT}.
 *
 * <p>Run alone: {@code mvn -pl phase2-http-server -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=PlayerBrowserIT}. Screenshots land in {@code phase2-http-server/target/screenshots/}.
 */
class PlayerBrowserIT {
    static final String SAMPLE = "sample-30s-360p-h264-aac";
    static final String MOOV_AT_END = "sample-10s-360p-moov-at-end";
    /** The player's state in one round trip: what a viewer would see, read from the element itself. */
    static final String VIDEO_STATE = """
            const v = document.getElementById('video');
            const q = v.getVideoPlaybackQuality();
            return { t: v.currentTime, paused: v.paused, seeking: v.seeking, ended: v.ended,
                     error: v.error ? v.error.code + ' ' + v.error.message : null,
                     decoded: q.totalVideoFrames, readyState: v.readyState,
                     bufferedEnd: v.buffered.length ? v.buffered.end(v.buffered.length - 1) : 0,
                     errorHidden: document.getElementById('error').hidden,
                     pageError: window.streamlab.error };
            """;

    static final String SINGLE_RANGES = "streamlab_http_range_requests_total{outcome=\"single\"}";
    static final String VIDEO_206 = "streamlab_http_requests_total{route=\"/videos/{id}\",status=\"206\"}";

    static Browser browser;
    static Phase2Server server;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws IOException {
        browser = Browser.open(); // first: skips (or fails under CI) before anything else starts
        server = Phase2Server.start("127.0.0.1", 0, ExternalTools.media(),
                new Phase2Server.Settings("mapped", 30_000, ExternalTools.root().resolve("frontend")));
    }

    @AfterAll
    static void stop() {
        try {
            if (browser != null) browser.close();
        } finally {
            if (server != null) server.close();
        }
    }

    @BeforeEach
    void blankPage() {
        browser.clearViewport();
        browser.get(URI.create("about:blank")); // unloads the last test's player (its final QoE beacon leaves now)
        browser.clearConsoleErrors();
    }

    @AfterEach
    void consoleStaysClean() {
        browser.assertNoConsoleErrors();
    }

    // ---- the behaviours ----

    @Test
    void catalogListsEveryBundledSample() throws Exception {
        openPlayer(server, null, false);
        @SuppressWarnings("unchecked")
        List<String> shown = (List<String>) browser.script(
                "return Array.from(document.querySelectorAll('#catalog li[data-id]'), li => li.dataset.id);");
        List<String> api = apiIds(server);
        assertEquals(new TreeSet<>(api), new TreeSet<>(shown), "catalog entries vs GET /api/videos");
        assertEquals(api.size(), shown.size(), "each video listed once");
        assertEquals(ExternalTools.bundledSamples().size(), shown.size(), "every .mp4 under media/ is listed");
    }

    @Test
    void thirtySecondSamplePlays() {
        openPlayer(server, SAMPLE, true);
        awaitPlayhead(2);
        Map<String, Object> s = state();
        assertNull(s.get("error"), "video.error");
        assertNull(s.get("pageError"), "window.streamlab.error");
        assertEquals(Boolean.TRUE, s.get("errorHidden"), "#error is hidden");
        assertTrue(((Number) s.get("decoded")).longValue() > 0, "frames decoded: " + s);
        assertFalse(browser.driver().findElement(By.id("error")).isDisplayed(), "#error is not displayed");
        // The measurements panel (redrawn every 500 ms) shows the same: a startup time and decoded frames.
        browser.awaitTrue("#stat-startup and #stat-decoded to show numbers", """
                const n = id => Number(document.getElementById(id).dataset.value);
                return n('stat-startup') > 0 && n('stat-decoded') > 0;""");
    }

    @Test
    void pauseHoldsThePlayhead() {
        openPlayer(server, SAMPLE, true);
        awaitPlayhead(1);
        browser.driver().findElement(By.id("play")).click(); // the player's own button: pause while playing
        browser.awaitTrue("the video to pause", "return document.getElementById('video').paused;");
        double held = time();
        long until = System.nanoTime() + Duration.ofMillis(1500).toNanos();
        // Polls for 1.5 s: the playhead must not move at all while paused.
        browser.await("1.5 s of a paused playhead", Browser.WAIT, d -> {
            double t = time();
            if (t != held) throw new AssertionError("paused at " + held + " s, but the playhead moved to " + t);
            return System.nanoTime() >= until ? Boolean.TRUE : null;
        });
    }

    @Test
    void seekToTwentySecondsResumesFromThere() {
        openPlayer(server, SAMPLE, true);
        awaitPlayhead(1);
        assertSeekResumes(20);
    }

    @Test
    void moovAtEndSamplePlays() {
        openPlayer(server, MOOV_AT_END, true);
        awaitPlayhead(2);
        Map<String, Object> s = state();
        assertNull(s.get("error"), "video.error");
        assertEquals(Boolean.TRUE, s.get("errorHidden"), "#error is hidden");
        assertTrue(((Number) s.get("decoded")).longValue() > 0, "frames decoded: " + s);
    }

    @Test
    void qoeReportReachesMetrics() throws Exception {
        double reports = metric(server, "streamlab_qoe_reports_total");
        double startups = metric(server, "streamlab_qoe_startup_seconds_count");
        double sessions = metric(server, "streamlab_qoe_sessions_total");
        openPlayer(server, SAMPLE, true);
        awaitPlayhead(1);
        browser.driver().findElement(By.id("play")).click(); // pause: the player reports at once
        browser.awaitTrue("the player to have a QoE report accepted",
                "return window.streamlab.qoeReportsSent >= 1 && window.streamlab.lastQoeSentAt != null;");
        // Beacons from earlier tests may arrive too: the counters must grow by at least this page's report.
        assertTrue(metric(server, "streamlab_qoe_reports_total") >= reports + 1, "streamlab_qoe_reports_total grew");
        assertTrue(metric(server, "streamlab_qoe_startup_seconds_count") >= startups + 1,
                "the report's startup time reached the histogram");
        assertTrue(metric(server, "streamlab_qoe_sessions_total") >= sessions + 1, "the session was counted");
    }

    @Test
    void seekOnLargeFileUsesRangeRequests() throws Exception {
        Path media = largeMedia();
        try (Phase2Server big = Phase2Server.start("127.0.0.1", 0, media,
                new Phase2Server.Settings("mapped", 30_000, ExternalTools.root().resolve("frontend")))) {
            String id = apiIds(big).getFirst();
            try {
                seekOnLargeFile(big, id);
            } finally {
                // The page polls /api/stats: it must leave before its server closes, or a poll in between is a
                // connection refused in the console, which the check after each test reads as the player's error.
                browser.get(URI.create("about:blank"));
            }
        }
    }

    private void seekOnLargeFile(Phase2Server big, String id) throws Exception {
        openPlayer(big, id, true);
        awaitPlayhead(1);
        double bufferedEnd = ((Number) state().get("bufferedEnd")).doubleValue();
        assertTrue(bufferedEnd < 20, "the first request buffered up to " + bufferedEnd
                + " s already: the file is too small for the seek to need a new Range request");
        double ranges = metric(big, SINGLE_RANGES);
        double partials = metric(big, VIDEO_206);
        assertSeekResumes(20);
        double rangesAfter = metric(big, SINGLE_RANGES);
        double partialsAfter = metric(big, VIDEO_206);
        System.out.printf(Locale.ROOT, "large file: buffered to %.1f s before the seek; single-range requests"
                + " %.0f -> %.0f, 206 responses %.0f -> %.0f%n", bufferedEnd, ranges, rangesAfter, partials,
                partialsAfter);
        // Measured here: a server that ignores Range still lets Chromium land at 20 s on loopback (it reads
        // the whole 200 body again and skips to the offset), so the playhead alone does not prove Range works.
        assertTrue(rangesAfter > ranges, "the seek sent a single-range request the server honoured");
        assertTrue(partialsAfter > partials, "the seek was answered with 206 Partial Content");
    }

    @Test
    void playingPlayerScreenshotShowsVideoBesideCatalogAndStats() throws Exception {
        openPlayer(server, SAMPLE, true);
        awaitPlayhead(1.5);
        Path png = browser.screenshot("player");
        assertTrue(Files.size(png) > 10_000, "screenshot " + png + " has content");
        @SuppressWarnings("unchecked")
        Map<String, Object> page = (Map<String, Object>) browser.script("""
                const box = id => document.getElementById(id).getBoundingClientRect();
                const v = document.getElementById('video');
                // The current frame, scaled down: a black or blank picture has a single colour.
                const c = document.createElement('canvas');
                c.width = 32; c.height = 18;
                const g = c.getContext('2d');
                g.drawImage(v, 0, 0, c.width, c.height);
                const px = g.getImageData(0, 0, c.width, c.height).data;
                const colours = new Set();
                for (let i = 0; i < px.length; i += 4) {
                  colours.add((px[i] >> 4) << 8 | (px[i + 1] >> 4) << 4 | px[i + 2] >> 4);
                }
                return { video: box('video').toJSON(), catalog: box('catalog').toJSON(),
                         stats: document.querySelector('.stats').getBoundingClientRect().toJSON(),
                         colours: colours.size, inner: window.innerHeight };""");
        Map<?, ?> video = (Map<?, ?>) page.get("video");
        Map<?, ?> catalog = (Map<?, ?>) page.get("catalog");
        Map<?, ?> stats = (Map<?, ?>) page.get("stats");
        assertTrue(num(video, "width") >= 320 && num(video, "top") < num(page, "inner"),
                "the video is large and in view: " + page);
        // css/player.css: the catalog beside the player from 760 px, the measurements beside it from 1200 px.
        assertTrue(num(catalog, "right") <= num(video, "left"), "catalog left of the video: " + page);
        assertTrue(num(stats, "left") >= num(video, "right"), "measurements right of the video: " + page);
        assertTrue(num(page, "colours") > 4, "the video shows a picture, not a blank frame: " + page);
    }

    @Test
    void phoneWidthHasNoHorizontalScroll() throws Exception {
        browser.emulateViewport(375, 812, 2, true); // an iPhone-sized viewport; undone by the next blankPage()
        openPlayer(server, SAMPLE, true);
        browser.awaitTrue("the 375 px viewport", "return window.innerWidth === 375;");
        awaitPlayhead(1);
        @SuppressWarnings("unchecked")
        Map<String, Object> size = (Map<String, Object>) browser.script("""
                return { scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
                         video: document.getElementById('video').getBoundingClientRect().width };""");
        browser.screenshot("player-phone");
        assertTrue(((Number) size.get("scroll")).doubleValue() <= ((Number) size.get("inner")).doubleValue(),
                "no horizontal scroll at 375 px: " + size);
        assertTrue(((Number) size.get("video")).doubleValue() <= 375, "the video fits the width: " + size);
    }

    // ---- helpers ----

    /** Opens the player on {@code id} (or the default video), autoplaying muted if asked. */
    static void openPlayer(Phase2Server s, String id, boolean autoplay) {
        String path = "/" + (autoplay ? "?autoplay=1" : "") + (id != null ? "#v=" + id : "");
        browser.get(s.uri().resolve(path));
        browser.awaitTrue("the catalog to load", "return !!window.streamlab && window.streamlab.ready;");
        if (id != null) {
            browser.awaitTrue(id + " to be selected", "return window.streamlab.selectedId === arguments[0];", id);
        }
    }

    static double num(Map<?, ?> m, String key) {
        return ((Number) m.get(key)).doubleValue();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> state() {
        return (Map<String, Object>) browser.script(VIDEO_STATE);
    }

    static double time() {
        return browser.number("return document.getElementById('video').currentTime;");
    }

    /** Waits for the playhead to pass {@code seconds} with no media error on the way. */
    static void awaitPlayhead(double seconds) {
        browser.await("the playhead to pass " + seconds + " s", Browser.WAIT, d -> {
            Map<String, Object> s = state();
            if (s.get("error") != null) throw new AssertionError("media error while waiting: " + s);
            return ((Number) s.get("t")).doubleValue() >= seconds ? s : null;
        });
    }

    /**
     * Seeks while playing and checks playback goes on from there: after {@code seeked} the playhead is at or past
     * the target (a server without Range support makes Chromium restart from 0 instead, with no error; see
     * shared/BROWSER.md), and it advances within 2 s of the seek.
     */
    static void assertSeekResumes(double target) {
        browser.script("""
                const v = document.getElementById('video');
                const probe = window.__seekProbe = { start: performance.now(), seekedAt: null, seekedTime: null,
                                                     advancingAt: null };
                v.addEventListener('seeked', () => {
                  probe.seekedAt = performance.now(); probe.seekedTime = v.currentTime;
                }, { once: true });
                const onTime = () => {
                  if (probe.seekedAt != null && v.currentTime > probe.seekedTime && !v.paused) {
                    probe.advancingAt = performance.now();
                    v.removeEventListener('timeupdate', onTime);
                  }
                };
                v.addEventListener('timeupdate', onTime);
                v.currentTime = arguments[0];""", target);
        @SuppressWarnings("unchecked")
        Map<String, Object> probe = browser.await("playback to go on after seeking to " + target + " s",
                Browser.WAIT, d -> {
                    Map<String, Object> p = (Map<String, Object>) browser.script("return window.__seekProbe;");
                    return p.get("advancingAt") != null ? p : null;
                });
        double landed = ((Number) probe.get("seekedTime")).doubleValue();
        double afterMs = ((Number) probe.get("advancingAt")).doubleValue()
                - ((Number) probe.get("start")).doubleValue();
        System.out.printf(Locale.ROOT, "seek to %.0f s: seeked at %.3f s after %.0f ms, playing on after %.0f ms%n",
                target, landed, ((Number) probe.get("seekedAt")).doubleValue()
                        - ((Number) probe.get("start")).doubleValue(), afterMs);
        assertTrue(landed >= target, "after seeked the playhead is at " + landed + " s, not at " + target + " s");
        double now = time();
        assertTrue(now >= target, "the playhead went back to " + now + " s after seeking to " + target + " s");
        assertTrue(afterMs <= 2000, "playback resumed " + Math.round(afterMs) + " ms after the seek (limit 2000)");
        assertNull(state().get("error"), "video.error after the seek");
    }

    static List<String> apiIds(Phase2Server s) throws Exception {
        Map<String, Object> body = JsonParser.parseObject(get(s, "/api/videos"), 1 << 20);
        List<String> ids = new ArrayList<>();
        for (Object v : (List<?>) body.get("videos")) ids.add((String) ((Map<?, ?>) v).get("id"));
        return ids;
    }

    /**
     * One sample of {@code /metrics}, named with its labels as printed ({@code name{label="v"}}); a series with
     * no sample yet is 0.
     */
    static double metric(Phase2Server s, String series) throws Exception {
        for (String line : get(s, "/metrics").split("\n")) {
            if (line.startsWith(series + " ")) return Double.parseDouble(line.substring(series.length() + 1).trim());
        }
        return 0;
    }

    static String get(Phase2Server s, String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(s.uri().resolve(path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), "GET " + path);
        return r.body();
    }

    /**
     * A 50+ MB, 25 s, 1280×720 H.264 + AAC MP4 at 20 Mbit/s (faststart), made once with ffmpeg and kept in
     * {@code target/browser-media/large/} for later runs. Big enough that Chromium cannot buffer the whole file
     * from its first request, so a seek near the end needs a Range request.
     */
    static Path largeMedia() throws Exception {
        Path dir = Path.of("target", "browser-media", "large").toAbsolutePath();
        Path mp4 = dir.resolve("large-25s-720p-20mbps.mp4");
        if (!Files.exists(mp4)) {
            Files.createDirectories(dir);
            Path tmp = dir.resolveSibling("large-25s-720p-20mbps.partial.mp4"); // outside the served folder
            ExternalTools.run(120, ExternalTools.ffmpeg().toString(), "-hide_banner", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30",
                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "25",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "60",
                    "-b:v", "20M", "-minrate", "20M", "-maxrate", "20M", "-bufsize", "20M",
                    "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", tmp.toString());
            Files.move(tmp, mp4, StandardCopyOption.ATOMIC_MOVE);
        }
        assertTrue(Files.size(mp4) > 50_000_000, mp4 + " is " + Files.size(mp4) + " bytes, expected 50+ MB");
        return dir;
    }
}
