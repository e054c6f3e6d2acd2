package dev.streamlab.phase4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.browser.Browser;
import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.testing.ExternalTools;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /dashboard} in Chromium on a running phase 4 server ({@link Phase4Main}, as {@code ./lab run phase4}
 * starts it) while requests go through the cached routes and a second Chromium plays a video in the player's
 * WebSocket mode: the charts fill, every tile shows a value (the per-client tile: that player's buffer level), no
 * script error, and a screenshot is kept as {@code target/screenshots/dashboard.png}.
 */
class DashboardBrowserIT {
    static final String VIDEO = "sample-30s-360p-h264-aac";
    static Browser browser;
    /** A second browser (not a background tab, where Chromium throttles timers and media) playing over /ws/stream. */
    static Browser player;
    static Phase3Server server;

    @BeforeAll
    static void start() throws Exception {
        browser = Browser.open(); // first: skips (or fails under CI) before anything else starts
        player = Browser.open();
        System.setProperty("streamlab.frontend", ExternalTools.root().resolve("frontend").toString());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        server = Phase4Main.start(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err),
                "--port", "0", "--media", ExternalTools.media().toString(), "--quiet");
        assertNotNull(server, err.toString(StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() {
        try {
            if (player != null) player.close();
            if (browser != null) browser.close();
        } finally {
            if (server != null) server.close();
        }
    }

    /** The player in WebSocket mode, playing: its stats messages on /ws/stream are what the buffers tile shows. */
    static void playOverWebSocket() {
        player.get(URI.create(server.uri() + "?autoplay=1&v=" + VIDEO + "&mode=ws"));
        player.awaitTrue("the player to load the catalog", "return !!(window.streamlab && window.streamlab.ready)");
        assertEquals("ws", player.script("return window.streamlab.mode"), "?mode=ws selects the WebSocket mode");
        player.awaitTrue("playback over /ws/stream", "const v = document.getElementById('video');"
                + " return v.currentTime > 0.5 && !v.paused && !v.error;");
    }

    /** Range and segment requests, cached and not, plus one QoE report, until {@code stop} (at most 60 s). */
    static Thread traffic(URI base, AtomicBoolean stop) {
        return Thread.ofVirtual().start(() -> {
            try (HttpClient http = HttpClient.newHttpClient()) {
                http.send(HttpRequest.newBuilder(base.resolve("/api/qoe"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"session\":\"it-1\",\"video\":\"x\","
                                + "\"startup_ms\":850,\"stalls\":1,\"stall_ms\":400}")).build(),
                        HttpResponse.BodyHandlers.discarding());
                List<String> paths = List.of("/cached/videos/ladder-30s-720p", "/videos/ladder-30s-360p",
                        "/cached/segments/ladder-30s-240p/video/3", "/remux/segments/ladder-30s-240p/video/4");
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                for (int i = 0; !stop.get() && System.nanoTime() < deadline && i < 100_000; i++) {
                    http.send(HttpRequest.newBuilder(base.resolve(paths.get(i % paths.size())))
                            .header("Range", "bytes=" + (i % 7) * 1000 + "-" + ((i % 7) * 1000 + 300_000)).build(),
                            HttpResponse.BodyHandlers.discarding());
                }
            } catch (Exception e) {
                if (!stop.get()) throw new IllegalStateException("traffic failed", e);
            }
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void dashboardDrawsLiveChartsWithValuesInEveryTile() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        Thread load = traffic(server.uri(), stop);
        try {
            playOverWebSocket();
            browser.get(server.uri().resolve("/dashboard"));
            browser.awaitTrue("five polls drawn with traffic flowing and the player reporting its buffer",
                    "return window.streamlabDashboard && window.streamlabDashboard.polls >= 5"
                            + " && /\\d/.test(document.getElementById('v-throughput').textContent)"
                            + " && /\\d/.test(document.getElementById('v-cache').textContent)"
                            + " && /^min \\d/.test(document.getElementById('v-buffers').textContent)");
        } finally {
            stop.set(true);
            load.join(Duration.ofSeconds(10));
        }
        Path png = browser.screenshot("dashboard");
        browser.assertNoConsoleErrors();
        assertEquals(null, browser.script("return window.streamlabDashboard.lastError;"));
        assertEquals(Boolean.TRUE, browser.script("return document.getElementById('phase-note').hidden;"),
                "no 'this is a phase 4 page' note on phase 4");

        Map<String, Object> values = (Map<String, Object>) browser.script("""
                const out = {};
                for (const t of document.querySelectorAll('.tile')) {
                  out[t.dataset.tile] = t.querySelector('.value').textContent;
                }
                return out;""");
        assertEquals(8, values.size(), values.toString());
        for (Map.Entry<String, Object> v : values.entrySet()) {
            String text = (String) v.getValue();
            assertTrue(!text.isBlank() && !text.equals("–"), v.getKey() + " shows '" + text + "'");
            assertTrue(text.matches(".*\\d.*"), "every tile shows a number; " + v.getKey() + ": " + text);
        }
        // QoE: the mean startup of every report in /metrics — the IT's (850 ms) and the WebSocket player's own.
        browser.awaitTrue("the QoE tile to show the mean startup of the reports in /metrics", """
                return fetch('/metrics', { cache: 'no-store' }).then(r => r.text()).then(text => {
                  const v = (name) => Number((text.match(new RegExp('^' + name + ' (\\\\S+)$', 'm')) || [])[1]);
                  const n = v('streamlab_qoe_startup_seconds_count');
                  const mean = v('streamlab_qoe_startup_seconds_sum') / n;
                  const shown = mean < 1 ? (mean * 1000).toFixed(0) + ' ms' : mean.toFixed(2) + ' s';
                  return n >= 2 && document.getElementById('v-qoe').textContent === 'startup ' + shown;
                });""");

        // The per-client tile draws the playing client: one reporting, a buffer level above 0, as the server sees it.
        assertTrue(((String) values.get("buffers")).matches("min \\d.*"), "buffers: " + values.get("buffers"));
        String detail = (String) browser.script("return document.getElementById('d-buffers').textContent;");
        assertTrue(detail.startsWith("1 reporting"), "one WebSocket player reports: " + detail);
        Map<String, Object> clients = (Map<String, Object>) browser.script(
                "return fetch('/api/dashboard/clients').then(r => r.json());");
        List<Map<String, Object>> reporting = (List<Map<String, Object>>) clients.get("clients");
        assertEquals(1, reporting.size(), clients.toString());
        assertTrue(((Number) reporting.getFirst().get("buffered_s")).doubleValue() > 0,
                "the player has media buffered ahead: " + clients);

        // Each chart has ink; the throughput and cache charts have their first series' colour (a line, not axes).
        Map<String, Object> ink = (Map<String, Object>) browser.script("""
                const out = {};
                for (const c of document.querySelectorAll('canvas')) {
                  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                  let drawn = 0, series = 0;
                  for (let i = 0; i < d.length; i += 4) {
                    if (d[i + 3] > 0) drawn++;
                    if (d[i + 3] > 200 && Math.abs(d[i] - 0x1f) < 30 && Math.abs(d[i + 1] - 0x77) < 30
                        && Math.abs(d[i + 2] - 0xb4) < 30) series++;
                  }
                  out[c.id] = [drawn, series];
                }
                return out;""");
        for (Map.Entry<String, Object> e : ink.entrySet()) {
            List<Long> counts = (List<Long>) e.getValue();
            assertTrue(counts.get(0) > 200, e.getKey() + " is blank: " + counts);
        }
        for (String chart : List.of("c-throughput", "c-cache", "c-heap")) {
            assertTrue(((List<Long>) ink.get(chart)).get(1) > 20, chart + " has no line: " + ink.get(chart));
        }
        assertTrue(((List<Long>) ink.get("c-buffers")).get(1) > 20, "the client's buffer bar (blue) is drawn: "
                + ink.get("c-buffers"));

        // The player's header links to the dashboard on this phase 4 server (it probes /metrics for it).
        assertEquals(Boolean.TRUE, player.script("const a = document.getElementById('dashboard-link');"
                + " return !!a && !a.hidden && a.getAttribute('href') === '/dashboard' && a.offsetParent !== null;"));
        assertEquals(Boolean.TRUE, player.script("const a = document.getElementById('processed-link');"
                + " return !!a && !a.hidden && a.getAttribute('href') === '/processed.html' && a.offsetParent !== null;"),
                "and to the processed view");
        player.assertNoConsoleErrors();

        // The page's Prometheus parser on the format's corner cases: escapes in label values, +Inf, no labels.
        Object parsed = browser.script("""
                return import('/js/dashboard.js').then(d => {
                  const m = d.parseMetrics('# HELP x y\\n# TYPE x counter\\n'
                      + 'a_total{route="/a\\\\\\"b",le="+Inf"} 3\\n\\nb 1.5e3\\nc{k="x,y=z"} -Inf\\n');
                  return [m.get('a_total')[0].labels.route, m.get('a_total')[0].labels.le, m.get('a_total')[0].value,
                          m.get('b')[0].value, m.get('c')[0].labels.k, String(m.get('c')[0].value), m.size];
                });""");
        assertEquals(List.of("/a\"b", "+Inf", 3L, 1500L, "x,y=z", "-Infinity", 3L), parsed);

        BufferedImage shot = ImageIO.read(png.toFile());
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < shot.getHeight(); y += 4) {
            for (int x = 0; x < shot.getWidth(); x += 4) colours.add(shot.getRGB(x, y));
        }
        assertTrue(colours.size() > 20, "the screenshot " + png + " is nearly uniform: " + colours.size() + " colours");
    }
}
