package dev.streamlab.stream.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.phase3.SampleServer;
import dev.streamlab.stream.fmp4.Fmp4Remuxer;
import dev.streamlab.stream.ws.SegmentHeader;
import dev.streamlab.stream.ws.StreamClient;
import dev.streamlab.stream.ws.StreamClient.Binary;
import dev.streamlab.stream.ws.StreamClient.Closed;
import dev.streamlab.stream.ws.StreamClient.Msg;
import dev.streamlab.stream.ws.StreamClient.Text;
import dev.streamlab.testing.Await;
import dev.streamlab.testing.ExternalTools;
import dev.streamlab.websocket.WsCloseCodes;
import dev.streamlab.websocket.WsHandshake;
import dev.streamlab.websocket.WsLimits;
import dev.streamlab.websocket.server.WsEndpoints;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * {@code /ws/live/{channel}} driven by the JDK's WebSocket client against a real phase 3 server, channels running
 * faster than real time ({@link LiveConfig#speed()}) so loops and slow viewers happen within seconds.
 */
class LiveEndpointTest {
    private static final String LADDER = "ladder-30s-720p.mp4";
    private static final String SHORT = "sample-10s-360p-video-only.mp4";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final LiveConfig FAST = LiveConfig.DEFAULT.withSpeed(4).withIdleStop(Duration.ofMillis(300));

    /** A server with only the live endpoint. */
    private record Lab(Phase3Server server, LiveEndpoint live) implements AutoCloseable {
        static Lab start(LiveConfig config) throws IOException {
            Phase3Server server = SampleServer.start();
            LiveEndpoint live = LiveEndpoint.create(server.catalog(), server.metrics(), config);
            server.setUpgradeHandler(new WsEndpoints(WsHandshake.sameOrigin(), WsLimits.DEFAULT, Duration.ofSeconds(30))
                    .registerPrefix(LiveEndpoint.PREFIX, live.factory()));
            return new Lab(server, live);
        }

        URI uri() {
            return server.uri();
        }

        String id(String file) {
            return server.catalog().list().stream().filter(e -> e.file().getFileName().toString().equals(file))
                    .findFirst().orElseThrow().id();
        }

        StreamClient hello(String file) throws IOException {
            StreamClient c = new StreamClient(uri(), LiveEndpoint.PREFIX + id(file));
            c.send("{\"type\":\"hello\",\"codecs\":[\"" + codec(file) + "\",\"mp4a.40.2\"]}");
            return c;
        }

        long counter(String name) throws Exception {
            for (String line : server.metrics().scrape().split("\n")) {
                if (line.startsWith(name + " ")) return (long) Double.parseDouble(line.substring(name.length() + 1));
            }
            return 0; // a counter shows up at its first increment
        }

        @Override
        public void close() {
            live.close();
            server.close();
        }
    }

    private static String codec(String file) throws IOException {
        Path path;
        try (var files = Files.walk(ExternalTools.media())) {
            path = files.filter(f -> f.getFileName().toString().equals(file)).findFirst().orElseThrow();
        }
        return Fmp4Remuxer.open(path).video().orElseThrow().codec();
    }

    @Test
    void aSourceTruncatedUnderItsViewersEndsTheirConnections(@org.junit.jupiter.api.io.TempDir Path media)
            throws Exception {
        // Segments are views of the file's mapping. A file truncated under a running channel once left its viewers
        // on healthy, silent connections for ever: the writes failed, nothing said so (a black-box audit).
        Path file = media.resolve(SHORT);
        Files.copy(ExternalTools.media().resolve(SHORT), file);
        Phase3Server server = Phase3Server.start("127.0.0.1", 0, media,
                Phase3Server.Settings.of(ExternalTools.root().resolve("frontend")));
        LiveEndpoint live = LiveEndpoint.create(server.catalog(), server.metrics(), FAST);
        server.setUpgradeHandler(new WsEndpoints(WsHandshake.sameOrigin(), WsLimits.DEFAULT, Duration.ofSeconds(30))
                .registerPrefix(LiveEndpoint.PREFIX, live.factory()));
        try (StreamClient c = new StreamClient(server.uri(), LiveEndpoint.PREFIX + SHORT.replace(".mp4", ""))) {
            c.send("{\"type\":\"hello\",\"codecs\":[\"" + codec(SHORT) + "\"]}");
            assertTrue(c.nextMedia(WAIT).media(), "streaming");
            try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(Files.size(file) / 3);
            }
            Msg m;
            do {
                m = c.next(Duration.ofSeconds(15)); // fails if nothing at all comes: the silent stall
            } while (!(m instanceof Closed));
            Closed closed = (Closed) m;
            assertTrue(closed.code() == 1001 || closed.code() == 1006,
                    "the channel stopped or the connection was dropped: " + closed);
        } finally {
            live.close();
            server.close();
        }
    }

    @Test
    void joinGetsMetaThenInitThenAKeyframeSegment() throws Exception {
        try (Lab lab = Lab.start(FAST); StreamClient c = lab.hello(LADDER)) {
            Text meta = assertInstanceOf(Text.class, c.next(WAIT));
            assertEquals("meta", meta.type());
            assertEquals(true, meta.json().get("live"));
            assertEquals(lab.id(LADDER), meta.json().get("channel"));
            assertEquals(List.of(codec(LADDER)), meta.json().get("codecs"));
            assertEquals(2.0, meta.number("gop_s"), 0.05, "the ladder has 2 s GOPs");
            assertEquals(1, meta.number("timeline"));
            Binary init = c.nextBinary(WAIT);
            assertEquals(SegmentHeader.Kind.INIT, init.header().kind());
            assertEquals("ftyp", init.firstBox());
            Binary first = c.nextMedia(WAIT);
            assertTrue(first.header().keyframe(), "a viewer starts at a keyframe: " + first.header());
            assertEquals("moof", first.firstBox());
            assertEquals(1, first.header().timeline());
            assertEquals(init.header().sequence() + 1, first.header().sequence());
        }
    }

    @Test
    void lateJoinerStartsAtNewestKeyframe() throws Exception {
        try (Lab lab = Lab.start(FAST); StreamClient early = lab.hello(LADDER)) {
            // Let the channel run past a few keyframes, into the middle of a GOP (a non-keyframe chunk just sent).
            int lastKeyframe = -1;
            Binary b;
            int keyframes = 0;
            do {
                b = early.nextMedia(WAIT);
                if (b.header().keyframe()) {
                    lastKeyframe = b.header().presentationMs();
                    keyframes++;
                }
            } while (keyframes < 3 || b.header().keyframe());
            try (StreamClient late = lab.hello(LADDER)) {
                Binary first = late.nextMedia(WAIT);
                assertTrue(first.header().keyframe(), "joins at a keyframe: " + first.header());
                assertTrue(first.header().presentationMs() >= lastKeyframe, "at the newest keyframe, not an older"
                        + " one: " + first.header().presentationMs() + " ms vs " + lastKeyframe + " ms already seen");
                assertTrue(first.header().presentationMs() > 2000, "not the channel's start: " + first.header());
            }
        }
    }

    @Test
    void twoViewersSeeTheSameSegmentsWithTheSameTimestamps() throws Exception {
        try (Lab lab = Lab.start(FAST); StreamClient a = lab.hello(LADDER); StreamClient b = lab.hello(LADDER)) {
            Map<Integer, Binary> seenByA = new HashMap<>();
            for (int i = 0; i < 12; i++) {
                Binary s = a.nextMedia(WAIT);
                seenByA.put(s.header().presentationMs(), s);
            }
            int common = 0;
            for (int i = 0; i < 12; i++) {
                Binary s = b.nextMedia(WAIT);
                Binary same = seenByA.get(s.header().presentationMs());
                if (same == null) continue;
                common++;
                assertEquals(same.header().decodeMs(), s.header().decodeMs());
                assertEquals(same.header().keyframe(), s.header().keyframe());
                assertEquals(same.payload(), s.payload(), "byte for byte the same segment");
            }
            assertTrue(common >= 8, "both joined at once, so they share most segments: " + common);
        }
    }

    @Test
    void timestampsRunOnWithoutAGapAcrossLoops() throws Exception {
        try (Lab lab = Lab.start(FAST.withSpeed(20)); StreamClient c = lab.hello(SHORT)) {
            Binary init = c.nextBinary(WAIT);
            long timescale = timescale(init.payload());
            Binary prev = c.nextMedia(WAIT);
            int firstMs = prev.header().presentationMs();
            List<Integer> keyframes = new ArrayList<>();
            while (prev.header().presentationMs() < firstMs + 25_000) { // 10 s per loop: cross two seams
                Binary next = c.nextMedia(WAIT);
                int step = next.header().decodeMs() - prev.header().decodeMs();
                assertTrue(step > 0 && step <= 1000, "decode times go up by one chunk: " + prev.header() + " -> "
                        + next.header());
                long tfdt = tfdt(next.payload());
                assertEquals(next.header().decodeMs(), Math.floorDiv(tfdt * 1000, timescale),
                        "the tfdt in the moof is the header's continuous decode time");
                if (next.header().keyframe()) keyframes.add(next.header().presentationMs());
                prev = next;
            }
            for (int i = 1; i < keyframes.size(); i++) {
                assertEquals(2000, keyframes.get(i) - keyframes.get(i - 1), 40,
                        "a GOP every 2 s, across the loop seam too: " + keyframes);
            }
        }
    }

    /**
     * Makes {@code slow} fall far behind: it stops reading until the socket buffers are full and the channel has
     * moved on by more than the ring, then reads again (a viewer on a link slower than the channel's bitrate).
     */
    private static void fallBehind(Lab lab, StreamClient slow, LiveConfig config) throws Exception {
        slow.nextMedia(WAIT);
        slow.pause();
        long sent = -1;
        // Blocked: nothing more goes out to it for a while (its socket is full), and the ring has moved on.
        for (int i = 0; i < 100; i++) {
            long before = lab.counter("streamlab_live_segments_sent_total");
            Await.until(Duration.ofMillis(300), () -> false);
            if (lab.counter("streamlab_live_skips_total") > 0) { // fell behind already while its buffers filled
                sent = before;
                break;
            }
            if (before == lab.counter("streamlab_live_segments_sent_total")
                    && lab.counter("streamlab_live_segments_published_total") > before + 2L * config.ringSegments()) {
                sent = before;
                break;
            }
        }
        assertTrue(sent >= 0, "the paused viewer's socket never filled up");
        slow.resume();
    }

    @Test
    void slowViewerIsSkippedToTheNewestKeyframeAndCounted() throws Exception {
        LiveConfig config = FAST.withSpeed(60).withSkips(8, 1000).withStallClose(Duration.ofSeconds(60));
        try (Lab lab = Lab.start(config); StreamClient slow = lab.hello(LADDER)) {
            fallBehind(lab, slow, config);
            assertTrue(Await.until(Duration.ofSeconds(30), () -> lab.counter("streamlab_live_skips_total") > 0),
                    "a viewer that fell behind is skipped");
            // After the gap (a jump of more than one chunk), delivery resumes with a keyframe segment.
            Binary prev = slow.nextMedia(WAIT);
            boolean sawGap = false;
            for (int i = 0; i < 2000 && !sawGap; i++) {
                Binary next = slow.nextMedia(WAIT);
                if (next.header().decodeMs() - prev.header().decodeMs() > 1000) {
                    sawGap = true;
                    assertTrue(next.header().keyframe(), "after a skip, a keyframe: " + next.header());
                }
                prev = next;
            }
            assertTrue(sawGap, "the skip shows as a jump in decode times");
            // Each skip drops from the cursor to the newest keyframe: at least one segment, but fewer than maxBehind
            // when the newest keyframe is older than the newest segment (a skip right at the bound, mid-GOP).
            long skipped = lab.counter("streamlab_live_skipped_segments_total");
            assertTrue(skipped >= 1, skipped + " segments dropped by " + lab.counter("streamlab_live_skips_total")
                    + " skips");
        }
    }

    @Test
    void viewerThatKeepsFallingBehindIsClosedWith1008() throws Exception {
        LiveConfig config = FAST.withSpeed(60).withSkips(8, 0).withStallClose(Duration.ofSeconds(60));
        try (Lab lab = Lab.start(config); StreamClient slow = lab.hello(LADDER)) {
            fallBehind(lab, slow, config);
            Closed closed = null;
            for (int i = 0; i < 10_000 && closed == null; i++) {
                if (slow.next(WAIT) instanceof Closed c) closed = c;
            }
            assertTrue(closed != null, "closed");
            assertEquals(WsCloseCodes.POLICY_VIOLATION, closed.code());
            assertTrue(closed.reason().contains("too slow"), closed.reason());
            assertEquals(1, lab.counter("streamlab_live_slow_closes_total"));
        }
    }

    @Test
    void viewerThatReadsNothingIsDroppedAfterTheStallBound() throws Exception {
        LiveConfig config = FAST.withSpeed(60).withStallClose(Duration.ofSeconds(1));
        try (Lab lab = Lab.start(config); StreamClient stalled = lab.hello(LADDER)) {
            stalled.nextMedia(WAIT);
            stalled.pause();
            assertTrue(Await.until(Duration.ofSeconds(30), () -> lab.counter("streamlab_live_slow_closes_total") == 1
                    && lab.live().viewerCount() == 0 && lab.live().threadCount() <= 1),
                    "a viewer whose socket stays full is dropped, its sender ends");
        }
    }

    @Test
    void unknownChannelIsRefusedWith404() throws Exception {
        try (Lab lab = Lab.start(FAST)) {
            CompletionException e = assertThrows(CompletionException.class, () -> HttpClient.newHttpClient()
                    .newWebSocketBuilder().header("Origin", "http://" + lab.uri().getAuthority())
                    .buildAsync(URI.create("ws://" + lab.uri().getAuthority() + LiveEndpoint.PREFIX + "no-such-video"),
                            new WebSocket.Listener() {}).join());
            WebSocketHandshakeException h = assertInstanceOf(WebSocketHandshakeException.class, e.getCause());
            assertEquals(404, h.getResponse().statusCode());
        }
    }

    @Test
    void resyncStartsANewTimelineAtTheNewestKeyframe() throws Exception {
        try (Lab lab = Lab.start(FAST); StreamClient c = lab.hello(LADDER)) {
            c.nextMedia(WAIT);
            c.nextMedia(WAIT);
            c.send("{\"type\":\"resync\"}");
            Text joined = c.nextText("joined", WAIT);
            assertEquals(2, joined.number("timeline"));
            Binary init = c.nextBinary(WAIT);
            assertEquals(SegmentHeader.Kind.INIT, init.header().kind());
            assertEquals(2, init.header().timeline());
            Binary first = c.nextMedia(WAIT);
            assertTrue(first.header().keyframe());
            assertEquals(2, first.header().timeline());
            assertEquals(joined.number("t") * 1000, first.header().presentationMs(), 1.0);
        }
    }

    @Test
    void viewersShareSegmentsAndTheNaiveVariantCopiesThem() throws Exception {
        for (boolean naive : new boolean[] {false, true}) {
            try (Lab lab = Lab.start(FAST.withCopyPerViewer(naive))) {
                long fmp4 = 0;
                try (StreamClient a = lab.hello(LADDER); StreamClient b = lab.hello(LADDER)) {
                    for (int i = 0; i < 6; i++) fmp4 += a.nextMedia(WAIT).payload().remaining();
                    for (int i = 0; i < 6; i++) b.nextMedia(WAIT);
                }
                // Senders ended: the counters are final, and consistent with each other.
                assertTrue(Await.until(WAIT, () -> lab.live().threadCount() <= 1 && lab.live().viewerCount() == 0));
                long segments = lab.counter("streamlab_live_segments_sent_total");
                long copied = lab.counter("streamlab_live_copied_bytes_total");
                if (naive) {
                    assertTrue(copied > segments * SegmentHeader.LENGTH + fmp4, "naive: every segment copied per"
                            + " viewer: " + copied + " bytes for " + segments + " segments");
                } else {
                    assertEquals(segments * SegmentHeader.LENGTH, copied, "shared: only each viewer's 24-byte header");
                }
            }
        }
    }

    @Test
    void edgeMessagesComeEverySecondAndMoveForward() throws Exception {
        try (Lab lab = Lab.start(FAST); StreamClient c = lab.hello(LADDER)) {
            double t1 = c.nextText("edge", WAIT).number("t");
            double t2 = c.nextText("edge", WAIT).number("t");
            assertTrue(t2 > t1, t1 + " then " + t2);
        }
    }

    @Test
    void badMessagesGetAnErrorAndTheStreamGoesOn() throws Exception {
        try (Lab lab = Lab.start(FAST); StreamClient c = new StreamClient(lab.uri(), LiveEndpoint.PREFIX + lab.id(LADDER))) {
            c.send("{\"type\":\"stats\",\"buffered_s\":1}");
            assertEquals("bad_state", c.nextText("error", WAIT).json().get("code"));
            c.send("not json");
            assertEquals("bad_json", c.nextText("error", WAIT).json().get("code"));
            c.send("{\"type\":\"hello\",\"codecs\":[\"vp09.00.10.08\"]}");
            assertEquals("unsupported_codecs", c.nextText("error", WAIT).json().get("code"));
            c.send("{\"type\":\"hello\",\"codecs\":[\"" + codec(LADDER) + "\"]}");
            assertEquals("meta", c.nextText("meta", WAIT).type());
            c.send("{\"type\":\"seek\",\"t\":3}");
            assertEquals("bad_state", c.nextText("error", WAIT).json().get("code"));
            assertTrue(c.nextMedia(WAIT).media());
        }
    }

    @Test
    void aFloodOfBadMessagesIsClosedWith1008() throws Exception {
        try (Lab lab = Lab.start(FAST); StreamClient c = new StreamClient(lab.uri(), LiveEndpoint.PREFIX + lab.id(LADDER))) {
            for (int i = 0; i <= LiveSession.MAX_BAD; i++) c.send("nope " + i);
            int errors = 0;
            Msg m;
            while ((m = c.next(WAIT)) instanceof Text t) {
                assertEquals("error", t.type(), "" + t);
                errors++;
            }
            assertEquals(LiveSession.MAX_BAD, errors, "an error for each of the first 50");
            Closed closed = assertInstanceOf(Closed.class, m, "" + m);
            assertEquals(WsCloseCodes.POLICY_VIOLATION, closed.code(), "" + closed);
            assertTrue(closed.reason().contains("bad messages"), "" + closed);
            assertEquals(LiveSession.MAX_BAD + 1, lab.counter("streamlab_live_bad_messages_total"));
        }
    }

    @Test
    void droppedFramesAndStallsFromStatsAddUpAtMetrics() throws Exception {
        try (Lab lab = Lab.start(FAST); StreamClient c = lab.hello(LADDER)) {
            assertEquals("meta", c.nextText("meta", WAIT).type());
            c.send("{\"type\":\"stats\",\"buffered_s\":1,\"t\":0.5,\"dropped\":4,\"stalls\":1}");
            c.send("{\"type\":\"stats\",\"buffered_s\":1,\"t\":1.5,\"dropped\":6,\"stalls\":1}");
            c.send("{\"type\":\"stats\",\"buffered_s\":1,\"t\":2,\"dropped\":\"six\"}");
            Text error = c.nextText("error", WAIT); // after the two good reports: one reader thread, in order
            assertEquals("bad_message", error.json().get("code"));
            assertEquals(6, lab.counter("streamlab_live_client_dropped_frames_total"), "running totals: 6, not 4 + 6");
            assertEquals(1, lab.counter("streamlab_live_client_stalls_total"));
            assertTrue(c.nextMedia(WAIT).media(), "the stream goes on");
        }
    }

    @Test
    void noViewerThreadOrChannelIsLeftAfterDisconnects() throws Exception {
        try (Lab lab = Lab.start(FAST)) {
            List<StreamClient> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) clients.add(lab.hello(LADDER));
            for (StreamClient c : clients) c.nextMedia(WAIT);
            assertEquals(3, lab.live().viewerCount());
            assertEquals(1, lab.live().channelCount());
            for (StreamClient c : clients) c.close();
            assertTrue(Await.until(WAIT, () -> lab.live().viewerCount() == 0 && lab.live().threadCount() == 0
                    && lab.live().channelCount() == 0), "viewers " + lab.live().viewerCount() + ", threads "
                    + lab.live().threadCount() + ", channels " + lab.live().channelCount());
            // A new viewer starts the channel again.
            try (StreamClient again = lab.hello(LADDER)) {
                assertTrue(again.nextMedia(WAIT).header().keyframe());
            }
        }
    }

    /** The mdhd-less way: the init's mvhd/mdhd are deep; the timescale of the tfdt is the mdhd's — read it. */
    private static long timescale(ByteBuffer init) {
        int mdhd = find(init, "mdhd");
        int version = init.get(mdhd + 8);
        return Integer.toUnsignedLong(init.getInt(mdhd + 12 + (version == 1 ? 16 : 8)));
    }

    private static long tfdt(ByteBuffer moof) {
        int at = find(moof, "tfdt");
        return moof.get(at + 8) == 1 ? moof.getLong(at + 12) : Integer.toUnsignedLong(moof.getInt(at + 12));
    }

    /** Offset of the first box of {@code type} (a plain byte search for its four letters; fine for these). */
    private static int find(ByteBuffer b, String type) {
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int i = b.position() + 4; i + 4 <= b.limit(); i++) {
            if (b.get(i) == t[0] && b.get(i + 1) == t[1] && b.get(i + 2) == t[2] && b.get(i + 3) == t[3]) return i - 4;
        }
        throw new AssertionError("no " + type + " box");
    }
}
