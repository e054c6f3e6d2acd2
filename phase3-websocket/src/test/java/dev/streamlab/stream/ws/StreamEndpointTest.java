package dev.streamlab.stream.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.http1.Http1Settings;
import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.stream.fmp4.Fmp4Remuxer;
import dev.streamlab.stream.fmp4.Fmp4Track;
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
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /ws/stream} driven by the JDK's WebSocket client against a real phase 3 server: the handshake of
 * messages, the binary header, pacing, pause, seek, and what bad control messages get.
 */
class StreamEndpointTest {
    private static final String FILE = "sample-30s-360p-h264-aac.mp4";
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String HELLO = "{\"type\":\"hello\",\"codecs\":[\"avc1.64001e\",\"mp4a.40.2\"]}";

    private static Phase3Server server;
    private static String id;
    private static Fmp4Track video;
    private static Fmp4Track audio;

    @BeforeAll
    static void start() throws IOException {
        server = Phase3Server.start("127.0.0.1", 0, ExternalTools.media(),
                new Phase3Server.Settings(ExternalTools.root().resolve("frontend"), Http1Settings.DEFAULTS));
        server.setUpgradeHandler(new WsEndpoints(WsHandshake.sameOrigin(), WsLimits.DEFAULT, Duration.ofSeconds(30))
                .register(StreamEndpoint.PATH, StreamEndpoint.create(server.catalog(), server.metrics())));
        id = server.catalog().list().stream().filter(e -> e.file().getFileName().toString().equals(FILE))
                .findFirst().orElseThrow().id();
        Fmp4Remuxer fmp4 = Fmp4Remuxer.open(ExternalTools.media().resolve(FILE));
        video = fmp4.video().orElseThrow();
        audio = fmp4.audio().orElseThrow();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void openSendsMetaInitsThenSixSecondsOfSegmentsInTimeOrder() throws Exception {
        try (StreamClient c = open()) {
            List<Binary> media = drain(c, Duration.ofMillis(700)); // primed, clock stopped: then silence
            assertTrue(media.size() >= 6, media.size() + " media segments");
            int lastSequence = 2;
            int lastStart = Integer.MIN_VALUE;
            int v = 0;
            int a = 0;
            for (Binary b : media) {
                SegmentHeader h = b.header();
                assertEquals(SegmentHeader.Kind.MEDIA, h.kind());
                assertEquals(lastSequence + 1, h.sequence(), "one sequence number per binary message");
                lastSequence = h.sequence();
                assertEquals(1, h.timeline());
                assertTrue(h.presentationMs() >= lastStart, "interleaved by time: " + h);
                lastStart = h.presentationMs();
                assertTrue(h.presentationMs() < StreamSession.AHEAD_SECONDS * 1000, "only 6 s ahead before play: " + h);
                assertEquals("moof", b.firstBox());
                Fmp4Track t = h.track() == SegmentHeader.Track.VIDEO ? video : audio;
                int index = h.track() == SegmentHeader.Track.VIDEO ? v++ : a++;
                assertEquals(SegmentHeader.millis(t.segmentStart(index), t.timescale()), h.presentationMs(), "" + h);
                assertEquals(t.segment(index).length(), b.payload().remaining(), "the whole segment, unchanged");
                if (h.track() == SegmentHeader.Track.VIDEO) assertTrue(h.keyframe(), "GOP segments start on a keyframe");
            }
            assertEquals(3, v, "video 0, 2, 4 s");
            assertEquals(4, a, "audio -0.021, 1.98, 3.99, 5.995 s");
        }
    }

    @Test
    void playPacesPauseStopsTheFlowAndPlayContinuesFromTheSameSegment() throws Exception {
        try (StreamClient c = open()) {
            List<Binary> primed = drain(c, Duration.ofMillis(500));
            c.send("{\"type\":\"play\"}");
            Binary more = assertInstanceOf(Binary.class, c.next(Duration.ofSeconds(3)), "the clock runs: more comes");
            assertTrue(more.header().presentationMs() >= 6000, "" + more.header());
            c.send("{\"type\":\"pause\"}");
            List<Binary> inFlight = drain(c, Duration.ofMillis(300));
            assertNull(c.poll(Duration.ofMillis(2500)), "paused: nothing for 2.5 s");
            Binary last = inFlight.isEmpty() ? more : inFlight.getLast();
            c.send("{\"type\":\"play\"}");
            Binary resumed = assertInstanceOf(Binary.class, c.next(Duration.ofSeconds(4)));
            assertEquals(last.header().sequence() + 1, resumed.header().sequence());
            assertTrue(resumed.header().presentationMs() >= last.header().presentationMs(),
                    "continues where it paused: " + last.header() + " then " + resumed.header());
            assertTrue(primed.size() + inFlight.size() + 2 <= video.segmentCount() + audio.segmentCount());
            // stats steer the clock: a client that says it is at 20 s gets segments up to 26 s
            c.send("{\"type\":\"stats\",\"buffered_s\":0.5,\"t\":20}");
            List<Binary> burst = drain(c, Duration.ofMillis(700));
            assertTrue(burst.stream().anyMatch(b -> b.header().presentationMs() >= 20000), "caught up to t=20 s");
        }
    }

    @Test
    void seekSendsSeekedANewTimelineAndStartsAtTheKeyframeAtOrBeforeT() throws Exception {
        try (StreamClient c = open()) {
            drain(c, Duration.ofMillis(300));
            c.send("{\"type\":\"seek\",\"t\":21.3}");
            Text seeked = null;
            while (seeked == null) { // segments of timeline 1 may still be on their way
                if (c.next(WAIT) instanceof Text t) seeked = t;
            }
            assertEquals("seeked", seeked.type());
            int keyframe = video.segmentAt(21.3);
            assertEquals(video.segmentStartSeconds(keyframe), ((Number) seeked.json().get("t")).doubleValue(), 1e-9);
            assertTrue(video.segmentStartSeconds(keyframe) <= 21.3);
            assertEquals(2L, seeked.json().get("timeline"));
            Binary vInit = assertInstanceOf(Binary.class, c.next(WAIT));
            Binary aInit = assertInstanceOf(Binary.class, c.next(WAIT));
            assertEquals(SegmentHeader.Kind.INIT, vInit.header().kind());
            assertEquals(SegmentHeader.Kind.INIT, aInit.header().kind());
            assertEquals(2, vInit.header().timeline());
            List<Binary> media = drain(c, Duration.ofMillis(700));
            Binary firstVideo = media.stream().filter(b -> b.header().track() == SegmentHeader.Track.VIDEO)
                    .findFirst().orElseThrow();
            assertEquals(SegmentHeader.millis(video.segmentStart(keyframe), video.timescale()),
                    firstVideo.header().presentationMs());
            assertTrue(firstVideo.header().keyframe());
            assertTrue(media.stream().allMatch(b -> b.header().timeline() == 2));
            assertTrue(media.stream().allMatch(b -> b.header().presentationMs() >= 19_900), "nothing before the keyframe");
        }
    }

    @Test
    void resyncSendsFreshInitsThenContinuesFromTheNextKeyframeOnTheSameTimeline() throws Exception {
        try (StreamClient c = open()) {
            drain(c, Duration.ofMillis(500)); // primed: video up to 4 s, audio up to 5.995 s
            c.send("{\"type\":\"resync\"}");
            for (SegmentHeader.Track t : SegmentHeader.Track.values()) {
                Binary init = assertInstanceOf(Binary.class, c.next(WAIT));
                assertEquals(SegmentHeader.Kind.INIT, init.header().kind());
                assertEquals(t, init.header().track());
                assertEquals(1, init.header().timeline(), "nothing went stale");
                assertEquals(6000, init.header().presentationMs(), "the next video keyframe");
            }
            c.send("{\"type\":\"play\"}");
            Binary v = null;
            while (v == null) {
                Binary b = assertInstanceOf(Binary.class, c.next(WAIT));
                if (b.header().track() == SegmentHeader.Track.VIDEO) v = b;
            }
            assertEquals(6000, v.header().presentationMs());
            assertTrue(v.header().keyframe());
        }
    }

    @Test
    void badMessagesGetAnErrorAndTheStreamContinues() throws Exception {
        try (StreamClient c = open()) {
            drain(c, Duration.ofMillis(300));
            String[][] cases = {
                    {"{not json", "bad_json"},
                    {"[1,2]", "bad_json"},
                    {"{\"type\":\"dance\"}", "unknown_type"},
                    {"{\"kind\":\"play\"}", "bad_message"},
                    {"{\"type\":\"seek\",\"t\":\"soon\"}", "bad_message"},
                    {"{\"type\":\"hello\",\"codecs\":[]}", "bad_state"},
            };
            for (String[] bad : cases) {
                c.send(bad[0]);
                Text error = assertInstanceOf(Text.class, c.next(WAIT), bad[0]);
                assertEquals("error", error.type(), bad[0]);
                assertEquals(bad[1], error.json().get("code"), bad[0]);
                assertTrue(((String) error.json().get("message")).length() > 0);
            }
            c.send("{\"type\":\"play\"}");
            assertInstanceOf(Binary.class, c.next(Duration.ofSeconds(3)), "still streaming");
        }
    }

    @Test
    void aFloodOfBadMessagesIsClosedWith1008() throws Exception {
        try (StreamClient c = new StreamClient(server.uri())) {
            for (int i = 0; i <= StreamSession.MAX_BAD; i++) c.send("nope " + i);
            int errors = 0;
            Msg m;
            while ((m = c.next(WAIT)) instanceof Text t) {
                assertEquals("error", t.type());
                errors++;
            }
            assertEquals(StreamSession.MAX_BAD, errors, "an error for each of the first 50");
            assertEquals(1008, assertInstanceOf(Closed.class, m).code());
        }
    }

    @Test
    void codecNegotiationAndOrder() throws Exception {
        try (StreamClient c = new StreamClient(server.uri())) {
            c.send("{\"type\":\"open\",\"video\":\"" + id + "\"}");
            assertEquals("bad_state", ((Text) c.next(WAIT)).json().get("code"), "open before hello");
            c.send("{\"type\":\"hello\",\"codecs\":[\"vp09.00.10.08\",\"hev1.1.6.L93.B0\"]}");
            c.send("{\"type\":\"open\",\"video\":\"" + id + "\"}");
            assertEquals("unsupported_codecs", ((Text) c.next(WAIT)).json().get("code"));
            c.send("{\"type\":\"open\",\"video\":\"no-such-video\"}");
            assertEquals("no_such_video", ((Text) c.next(WAIT)).json().get("code"));
            c.send("{\"type\":\"play\"}");
            assertEquals("bad_state", ((Text) c.next(WAIT)).json().get("code"), "play before a successful open");
        }
        try (StreamClient c = new StreamClient(server.uri())) { // audio only: the server offers only that track
            c.send("{\"type\":\"hello\",\"codecs\":[\"mp4a.40.2\"]}");
            c.send("{\"type\":\"open\",\"video\":\"" + id + "\"}");
            Text meta = (Text) c.next(WAIT);
            assertEquals(List.of("mp4a.40.2"), meta.json().get("codecs"));
            Binary init = (Binary) c.next(WAIT);
            assertEquals(SegmentHeader.Track.AUDIO, init.header().track());
            assertTrue(drain(c, Duration.ofMillis(500)).stream()
                    .allMatch(b -> b.header().track() == SegmentHeader.Track.AUDIO));
        }
    }

    @Test
    void sampleBytesGoOutWithoutACopyAsMetricsShow() throws Exception {
        try (StreamClient c = open()) {
            drain(c, Duration.ofMillis(500));
        }
        String scrape = server.metrics().scrape();
        double bytes = metric(scrape, "streamlab_ws_stream_bytes_total");
        double mapped = metric(scrape, "streamlab_ws_stream_mapped_bytes_total");
        assertTrue(bytes > 0 && mapped > 0.9 * bytes, "mapped " + mapped + " of " + bytes + " bytes");
        assertTrue(metric(scrape, "streamlab_ws_stream_copies_per_byte") < 0.1);
        assertTrue(scrape.contains("streamlab_ws_stream_sessions"), "the name the player's probe looks for");
    }

    private static double metric(String scrape, String name) {
        return scrape.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(
                l.substring(name.length() + 1).trim())).findFirst().orElseThrow(() -> new AssertionError(name));
    }

    /** Connects, says hello, opens the sample; checks meta and the two init segments. */
    private static StreamClient open() throws InterruptedException {
        StreamClient c = new StreamClient(server.uri());
        c.send(HELLO);
        c.send("{\"type\":\"open\",\"video\":\"" + id + "\"}");
        Text meta = assertInstanceOf(Text.class, c.next(WAIT));
        assertEquals("meta", meta.type());
        assertEquals(30.0, ((Number) meta.json().get("duration")).doubleValue(), 0.1);
        assertEquals(List.of("avc1.64001e", "mp4a.40.2"), meta.json().get("codecs"));
        assertEquals(List.of(video.mimeType(), audio.mimeType()), meta.json().get("mimes"));
        assertEquals(1L, meta.json().get("timeline"));
        for (SegmentHeader.Track t : SegmentHeader.Track.values()) {
            Binary init = assertInstanceOf(Binary.class, c.next(WAIT));
            assertEquals(t, init.header().track());
            assertEquals(SegmentHeader.Kind.INIT, init.header().kind());
            assertEquals(t.ordinal() + 1, init.header().sequence());
            assertEquals("ftyp", init.firstBox());
            Fmp4Track track = t == SegmentHeader.Track.VIDEO ? video : audio;
            assertEquals(track.init().length(), init.payload().remaining());
        }
        return c;
    }

    /** Binary messages until none comes for {@code quiet}. */
    private static List<Binary> drain(StreamClient c, Duration quiet) throws InterruptedException {
        List<Binary> out = new ArrayList<>();
        for (Msg m; (m = c.poll(quiet)) != null; ) out.add(assertInstanceOf(Binary.class, m, "" + m));
        return out;
    }
}
