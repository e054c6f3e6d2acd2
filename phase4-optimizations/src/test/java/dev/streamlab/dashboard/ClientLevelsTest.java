package dev.streamlab.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.phase2.RawHttp;
import dev.streamlab.phase3.Phase3Main;
import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.shared.json.JsonParser;
import dev.streamlab.testing.Await;
import dev.streamlab.testing.ExternalTools;
import dev.streamlab.websocket.server.EchoEndpoint;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link ClientLevels} around a real WebSocket endpoint: stats messages noted, every message still passed on. */
class ClientLevelsTest {
    static Phase3Server server;
    static ClientLevels levels;

    @BeforeAll
    static void start() {
        System.setProperty("streamlab.frontend", ExternalTools.root().resolve("frontend").toString());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        server = Phase3Main.start(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err), "test",
                (s, ws) -> {
                    levels = DashboardRoute.install(s);
                    ws.register("/ws/levels-test", levels.observe(new EchoEndpoint()));
                }, "--port", "0", "--media", ExternalTools.media().toString(), "--quiet");
        assertNotNull(server, err.toString(StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> clients() throws Exception {
        RawHttp.Response r = RawHttp.get(server.uri(), ClientLevels.PATH);
        assertEquals(200, r.status());
        Map<String, Object> body = JsonParser.parseObject(r.text(), 1 << 20);
        assertEquals(true, body.get("observing"));
        return (List<Map<String, Object>>) body.get("clients");
    }

    @Test
    void statsMessagesShowUpPerClientAndStillReachTheEndpoint() throws Exception {
        LinkedBlockingQueue<String> echoed = new LinkedBlockingQueue<>();
        try (HttpClient http = HttpClient.newHttpClient()) {
            WebSocket socket = http.newWebSocketBuilder().buildAsync(
                    URI.create("ws://" + server.uri().getAuthority() + "/ws/levels-test"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                            echoed.add(data.toString());
                            ws.request(1);
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            try {
                assertTrue(clients().isEmpty(), "no report yet, no row");
                String stats = "{\"type\":\"stats\",\"buffered_s\":4.5,\"t\":12}";
                socket.sendText(stats, true).get(10, TimeUnit.SECONDS);
                socket.sendText("{\"type\":\"play\"}", true).get(10, TimeUnit.SECONDS);
                assertEquals(stats, echoed.poll(10, TimeUnit.SECONDS), "the endpoint still gets the message");
                assertEquals("{\"type\":\"play\"}", echoed.poll(10, TimeUnit.SECONDS));
                assertTrue(Await.until(Duration.ofSeconds(10), () -> clients().size() == 1), "one client row");
                Map<String, Object> row = clients().get(0);
                assertEquals(4.5, ((Number) row.get("buffered_s")).doubleValue());
                assertEquals(12.0, ((Number) row.get("t")).doubleValue());
                assertTrue(((Number) row.get("lag_s")).doubleValue() >= 0, row.toString());
                socket.sendText("{\"type\":\"stats\",\"buffered_s\":1.25,\"t\":13}", true).get(10, TimeUnit.SECONDS);
                assertTrue(Await.until(Duration.ofSeconds(10),
                        () -> ((Number) clients().get(0).get("buffered_s")).doubleValue() == 1.25), "updated");
                // What /ws/stream itself refuses (ControlMessage's rules) must not show up either: a negative buffer
                // would sort a fake client to the top as the one about to stall.
                List<String> refused = List.of("{\"type\":\"stats\",\"buffered_s\":\"lots\"}",
                        "{\"type\":\"stats\",\"buffered_s\":-5,\"t\":14}",
                        "{\"type\":\"stats\",\"buffered_s\":2,\"t\":-1e308}", "not json at all");
                for (String bad : refused) socket.sendText(bad, true).get(10, TimeUnit.SECONDS);
                assertEquals("{\"type\":\"stats\",\"buffered_s\":1.25,\"t\":13}", echoed.poll(10, TimeUnit.SECONDS));
                for (String bad : refused) {
                    assertEquals(bad, echoed.poll(10, TimeUnit.SECONDS), "bad messages pass through untouched");
                }
                assertEquals(1.25, ((Number) clients().get(0).get("buffered_s")).doubleValue(), "and change nothing");
                assertEquals(13.0, ((Number) clients().get(0).get("t")).doubleValue());
                // A playhead far beyond any video is still a valid report; it is shown as sent, not clamped to the
                // 9.2e15 that rounding through a long would give.
                socket.sendText("{\"type\":\"stats\",\"buffered_s\":1,\"t\":1e308}", true).get(10, TimeUnit.SECONDS);
                assertTrue(Await.until(Duration.ofSeconds(10),
                        () -> ((Number) clients().get(0).get("t")).doubleValue() == 1e308), clients().toString());
            } finally {
                socket.sendClose(1000, "done").get(10, TimeUnit.SECONDS);
            }
            assertTrue(Await.until(Duration.ofSeconds(10), () -> clients().isEmpty()), "closed clients leave");
        }
    }

    @Test
    void lagCountsStallsAndPausesAfterPlaybackBeganNotTheWaitForTheFirstFrame() {
        ClientLevels.PlayheadLag lag = new ClientLevels.PlayheadLag();
        long s = 1_000_000_000L;
        assertEquals(0, lag.report(0, 0), 1e-9);
        assertEquals(1.5, lag.report(0, 3 * s / 2), 1e-9, "still waiting for the first frame: the wait shows");
        assertEquals(0, lag.report(0.4, 5 * s / 2), 1e-9, "playing: the startup wait is not lag");
        assertEquals(0, lag.report(1.4, 7 * s / 2), 1e-9, "smooth playback");
        assertEquals(2, lag.report(1.4, 11 * s / 2), 1e-9, "stalled for 2 s");
        assertEquals(2, lag.report(3.4, 15 * s / 2), 1e-9, "playing again: the stall stays counted");
        assertEquals(Double.NaN, lag.report(Double.NaN, 16 * s), "no playhead reported");
    }
}
