package dev.streamlab.stream.fmp4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.streamlab.browser.Browser;
import dev.streamlab.testing.ExternalTools;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Acceptance: Chromium plays the remuxer's segments through Media Source Extensions.
 *
 * <p>A {@code com.sun.net.httpserver} on 127.0.0.1 serves a small page ({@code mse-player.html}), a manifest, and
 * each track's init and media segments. The page opens a MediaSource, adds one SourceBuffer per track with
 * {@link Fmp4Track#mimeType()}, appends the init segment and the segments from {@link Fmp4Track#segmentAt} of the
 * start time on, and plays. The test then requires: no error anywhere (page, SourceBuffers, the media element,
 * the console), {@code currentTime} advancing at least 2 s past the start, and each SourceBuffer's buffered ranges
 * being one range from the first appended segment's start to the end — a gap would mean a timestamp or duration
 * is wrong. The seek case appends only from the GOP at 14 s on, with {@code timestampOffset} left at 0: segments
 * carry the source's own timeline, so a later GOP lands at its own time.
 */
class Fmp4MseBrowserIT {
    /** Chromium keeps times in microseconds; an audio segment's start is one AAC frame (21 ms) from video's. */
    private static final double SLACK = 0.001;

    private record Play(Fmp4Remuxer fmp4, double from) {}

    private static final Map<String, Play> PLAYS = new ConcurrentHashMap<>();
    private static final AtomicInteger IDS = new AtomicInteger();
    private static HttpServer server;
    private static Browser browser;

    @BeforeAll
    static void start() throws IOException {
        Browser.chromium(); // skip (or, under CI, fail) before starting anything when Chromium is missing
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", Fmp4MseBrowserIT::handle);
        server.start();
        browser = Browser.open();
    }

    @AfterAll
    static void stop() {
        try {
            if (browser != null) browser.close();
        } finally {
            if (server != null) server.stop(0);
        }
    }

    static Stream<Arguments> plays() {
        return Stream.of(
                Arguments.of("sample-30s-360p-h264-aac.mp4", Cut.gop(), 0.0),
                Arguments.of("sample-10s-360p-bframes.mp4", Cut.gop(), 0.0),
                Arguments.of("sample-10s-360p-bframes.mp4", Cut.chunks(5), 0.0),
                Arguments.of("sample-10s-360p-video-only.mp4", Cut.gop(), 0.0),
                Arguments.of("sample-30s-360p-h264-aac.mp4", Cut.gop(), 14.5));
    }

    @ParameterizedTest(name = "{0} {1} from {2} s")
    @MethodSource("plays")
    void chromiumPlaysTheSegmentsThroughMediaSource(String file, Cut cut, double from) throws IOException {
        Fmp4Remuxer fmp4 = Fmp4Remuxer.open(ExternalTools.media().resolve(file), cut);
        String name = "p" + IDS.incrementAndGet();
        PLAYS.put(name, new Play(fmp4, from));
        browser.clearConsoleErrors();
        browser.get(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/?name=" + name));

        browser.await("the page to append every segment and start playing", Browser.WAIT, d -> {
            failOnPageErrors();
            return "playing".equals(browser.script("return window.state")) ? Boolean.TRUE : null;
        });
        double target = from + 2;
        double reached = browser.await("currentTime to pass " + target + " s", Browser.WAIT, d -> {
            failOnPageErrors();
            double t = browser.number("return document.getElementById('video').currentTime");
            return t >= target ? t : null;
        });
        assertTrue(reached >= target);
        failOnPageErrors();
        assertNull(browser.script("return document.getElementById('video').error"), "the media element's error");

        for (Fmp4Track track : fmp4.tracks()) {
            List<double[]> ranges = buffered(track.kind().id());
            assertEquals(1, ranges.size(), track + ": one continuous buffered range, not " + show(ranges));
            int first = track.segmentAt(from);
            // MSE's append window starts at 0: Chromium drops (after decoding) the AAC priming frame at -21 ms.
            double start = Math.max(0, track.segmentStartSeconds(first));
            assertEquals(start, ranges.getFirst()[0], SLACK, track + ": buffered from the first appended segment");
            Segment last = track.segment(track.segmentCount() - 1);
            assertEquals(last.endSeconds(), ranges.getFirst()[1], SLACK, track + ": buffered to the end");
        }
        assertEquals(1, ((Number) browser.script("return document.getElementById('video').buffered.length"))
                .intValue(), "the media element's buffered ranges");
        if (fmp4.video().isPresent()) {
            double frames = browser.number(
                    "return document.getElementById('video').getVideoPlaybackQuality().totalVideoFrames");
            assertTrue(frames >= 30, frames + " frames decoded in 2 s of playback");
        }
        browser.screenshot("fmp4-mse-" + file.replace(".mp4", "") + "-" + name);
        browser.assertNoConsoleErrors();
        PLAYS.remove(name);
    }

    private static void failOnPageErrors() {
        Object errors = browser.script("return window.errors");
        if (errors instanceof List<?> l && !l.isEmpty()) fail("the page reports: " + l);
    }

    /** A SourceBuffer's buffered ranges as [start, end] pairs. */
    private static List<double[]> buffered(String kind) {
        Object r = browser.script("const s = window.sourceBuffers.find(x => x.kind === arguments[0]).sb.buffered;"
                + " const out = []; for (let i = 0; i < s.length; i++) out.push([s.start(i), s.end(i)]);"
                + " return out;", kind);
        return ((List<?>) r).stream().map(p -> {
            List<?> pair = (List<?>) p;
            return new double[]{((Number) pair.get(0)).doubleValue(), ((Number) pair.get(1)).doubleValue()};
        }).toList();
    }

    private static String show(List<double[]> ranges) {
        return ranges.stream().map(r -> String.format(Locale.ROOT, "[%.6f, %.6f)", r[0], r[1]))
                .collect(Collectors.joining(" "));
    }

    // ---- the test server: page, manifest, init and media segments ----

    private static void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (path.equals("/")) {
                try (InputStream page = Fmp4MseBrowserIT.class.getResourceAsStream("mse-player.html")) {
                    send(ex, 200, "text/html; charset=utf-8", page.readAllBytes());
                }
                return;
            }
            String[] p = path.split("/"); // "", "media", name, manifest.json | kind, init | index
            Play play = p.length >= 4 && p[1].equals("media") ? PLAYS.get(p[2]) : null;
            if (play == null) {
                send(ex, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
            } else if (p.length == 4 && p[3].equals("manifest.json")) {
                send(ex, 200, "application/json", manifest(play).getBytes(StandardCharsets.UTF_8));
            } else if (p.length == 5) {
                Fmp4Track track = play.fmp4().tracks().stream().filter(t -> t.kind().id().equals(p[3]))
                        .findFirst().orElseThrow();
                byte[] body = p[4].equals("init") ? Fmp4Files.bytes(track.init().buffers())
                        : Fmp4Files.bytes(track.segment(Integer.parseInt(p[4])).buffers());
                send(ex, 200, "video/mp4", body);
            } else {
                send(ex, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** {"duration":…,"from":…,"tracks":[{"kind":"video","mime":"…","first":k,"segments":n}, …]} */
    private static String manifest(Play play) {
        String tracks = play.fmp4().tracks().stream().map(t -> String.format(Locale.ROOT,
                "{\"kind\":\"%s\",\"mime\":\"%s\",\"first\":%d,\"segments\":%d}", t.kind().id(),
                t.mimeType().replace("\"", "\\\""), t.segmentAt(play.from()), t.segmentCount()))
                .collect(Collectors.joining(","));
        return String.format(Locale.ROOT, "{\"duration\":%.6f,\"from\":%.3f,\"tracks\":[%s]}",
                play.fmp4().durationSeconds(), play.from(), tracks);
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
