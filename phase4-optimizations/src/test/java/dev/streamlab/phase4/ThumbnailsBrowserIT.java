package dev.streamlab.phase4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.browser.Browser;
import dev.streamlab.mjpeg.FrameProcessing;
import dev.streamlab.phase3.Phase3Main;
import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.shared.json.JsonParser;
import dev.streamlab.testing.ExternalTools;
import dev.streamlab.y4m.Y4mProxies;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * The player's use of phase 4's thumbnails in Chromium: on the phase 4 server ({@link Phase4Main}, as
 * {@code ./lab run phase4} starts it) every catalog entry shows a poster that loaded, and hovering the seek bar
 * shows the sprite tile the server's index.json gives for that time (progressive and WebSocket modes); on a phase 3
 * server, which has no {@code /thumbs/}, the catalog stays text and the console stays clean; on a phase 4 server
 * without ffmpeg the page gives up after one failed probe.
 *
 * <p>Run alone: {@code mvn -pl phase4-optimizations -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=ThumbnailsBrowserIT -Djmh.skip=true}.
 */
class ThumbnailsBrowserIT {
    private static final String ID = "sample-30s-360p-h264-aac";
    /** The first visit has ffmpeg make a proxy per video, on 2 busy cores. */
    private static final Duration FFMPEG_WAIT = Duration.ofSeconds(90);
    /** As controls.js draws previews: tiles wider than this are scaled down. */
    private static final double PREVIEW_MAX_WIDTH = 160;

    private static Browser browser;
    private static Phase3Server phase4;
    private static Phase3Server phase3;
    private static Phase3Server noFfmpeg;
    private static Path cache;
    private static String previousCache;

    @BeforeAll
    static void start() throws Exception {
        browser = Browser.open(); // first: skips (or fails under CI) before anything else starts
        ExternalTools.ffmpeg(); // the server runs "ffmpeg" from the PATH to make the .y4m proxies
        cache = Files.createTempDirectory("streamlab-thumbs-it");
        previousCache = System.getProperty("streamlab.cache");
        System.setProperty("streamlab.cache", cache.toString()); // Y4mProxies.defaults(): a fresh cache, no leftovers
        System.setProperty("streamlab.frontend", ExternalTools.root().resolve("frontend").toString());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] args = {"--port", "0", "--media", ExternalTools.media().toString(), "--quiet"};
        phase4 = Phase4Main.start(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err), args);
        assertNotNull(phase4, err.toString(StandardCharsets.UTF_8));
        phase3 = Phase3Main.start(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err), "phase3",
                (s, ws) -> {}, args);
        assertNotNull(phase3, err.toString(StandardCharsets.UTF_8));
        // Phase 4's routes with an ffmpeg that does not exist: /thumbs/ answers 503 with a message.
        Y4mProxies missing = new Y4mProxies(cache.resolve("no-ffmpeg"), cache.resolve("no-such-ffmpeg").toString());
        noFfmpeg = Phase3Main.start(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err), "phase4",
                (s, ws) -> FrameProcessing.install(s, ws, missing), args);
        assertNotNull(noFfmpeg, err.toString(StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (browser != null) browser.close();
        } finally {
            if (phase4 != null) phase4.close();
            if (phase3 != null) phase3.close();
            if (noFfmpeg != null) noFfmpeg.close();
            if (previousCache == null) System.clearProperty("streamlab.cache");
            else System.setProperty("streamlab.cache", previousCache);
            if (cache != null) {
                try (var s = Files.walk(cache)) {
                    for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void catalogShowsLoadedPostersOnThePhase4Server() {
        open(phase4, "?v=" + ID + "&mode=progressive");
        browser.awaitTrue("the thumbnails probe to say on",
                "return document.getElementById('catalog').dataset.posters === 'on'");
        long withPicture = (long) browser.number(
                "return window.streamlab.videos().filter(v => !v.error && v.width > 0).length");
        assertTrue(withPicture >= 2, "the bundled media has several videos: " + withPicture);
        List<WebElement> posters = browser.driver().findElements(By.cssSelector("#catalog li[data-id] img.item-poster"));
        assertEquals(withPicture, posters.size(), "one poster per video with a picture");
        for (WebElement img : posters) {
            // loading="lazy": an entry out of sight loads when scrolled to, as a viewer would.
            browser.script("arguments[0].scrollIntoView({block: 'center'})", img);
            // A poster that failed is removed from the page (the entry falls back to text): -1, a failure here.
            double width = browser.await("a poster that loaded or failed: " + img.getAttribute("src"), FFMPEG_WAIT,
                    d -> {
                        double w = browser.number("const i = arguments[0]; return !i.isConnected ? -1"
                                + " : i.complete ? i.naturalWidth : 0", img);
                        return w != 0 ? w : null;
                    });
            assertTrue(width > 0, "the poster " + img.getAttribute("src") + " failed to load");
            assertTrue(img.getAttribute("src").matches(".*/thumbs/[^/]+/poster\\.jpg"), img.getAttribute("src"));
        }
        browser.assertNoConsoleErrors();
    }

    /** Screenshots of the preview: {@code target/screenshots/thumbnails-preview-*.png}. */
    @Test
    void hoveringTheSeekBarShowsTheSpriteTileForThatTime() throws Exception {
        Map<String, Object> index = indexJson(phase4, ID);
        for (String mode : List.of("progressive", "ws")) {
            open(phase4, "?v=" + ID + "&mode=" + mode);
            assertEquals(mode, browser.script("return window.streamlab.mode"), "the server offers " + mode);
            browser.awaitTrue("a known duration", "return !document.getElementById('seek').disabled");
            WebElement seek = browser.driver().findElement(By.id("seek"));
            // Selenium 4 offsets are from the element's centre: 0 is the middle of the bar, 50 % of the duration.
            // The sheet arrives after the page starts, so hover until the preview has a tile.
            browser.await(mode + ": a preview with a sprite tile", FFMPEG_WAIT, d -> {
                new Actions(d).moveToElement(seek, 1, 0).moveToElement(seek, 0, 0).perform();
                return browser.script("return document.getElementById('seek-preview').dataset.tileX") != null;
            });
            @SuppressWarnings("unchecked")
            Map<String, Object> shown = (Map<String, Object>) browser.script("""
                    const p = document.getElementById('seek-preview');
                    const img = p.querySelector('.seek-preview-image');
                    return { hidden: p.hidden, imageHidden: img.hidden, time: Number(p.dataset.time),
                             label: p.querySelector('.seek-preview-time').textContent,
                             image: img.style.backgroundImage, position: img.style.backgroundPosition,
                             width: img.getBoundingClientRect().width };""");
            double duration = ((Number) index.get("duration")).doubleValue();
            double time = ((Number) shown.get("time")).doubleValue();
            assertEquals(false, shown.get("hidden"), mode + ": " + shown);
            assertEquals(false, shown.get("imageHidden"), mode + ": " + shown);
            assertEquals(duration / 2, time, duration * 0.03, mode + ": hovered at the middle: " + shown);
            assertTrue(((String) shown.get("image")).contains("/thumbs/" + ID + "/sprite.jpg"), mode + ": " + shown);
            assertEquals(clock(time), shown.get("label"), mode + ": " + shown);

            Map<String, Object> tile = tileAt(index, time);
            double scale = Math.min(1, PREVIEW_MAX_WIDTH / ((Number) index.get("tileWidth")).doubleValue());
            String expected = px(-((Number) tile.get("x")).doubleValue() * scale) + " "
                    + px(-((Number) tile.get("y")).doubleValue() * scale);
            assertEquals(expected, shown.get("position"), mode + ": tile " + tile + " of " + shown);
            assertTrue(((Number) tile.get("x")).doubleValue() + ((Number) tile.get("y")).doubleValue() > 0,
                    "the middle of the video is not the sprite's first tile: " + tile);
            assertEquals(((Number) index.get("tileWidth")).doubleValue() * scale,
                    ((Number) shown.get("width")).doubleValue(), 0.5, mode + ": one tile wide: " + shown);
            browser.awaitTrue("the sprite to be a loadable image", """
                    if (!window.__sprite) { window.__sprite = new Image(); window.__sprite.src = arguments[0]; }
                    return window.__sprite.complete && window.__sprite.naturalWidth > 0""",
                    phase4.uri().resolve("/thumbs/" + ID + "/sprite.jpg").toString());

            browser.screenshot("thumbnails-preview-" + mode);
            new Actions(browser.driver()).moveToElement(browser.driver().findElement(By.id("now-title"))).perform();
            browser.awaitTrue(mode + ": the preview hides when the pointer leaves",
                    "return document.getElementById('seek-preview').hidden");
            browser.assertNoConsoleErrors();
        }

        // Live: the catalog's duration is only the looped file's, so the bar previews nothing.
        open(phase4, "?channel=" + ID + "&mode=live&autoplay=1");
        assertEquals("live", browser.script("return window.streamlab.mode"));
        browser.awaitTrue("the live stream to play", "return window.streamlab.stats().currentTime > 0");
        new Actions(browser.driver()).moveToElement(browser.driver().findElement(By.id("seek")), 0, 0).perform();
        assertEquals(true, browser.script("return document.getElementById('seek-preview').hidden"),
                "no preview in live mode");
    }

    @Test
    void withoutThumbnailsThePhase3CatalogStaysTextAndTheConsoleClean() {
        open(phase3, "");
        browser.awaitTrue("the thumbnails probe to say off",
                "return document.getElementById('catalog').dataset.posters === 'off'");
        browser.awaitTrue("a catalog", "return document.querySelectorAll('#catalog li[data-id]').length > 0");
        assertEquals(0L, browser.number("return document.querySelectorAll('#catalog img').length"));
        browser.awaitTrue("a known duration", "return !document.getElementById('seek').disabled");
        new Actions(browser.driver()).moveToElement(browser.driver().findElement(By.id("seek"))).perform();
        browser.awaitTrue("a time-only preview", """
                const p = document.getElementById('seek-preview');
                return !p.hidden && p.querySelector('.seek-preview-image').hidden
                    && /\\d:\\d\\d/.test(p.textContent)""");
        long thumbRequests = (long) browser.number(
                "return performance.getEntriesByType('resource').filter(e => e.name.includes('/thumbs/')).length");
        assertEquals(0L, thumbRequests, "no /thumbs/ request where the server has none");
        browser.assertNoConsoleErrors();
    }

    @Test
    void withoutFfmpegThePhase4CatalogFallsBackToTextAfterOneFailedProbe() {
        open(noFfmpeg, "?v=" + ID + "&mode=progressive");
        browser.awaitTrue("the thumbnails probe to say off",
                "return document.getElementById('catalog').dataset.posters === 'off'");
        assertEquals(0L, browser.number("return document.querySelectorAll('#catalog img').length"));
        // Chromium logs each failed load itself: the catalog's HEAD probe and the selected video's index.json.
        List<String> errors = browser.await("both /thumbs/ requests to fail", Browser.WAIT, d -> {
            List<String> seen = browser.consoleErrors();
            return seen.size() >= 2 ? seen : null;
        });
        browser.awaitTrue("a known duration", "return !document.getElementById('seek').disabled");
        new Actions(browser.driver()).moveToElement(browser.driver().findElement(By.id("seek"))).perform();
        browser.awaitTrue("a time-only preview", """
                const p = document.getElementById('seek-preview');
                return !p.hidden && p.querySelector('.seek-preview-image').hidden""");
        assertEquals(true, browser.script("return document.getElementById('error').hidden"), "no error shown");
        // Nothing else: no poster requested, no uncaught error or console.error from the page.
        errors = browser.consoleErrors();
        assertEquals(2, errors.size(), errors.toString());
        assertTrue(errors.stream().allMatch(e -> e.matches(".*/thumbs/[^ ]+/index\\.json.*503.*")), errors.toString());
        assertTrue(errors.stream().anyMatch(e -> e.contains("/thumbs/" + ID + "/")), errors.toString());
        browser.clearConsoleErrors();
    }

    private static void open(Phase3Server server, String query) {
        browser.get(URI.create("about:blank"));
        browser.clearConsoleErrors();
        browser.get(URI.create(server.uri() + query));
        browser.awaitTrue("the page to be ready", "return window.streamlab && window.streamlab.ready");
    }

    private static Map<String, Object> indexJson(Phase3Server server, String id) throws Exception {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(server.uri().resolve("/thumbs/" + id + "/index.json"))
                    .timeout(FFMPEG_WAIT).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, res.statusCode(), res.body());
            return JsonParser.parseObject(res.body(), 1 << 20);
        }
    }

    /** The tile whose [start, end) holds {@code t}, as thumbnails.js tileAt picks it. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> tileAt(Map<String, Object> index, double t) {
        Map<String, Object> found = null;
        for (Object o : (List<Object>) index.get("tiles")) {
            Map<String, Object> tile = (Map<String, Object>) o;
            if (found == null || ((Number) tile.get("start")).doubleValue() <= t) found = tile;
        }
        return found;
    }

    private static String px(double v) {
        return (v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v)) + "px";
    }

    /** format.js clock(): m:ss. */
    private static String clock(double s) {
        long whole = (long) Math.floor(s);
        return whole / 60 + ":" + String.format("%02d", whole % 60);
    }
}
