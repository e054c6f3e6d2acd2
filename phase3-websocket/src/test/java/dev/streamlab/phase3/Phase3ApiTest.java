package dev.streamlab.phase3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.http1.Http1Response;
import dev.streamlab.http1.Wire;
import dev.streamlab.phase2.RawHttp;
import dev.streamlab.testing.ExternalTools;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Phase 2's JSON API, static files and /metrics, answered by phase 3 over a real socket; and the /ws hook. */
class Phase3ApiTest {
    static Phase3Server server;
    static URI uri;

    @BeforeAll
    static void start() throws Exception {
        server = SampleServer.start();
        uri = server.uri();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static RawHttp.Response post(String path, String type, String body) throws Exception {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String req = "POST " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: " + type
                + "\r\nContent-Length: " + b.length + "\r\n\r\n" + body;
        return RawHttp.exchange(uri, req.getBytes(StandardCharsets.UTF_8), false);
    }

    static long metric(String line) throws Exception {
        for (String l : RawHttp.get(uri, "/metrics").text().split("\n")) {
            if (l.startsWith(line + " ")) return Math.round(Double.parseDouble(l.substring(line.length() + 1)));
        }
        return 0;
    }

    @Test
    void theAccessLogSaysHowEachBodyLeft() throws Exception {
        java.util.List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler h = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                lines.add(r.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        java.util.logging.Level level = AccessLog.LOG.getLevel(); // --quiet, in an earlier test, turns it down
        AccessLog.LOG.setLevel(java.util.logging.Level.INFO);
        AccessLog.LOG.addHandler(h);
        try {
            RawHttp.get(uri, "/videos/sample-10s-360p-video-only", "Range: bytes=0-99");
            RawHttp.get(uri, "/api/videos");
            RawHttp.exchange(uri, "HEAD /api/videos HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII), true);
            // The line is written after the response, so the last one may still be on its way.
            assertTrue(dev.streamlab.testing.Await.until(java.time.Duration.ofSeconds(5), () -> lines.size() >= 3),
                    "" + lines);
        } finally {
            AccessLog.LOG.removeHandler(h);
            AccessLog.LOG.setLevel(level);
        }
        // Each line is written once its response is out, so they may come in any order.
        for (String[] expected : new String[][] {{"GET /videos/", " io=sendfile"}, {"GET /api/videos ", " io=write"},
                {"HEAD /api/videos ", " io=none"}}) {
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(expected[0]) && l.contains(expected[1])),
                    expected[0] + "..." + expected[1] + " in " + lines);
        }
    }

    @Test
    void catalogListsEverySampleWithItsCodecsAndAMediaSourceType() throws Exception {
        String body = RawHttp.get(uri, "/api/videos").text();
        for (var p : ExternalTools.bundledSamples()) {
            String name = p.getFileName().toString();
            assertTrue(body.contains("\"id\": \"" + name.substring(0, name.length() - 4) + "\""), name);
        }
        assertTrue(body.contains("\"mime\": \"video/mp4; codecs=\\\"avc1.64001e, mp4a.40.2\\\"\""), body);
        RawHttp.Response one = RawHttp.get(uri, "/api/videos/sample-10s-360p-video-only");
        assertEquals(200, one.status());
        assertTrue(one.text().contains("\"codecs\": [\"avc1.64001e\"]"), one.text());
        assertEquals("no-store", one.header("Cache-Control"));
    }

    @Test
    void boxesExplainTheFileAndWarnAboutMoovAtTheEnd() throws Exception {
        RawHttp.Response r = RawHttp.get(uri, "/api/videos/sample-10s-360p-moov-at-end/boxes");
        assertEquals(200, r.status());
        assertTrue(r.text().contains("moov is at the end"), r.text());
        assertTrue(r.text().contains("\"type\": \"stbl\""));
        assertTrue(r.text().contains("\"time_s\": 8"), "keyframe map");
        RawHttp.Response ok = RawHttp.get(uri, "/api/videos/sample-30s-360p-h264-aac/boxes");
        assertTrue(ok.text().contains("\"warnings\": []"), ok.text());
        assertEquals(404, RawHttp.get(uri, "/api/videos/nope/boxes").status());
    }

    @Test
    void qoeReportsAreCountedOncePerSessionDelta() throws Exception {
        long reports = metric("streamlab_qoe_reports_total");
        long stalls = metric("streamlab_qoe_stalls_total");
        long sessions = metric("streamlab_qoe_sessions_total");
        String first = "{\"video\":\"v\",\"session\":\"s-delta\",\"startup_ms\":420,\"stalls\":1,\"stall_ms\":300,"
                + "\"dropped_frames\":2,\"decoded_frames\":90,\"watch_s\":5}";
        String second = first.replace("\"stalls\":1", "\"stalls\":3").replace("\"decoded_frames\":90",
                "\"decoded_frames\":180");
        assertEquals(204, post("/api/qoe", "application/json", first).status());
        assertEquals(204, post("/api/qoe", "application/json", second).status());
        assertEquals(204, post("/api/qoe", "text/plain;charset=UTF-8", second).status(), "sendBeacon's type");
        assertEquals(reports + 3, metric("streamlab_qoe_reports_total"));
        assertEquals(stalls + 3, metric("streamlab_qoe_stalls_total"), "running totals: 3 stalls, not 1+3+3");
        assertEquals(sessions + 1, metric("streamlab_qoe_sessions_total"));
        assertTrue(metric("streamlab_qoe_startup_seconds_count") >= 1);
    }

    @Test
    void badQoeReportsGetAClearError() throws Exception {
        RawHttp.Response notJson = post("/api/qoe", "application/json", "{nope");
        assertEquals(400, notJson.status());
        assertTrue(notJson.text().contains("bad QoE report"), notJson.text());
        assertEquals(400, post("/api/qoe", "application/json", "{\"session\":\"x\",\"video\":\"v\",\"stalls\":-1}")
                .status());
        assertEquals(400, post("/api/qoe", "application/json", "{\"video\":\"v\"}").status(), "no session");
        assertEquals(415, post("/api/qoe", "application/xml", "<qoe/>").status());
        assertEquals(413, post("/api/qoe", "application/json", "{\"session\":\"" + "x".repeat(10_000) + "\"}")
                .status(), "over the route's 8 KiB");
        assertEquals(413, post("/api/qoe", "application/json", "{\"session\":\"" + "x".repeat(70_000) + "\"}")
                .status(), "over the parser's 64 KiB, refused before the body is read");
        assertEquals(405, RawHttp.get(uri, "/api/qoe").status());
    }

    @Test
    void optionsAsteriskIsAnsweredWith200AndTheServersMethods() throws Exception {
        // RFC 9110 §9.3.7: OPTIONS * asks about the server; on one keep-alive connection, so a wrong framing of the
        // empty answer would show in the next response.
        try (Wire w = new Wire(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()))) {
            RawHttp.Response options = w.send("OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals(200, options.status());
            assertEquals("GET, HEAD, POST, OPTIONS", options.header("Allow"));
            assertEquals("0", options.header("Content-Length"));
            assertEquals(0, options.body().length);
            assertEquals(200, w.send("GET /api/videos HTTP/1.1\r\nHost: t\r\n\r\n").read().status(),
                    "the connection goes on after it");
        }
        // OPTIONS on a resource is unchanged: 405 with what that resource answers. (Another method with the asterisk
        // form is the parser's 400: Http1ServerTest's refusals.)
        RawHttp.Response onPath = RawHttp.send(uri, "OPTIONS", "/api/videos");
        assertEquals(405, onPath.status());
        assertEquals("GET, HEAD", onPath.header("Allow"));
    }

    @Test
    void metricsAreInTheTextExpositionFormatWithPhase2sNamesAndPhase3s() throws Exception {
        RawHttp.get(uri, "/videos/sample-30s-360p-h264-aac", "Range: bytes=0-1");
        RawHttp.get(uri, "/videos/x", "Bad Header: 1"); // refused by the parser: route "invalid"
        RawHttp.Response m = RawHttp.get(uri, "/metrics");
        assertEquals("text/plain; version=0.0.4; charset=utf-8", m.header("Content-Type"));
        for (String s : new String[] {"# TYPE streamlab_http_requests_total counter",
                "streamlab_http_requests_total{route=\"/videos/{id}\",status=\"206\"}",
                "streamlab_http_requests_total{route=\"invalid\",status=\"400\"} 1",
                "# TYPE streamlab_http_ttfb_seconds histogram", "streamlab_http_ttfb_seconds_bucket{route=",
                "streamlab_http_range_requests_total{outcome=\"single\"}", "streamlab_http_userspace_copy_bytes_total",
                "streamlab_http_copies_per_byte ", "streamlab_video_bytes_sent_total{video=\"sample-30s-360p-h264-aac\"}",
                "streamlab_http_open_connections ", "streamlab_http_connections_total ",
                "streamlab_http_active_requests "}) {
            // A request is counted when its handler returns, just after the client has the last byte: poll.
            String t = m.text();
            for (long deadline = System.nanoTime() + 5_000_000_000L; !t.contains(s) && System.nanoTime() < deadline; ) {
                Thread.sleep(10);
                t = RawHttp.get(uri, "/metrics").text();
            }
            assertTrue(t.contains(s), s + " missing in\n" + t);
        }
    }

    @Test
    void statsTellThePlayerTheBodyPathAndItsCopiesPerByte() throws Exception {
        RawHttp.get(uri, "/videos/sample-10s-360p-video-only");
        String t = RawHttp.get(uri, "/api/stats").text();
        assertTrue(t.contains("\"io\": \"sendfile\""), t);
        for (String k : new String[] {"bytes_sent", "userspace_copy_bytes", "copies_per_byte",
                "transferto_zero_returns", "requests", "open_connections"}) {
            assertTrue(t.contains("\"" + k + "\": "), k + " in " + t);
        }
    }

    @Test
    void staticFilesHaveTheirContentTypes() throws Exception {
        assertTrue(RawHttp.get(uri, "/").header("Content-Type").startsWith("text/html"));
        assertTrue(RawHttp.get(uri, "/?autoplay=1").header("Content-Type").startsWith("text/html"));
        assertTrue(RawHttp.get(uri, "/js/main.js").header("Content-Type").startsWith("text/javascript"));
        assertTrue(RawHttp.get(uri, "/css/player.css").header("Content-Type").startsWith("text/css"));
        assertEquals("nosniff", RawHttp.get(uri, "/js/main.js").header("X-Content-Type-Options"));
        assertEquals(404, RawHttp.get(uri, "/js/nope.js").status());
    }

    @Test
    void aWebSocketPathAskedForWithoutAnUpgradeIs426AndAnUnknownOne404() throws Exception {
        try {
            server.setUpgradeHandler(Phase3Main.webSockets(server));
            RawHttp.Response plain = RawHttp.get(uri, "/ws/echo");
            assertEquals(426, plain.status(), plain.text());
            assertEquals("websocket", plain.header("Upgrade"));
            RawHttp.Response http10 = RawHttp.exchange(uri, ("GET /ws/topic/news HTTP/1.0\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\n\r\n").getBytes(StandardCharsets.US_ASCII), false);
            assertEquals(426, http10.status(), "RFC 6455 needs HTTP/1.1: " + http10.text());
            assertEquals(404, RawHttp.get(uri, "/ws/nothing-here").status());
            assertEquals(404, RawHttp.get(uri, "/ws/topic/").status(), "the prefix alone is not an endpoint");
            assertEquals(404, RawHttp.get(uri, "/ws/live/no-such-video").status(), "a prefix's factory refuses it");
        } finally {
            server.setUpgradeHandler(null);
        }
    }

    @Test
    void wsPathsAre404UntilAnUpgradeHandlerIsRegisteredThenItTakesTheConnection() throws Exception {
        String upgrade = "GET /ws/stats HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
        RawHttp.Response none = RawHttp.exchange(uri, upgrade.getBytes(StandardCharsets.US_ASCII), false);
        assertEquals(404, none.status());
        assertTrue(none.text().contains("none is registered yet"), none.text());
        try {
            server.setUpgradeHandler((request, connection) -> {
                // A stand-in for dev.streamlab.websocket: answers the handshake, sends a byte, finishes.
                connection.respond(new Http1Response(101).set("Upgrade", "websocket").set("Connection", "Upgrade"));
                connection.write(java.nio.ByteBuffer.wrap(new byte[] {(byte) 0x88, 0})); // a close frame
                return true;
            });
            RawHttp.Response switched = RawHttp.exchange(uri, upgrade.getBytes(StandardCharsets.US_ASCII), false);
            assertEquals(101, switched.status());
            assertEquals("websocket", switched.header("Upgrade"));
            assertEquals(404, RawHttp.get(uri, "/ws/stats").status(), "no Upgrade field: plain HTTP");
            assertTrue(RawHttp.get(uri, "/metrics").text()
                    .contains("streamlab_http_requests_total{route=\"/ws/*\",status=\"101\"} 1"));
        } finally {
            server.setUpgradeHandler(null);
        }
    }
}
