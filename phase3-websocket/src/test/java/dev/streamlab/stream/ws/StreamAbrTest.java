package dev.streamlab.stream.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.mp4.KeyframeIndex;
import dev.streamlab.mp4.Mp4File;
import dev.streamlab.mp4.TrackKind;
import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.phase3.SampleServer;
import dev.streamlab.stream.ws.StreamClient.Binary;
import dev.streamlab.stream.ws.StreamClient.Closed;
import dev.streamlab.stream.ws.StreamClient.Msg;
import dev.streamlab.stream.ws.StreamClient.Text;
import dev.streamlab.testing.ExternalTools;
import dev.streamlab.websocket.WsHandshake;
import dev.streamlab.websocket.WsLimits;
import dev.streamlab.websocket.server.WsEndpoints;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Adaptive bitrate on {@code /ws/stream} with the bundled ladder ({@code media/ladder}), driven by the JDK's
 * WebSocket client: meta's rungs, manual and automatic switches (at a keyframe, with the new rung's init), and
 * slow clients (skip, then close) on a server whose link emulator is turned down.
 */
class StreamAbrTest {
    private static final String LADDER_TOP = "ladder-30s-720p";
    private static final Duration WAIT = Duration.ofSeconds(5);
    /** Every codec the three rungs use (their H.264 levels differ) and AAC. */
    private static final String HELLO = "{\"type\":\"hello\",\"codecs\":[\"avc1.640015\",\"avc1.64001e\","
            + "\"avc1.64001f\",\"mp4a.40.2\"]}";

    private static Phase3Server server;
    private static double[] keyframes;

    @BeforeAll
    static void start() throws IOException {
        server = start(StreamEndpoint.Settings.DEFAULTS).server;
        keyframes = Mp4File.open(ExternalTools.media().resolve("ladder/" + LADDER_TOP + ".mp4")).movie()
                .first(TrackKind.VIDEO).orElseThrow().keyframes().seconds();
    }

    private record Started(Phase3Server server, StreamEndpoint endpoint) {}

    private static Started start(StreamEndpoint.Settings settings) throws IOException {
        Phase3Server s = SampleServer.start();
        StreamEndpoint endpoint = StreamEndpoint.create(s.catalog(), s.metrics(), settings);
        s.setUpgradeHandler(new WsEndpoints(WsHandshake.sameOrigin(), WsLimits.DEFAULT, Duration.ofSeconds(30))
                .register(StreamEndpoint.PATH, endpoint));
        return new Started(s, endpoint);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void metaListsTheLadderAscendingStartsLowAndExposesTheWatermarks() throws Exception {
        try (StreamClient c = new StreamClient(server.uri())) {
            Map<String, Object> meta = open(c, LADDER_TOP);
            List<Map<String, Object>> rungs = rungs(meta);
            assertEquals(List.of("ladder-30s-240p", "ladder-30s-360p", "ladder-30s-720p"),
                    rungs.stream().map(r -> r.get("video")).toList());
            assertEquals(List.of(240L, 360L, 720L), rungs.stream().map(r -> r.get("height")).toList());
            long previous = 0;
            for (int i = 0; i < rungs.size(); i++) {
                assertEquals((long) i, rungs.get(i).get("rung"));
                long bandwidth = (Long) rungs.get(i).get("bandwidth");
                assertTrue(bandwidth > previous, "ascending: " + rungs);
                previous = bandwidth;
            }
            assertEquals(0L, meta.get("rung"), "auto starts on the lowest rung");
            assertEquals("auto", meta.get("abr"));
            assertEquals(4.0, ((Number) meta.get("low_s")).doubleValue());
            assertEquals(10.0, ((Number) meta.get("high_s")).doubleValue());
            assertEquals(rungs.getFirst().get("mime"), ((List<?>) meta.get("mimes")).getFirst(),
                    "the SourceBuffer is made for the starting rung");
            Binary videoInit = assertInstanceOf(Binary.class, c.next(WAIT));
            assertEquals(0, videoInit.header().rung());
            Binary audioInit = assertInstanceOf(Binary.class, c.next(WAIT));
            assertEquals(SegmentHeader.Track.AUDIO, audioInit.header().track());
            assertEquals(2, audioInit.header().rung(), "audio comes from the opened file: rung 2");
            for (Binary b : StreamEndpointTest.drain(c, Duration.ofMillis(500))) {
                assertEquals(b.header().track() == SegmentHeader.Track.VIDEO ? 0 : 2, b.header().rung(), "" + b.header());
            }
        }
    }

    @Test
    void aManualSwitchTakesEffectAtTheNextKeyframeWithTheNewRungsInit() throws Exception {
        try (StreamClient c = new StreamClient(server.uri())) {
            open(c, LADDER_TOP);
            List<Binary> primed = StreamEndpointTest.drain(c, Duration.ofMillis(500)); // inits + up to 10 s
            int lastVideo = primed.stream().filter(b -> b.header().track() == SegmentHeader.Track.VIDEO
                    && b.header().kind() == SegmentHeader.Kind.MEDIA).mapToInt(b -> b.header().decodeMs()).max().orElseThrow();
            c.send("{\"type\":\"quality\",\"rung\":2}");
            c.send("{\"type\":\"stats\",\"buffered_s\":3,\"t\":7}"); // below low: refill
            Text rung = awaitText(c, "rung");
            assertEquals(2L, rung.json().get("rung"));
            assertEquals(Boolean.FALSE, rung.json().get("auto"));
            double t = ((Number) rung.json().get("t")).doubleValue();
            assertTrue(Arrays.stream(keyframes).anyMatch(k -> Math.abs(k - t) < 1e-3), t + " is a keyframe instant");
            assertTrue(t * 1000 > lastVideo, "after what was already sent");
            List<Binary> after = StreamEndpointTest.drain(c, Duration.ofMillis(500));
            Binary init = after.getFirst();
            assertEquals(SegmentHeader.Kind.INIT, init.header().kind(), "first the new rung's init: " + init.header());
            assertEquals(SegmentHeader.Track.VIDEO, init.header().track());
            assertEquals(2, init.header().rung());
            assertEquals("ftyp", init.firstBox());
            Binary first = after.stream().filter(b -> b.header().track() == SegmentHeader.Track.VIDEO
                    && b.header().kind() == SegmentHeader.Kind.MEDIA).findFirst().orElseThrow();
            assertEquals(2, first.header().rung());
            assertTrue(first.header().keyframe(), "the switch point is a keyframe");
            assertEquals(Math.round(t * 1000), first.header().decodeMs(), 1, "decode time of the switch point");
            assertTrue(after.stream().filter(b -> b.header().track() == SegmentHeader.Track.VIDEO)
                    .allMatch(b -> b.header().rung() == 2), "nothing of the old rung after the switch");
            assertTrue(after.stream().filter(b -> b.header().track() == SegmentHeader.Track.AUDIO)
                    .allMatch(b -> b.header().decodeMs() >= lastVideo), "audio goes on, no repeats");
            String scrape = server.metrics().scrape();
            assertTrue(scrape.contains("streamlab_ws_stream_rung_switches_total{direction=\"up\"}"), scrape);
        }
    }

    @Test
    void aBadQualityIsABadMessage() throws Exception {
        try (StreamClient c = new StreamClient(server.uri())) {
            open(c, LADDER_TOP);
            StreamEndpointTest.drain(c, Duration.ofMillis(300));
            for (String bad : List.of("{\"type\":\"quality\",\"rung\":3}", "{\"type\":\"quality\",\"rung\":\"best\"}",
                    "{\"type\":\"quality\",\"rung\":1.5}", "{\"type\":\"quality\"}")) {
                c.send(bad);
                Text error = assertInstanceOf(Text.class, c.next(WAIT), bad);
                assertEquals("bad_message", error.json().get("code"), bad);
            }
        }
    }

    @Test
    void autoGoesUpOnFastReportsAndDownWhenTheClientReportsLowThroughput() throws Exception {
        try (StreamClient c = new StreamClient(server.uri())) {
            open(c, LADDER_TOP);
            StreamEndpointTest.drain(c, Duration.ofMillis(500));
            // Two reports of plenty (50 Mbit/s) with a healthy buffer: one rung up.
            c.send("{\"type\":\"stats\",\"buffered_s\":9,\"t\":1,\"rx_bps\":50000000}");
            c.send("{\"type\":\"stats\",\"buffered_s\":9,\"t\":1,\"rx_bps\":50000000}");
            c.send("{\"type\":\"stats\",\"buffered_s\":3,\"t\":7}"); // refill: the switch goes out
            Text up = awaitText(c, "rung");
            assertEquals(1L, up.json().get("rung"));
            assertEquals(Boolean.TRUE, up.json().get("auto"));
            StreamEndpointTest.drain(c, Duration.ofMillis(500));
            // Then 200 kbit/s: below 1.2 x rung 1's bandwidth, down at once.
            c.send("{\"type\":\"stats\",\"buffered_s\":5,\"t\":9,\"rx_bps\":200000}");
            c.send("{\"type\":\"stats\",\"buffered_s\":3,\"t\":13}");
            Text down = awaitText(c, "rung");
            assertEquals(0L, down.json().get("rung"));
            assertTrue(((String) down.json().get("reason")).contains("throughput"), "" + down.json());
            Binary init = assertInstanceOf(Binary.class, c.next(WAIT));
            assertEquals(SegmentHeader.Kind.INIT, init.header().kind());
            assertEquals(0, init.header().rung());
        }
    }

    @Test
    void alternatingReportsDoNotFlapTheRung() throws Exception {
        try (StreamClient c = new StreamClient(server.uri())) {
            open(c, LADDER_TOP);
            StreamEndpointTest.drain(c, Duration.ofMillis(500));
            // Plenty, then merely enough for the next rung (1.3 x its bandwidth: in the dead band), alternating.
            for (int i = 0; i < 8; i++) {
                long rx = i % 2 == 0 ? 50_000_000 : 950_000;
                c.send("{\"type\":\"stats\",\"buffered_s\":9,\"t\":1,\"rx_bps\":" + rx + "}");
            }
            c.send("{\"type\":\"stats\",\"buffered_s\":3,\"t\":7}"); // refill: a pending switch would go out
            List<Msg> all = new ArrayList<>();
            for (Msg m; (m = c.poll(Duration.ofMillis(700))) != null; ) all.add(m);
            assertTrue(all.stream().anyMatch(m -> m instanceof Binary), "refilled");
            assertTrue(all.stream().noneMatch(m -> m instanceof Text t && "rung".equals(t.type())), "no switch: " + all);
            assertTrue(all.stream().allMatch(m -> !(m instanceof Binary b)
                    || b.header().track() != SegmentHeader.Track.VIDEO || b.header().rung() == 0), "still rung 0");
        }
    }

    @Test
    void aSlowClientSkipsToANewerKeyframeAndIsClosedPastTheBound() throws Exception {
        // A 60 kbit/s link for a ~190 kbit/s stream: the writes fall behind real time at once.
        Started slow = start(new StreamEndpoint.Settings(4, 10, 1.0, 1, Duration.ofSeconds(60), 60_000));
        try (StreamClient c = new StreamClient(slow.server().uri())) {
            c.send("{\"type\":\"hello\",\"codecs\":[\"avc1.64001e\",\"mp4a.40.2\"]}");
            c.send("{\"type\":\"open\",\"video\":\"sample-30s-360p-h264-aac\"}");
            c.send("{\"type\":\"play\"}");
            Text skip = null;
            Binary before = null;
            List<Binary> afterSkip = new ArrayList<>();
            Closed closed = null;
            for (int i = 0; i < 200 && closed == null; i++) {
                Msg m = c.next(Duration.ofSeconds(20));
                if (m instanceof Text t && "skip".equals(t.type()) && skip == null) skip = t;
                else if (m instanceof Binary b && skip == null && b.header().track() == SegmentHeader.Track.VIDEO) before = b;
                else if (m instanceof Binary b && skip != null) afterSkip.add(b);
                else if (m instanceof Closed x) closed = x;
            }
            assertNotNull(skip, "a skip");
            double from = ((Number) skip.json().get("from")).doubleValue();
            double to = ((Number) skip.json().get("t")).doubleValue();
            assertTrue(to > from, "forward: " + skip.json());
            assertEquals(1L, skip.json().get("timeline"), "the same timeline: what was sent stays valid");
            assertTrue(Arrays.stream(keyframesOf("sample-30s-360p-h264-aac.mp4")).anyMatch(k -> Math.abs(k - to) < 1e-3),
                    "to a keyframe: " + to);
            Binary firstVideo = afterSkip.stream().filter(b -> b.header().track() == SegmentHeader.Track.VIDEO)
                    .findFirst().orElse(null);
            if (firstVideo != null) {
                assertTrue(firstVideo.header().keyframe(), "never a partial GOP");
                assertEquals(Math.round(to * 1000), firstVideo.header().decodeMs(), 1);
            }
            assertNotNull(before, "something was sent before the skip");
            assertNotNull(closed, "closed past the bound of 1 skip in 60 s");
            assertEquals(1008, closed.code());
            assertTrue(closed.reason().contains("too slow"), closed.reason());
            String scrape = slow.server().metrics().scrape();
            assertTrue(metric(scrape, "streamlab_ws_stream_skips_total") >= 2, scrape);
            assertTrue(metric(scrape, "streamlab_ws_stream_dropped_segments_total") >= 1, scrape);
            assertEquals(1, metric(scrape, "streamlab_ws_stream_slow_closes_total"));
        } finally {
            slow.server().close();
        }
    }

    private static double[] keyframesOf(String file) throws IOException {
        return Mp4File.open(ExternalTools.media().resolve(file)).movie().first(TrackKind.VIDEO).orElseThrow()
                .keyframes().seconds();
    }

    private static double metric(String scrape, String name) {
        return scrape.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(
                l.substring(name.length() + 1).trim())).findFirst().orElseThrow(() -> new AssertionError(name));
    }

    /** Text messages of {@code type}, skipping binary ones; fails after a bounded number of messages. */
    private static Text awaitText(StreamClient c, String type) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            if (c.next(WAIT) instanceof Text t) {
                if (type.equals(t.type())) return t;
                if ("error".equals(t.type())) throw new AssertionError("error: " + t.json());
            }
        }
        throw new AssertionError("no " + type + " in 100 messages");
    }

    private static Map<String, Object> open(StreamClient c, String video) throws InterruptedException {
        c.send(HELLO);
        c.send("{\"type\":\"open\",\"video\":\"" + video + "\"}");
        Text meta = assertInstanceOf(Text.class, c.next(WAIT));
        assertEquals("meta", meta.type(), "" + meta.json());
        return meta.json();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rungs(Map<String, Object> meta) {
        return (List<Map<String, Object>>) meta.get("rungs");
    }
}
