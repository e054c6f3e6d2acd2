package dev.streamlab.stream.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.phase3.SampleServer;
import dev.streamlab.stream.fmp4.Fmp4Remuxer;
import dev.streamlab.stream.fmp4.Fmp4Track;
import dev.streamlab.stream.ws.StreamClient.Binary;
import dev.streamlab.stream.ws.StreamClient.Closed;
import dev.streamlab.stream.ws.StreamClient.Msg;
import dev.streamlab.stream.ws.StreamClient.Text;
import dev.streamlab.testing.ExternalTools;
import dev.streamlab.testing.Fifos;
import dev.streamlab.websocket.WsHandshake;
import dev.streamlab.websocket.WsLimits;
import dev.streamlab.websocket.server.WsEndpoints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /ws/stream} driven by the JDK's WebSocket client against a real phase 3 server: the handshake of
 * messages, the binary header, pacing, pause, seek, and what bad control messages get.
 */
class StreamEndpointTest {
    private static final String FILE = "sample-30s-360p-h264-aac.mp4";
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final double HIGH = StreamEndpoint.Settings.DEFAULTS.highS();
    private static final String HELLO = "{\"type\":\"hello\",\"codecs\":[\"avc1.64001e\",\"mp4a.40.2\"]}";

    private static Phase3Server server;
    private static String id;
    private static Fmp4Track video;
    private static Fmp4Track audio;
    private static double duration;

    @BeforeAll
    static void start() throws IOException {
        server = SampleServer.start();
        server.setUpgradeHandler(new WsEndpoints(WsHandshake.sameOrigin(), WsLimits.DEFAULT, Duration.ofSeconds(30))
                .register(StreamEndpoint.PATH, StreamEndpoint.create(server.catalog(), server.metrics())));
        id = server.catalog().list().stream().filter(e -> e.file().getFileName().toString().equals(FILE))
                .findFirst().orElseThrow().id();
        Fmp4Remuxer fmp4 = Fmp4Remuxer.open(ExternalTools.media().resolve(FILE));
        video = fmp4.video().orElseThrow();
        audio = fmp4.audio().orElseThrow();
        duration = fmp4.durationSeconds();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void openSendsMetaInitsThenSegmentsUpToTheHighWatermarkInTimeOrder() throws Exception {
        try (StreamClient c = open()) {
            List<Binary> media = drain(c, Duration.ofMillis(700)); // primed, clock stopped: then silence
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
                assertEquals(0, h.rung(), "a video outside a ladder is its own rung 0");
                assertTrue(h.presentationMs() >= lastStart, "interleaved by time: " + h);
                lastStart = h.presentationMs();
                assertEquals("moof", b.firstBox());
                Fmp4Track t = h.track() == SegmentHeader.Track.VIDEO ? video : audio;
                int index = h.track() == SegmentHeader.Track.VIDEO ? v++ : a++;
                assertTrue(end(t, index) <= HIGH + 1e-9, "only up to the high watermark before play: " + h);
                assertEquals(SegmentHeader.millis(t.segmentStart(index), t.timescale()), h.presentationMs(), "" + h);
                assertEquals(t.segment(index).length(), b.payload().remaining(), "the whole segment, unchanged");
                if (h.track() == SegmentHeader.Track.VIDEO) assertTrue(h.keyframe(), "GOP segments start on a keyframe");
            }
            assertEquals(upTo(video, HIGH), v, "every video segment that ends by 10 s");
            assertEquals(upTo(audio, HIGH), a, "every audio segment that ends by 10 s");
        }
    }

    @Test
    void playPacesPauseStopsTheFlowAndPlayContinuesFromTheSameSample() throws Exception {
        try (StreamClient c = open()) {
            List<Binary> primed = drain(c, Duration.ofMillis(500));
            c.send("{\"type\":\"play\"}");
            // The client says its buffer fell below low (4 s): the server fills up to 10 s ahead of t again.
            c.send("{\"type\":\"stats\",\"buffered_s\":3.5,\"t\":6.5}");
            Binary more = assertInstanceOf(Binary.class, c.next(Duration.ofSeconds(3)), "refilled");
            assertTrue(more.header().presentationMs() >= 9900, "" + more.header());
            c.send("{\"type\":\"pause\"}");
            List<Binary> inFlight = drain(c, Duration.ofMillis(300));
            assertNull(c.poll(Duration.ofMillis(2500)), "paused: nothing for 2.5 s");
            List<Binary> before = new ArrayList<>(primed);
            before.add(more);
            before.addAll(inFlight);
            Binary lastVideo = before.stream().filter(b -> b.header().track() == SegmentHeader.Track.VIDEO)
                    .reduce((x, y) -> y).orElseThrow();
            Binary last = before.getLast();
            c.send("{\"type\":\"play\"}");
            c.send("{\"type\":\"stats\",\"buffered_s\":3,\"t\":" + (lastEnd(before) - 3) + "}");
            Binary resumed = assertInstanceOf(Binary.class, c.next(Duration.ofSeconds(4)));
            assertEquals(last.header().sequence() + 1, resumed.header().sequence());
            List<Binary> after = new ArrayList<>(List.of(resumed));
            after.addAll(drain(c, Duration.ofMillis(500)));
            Binary nextVideo = after.stream().filter(b -> b.header().track() == SegmentHeader.Track.VIDEO)
                    .findFirst().orElseThrow();
            int i = video.segmentAt(lastVideo.header().presentationMs() / 1000.0 + 0.0005);
            long nextDecode = video.segment(i).baseDecodeTime() + ticks(video, i);
            assertEquals(SegmentHeader.millis(nextDecode, video.timescale()), nextVideo.header().decodeMs(),
                    "resumes with the sample after the last one sent: " + lastVideo.header() + " then "
                            + nextVideo.header());
            assertTrue(primed.size() + inFlight.size() + 2 <= video.segmentCount() + audio.segmentCount());
            // stats steer the clock: a client that says it is at 20 s gets segments up to 30 s. If what is due next
            // starts more than skip_lag (3 s) before 20 s, the server first says `skip` and drops to the keyframe at
            // or after 20 s (how far the pause left the flow decides which; both are right).
            c.send("{\"type\":\"stats\",\"buffered_s\":0.5,\"t\":20}");
            List<Binary> burst = new ArrayList<>();
            for (Msg m; (m = c.poll(Duration.ofMillis(700))) != null; ) {
                if (m instanceof Text t && ("skip".equals(t.type()) || "ended".equals(t.type()))) continue;
                burst.add(assertInstanceOf(Binary.class, m, "" + m));
            }
            assertTrue(burst.stream().anyMatch(b -> b.header().presentationMs() >= 20000), "caught up to t=20 s");
        }
    }

    @Test
    void watermarksStopAtHighAndRefillOnlyBelowLow() throws Exception {
        try (StreamClient c = open()) {
            List<Binary> primed = drain(c, Duration.ofMillis(500));
            double sent = lastEnd(primed);
            assertTrue(sent >= HIGH - 2.1 && sent <= HIGH + 1e-9, "filled to the high watermark: " + sent);
            // The clock stands still before play; stats move it. Buffer 5 s > low: nothing.
            c.send("{\"type\":\"stats\",\"buffered_s\":5,\"t\":" + (sent - 5) + "}");
            assertNull(c.poll(Duration.ofMillis(1200)), "5 s buffered is above the low watermark (4 s)");
            c.send("{\"type\":\"stats\",\"buffered_s\":3.9,\"t\":" + (sent - 3.9) + "}");
            List<Binary> refill = drain(c, Duration.ofMillis(700));
            assertTrue(!refill.isEmpty(), "3.9 s is below low: refill");
            double head = sent - 3.9;
            for (Binary b : refill) {
                Fmp4Track t = b.header().track() == SegmentHeader.Track.VIDEO ? video : audio;
                int i = t.segmentAt(b.header().presentationMs() / 1000.0 + 0.0005);
                assertTrue(end(t, i) <= head + HIGH + 1e-9, "up to high again: " + b.header());
            }
            assertTrue(lastEnd(refill) >= head + HIGH - 2.1, "back up to about the high watermark");
        }
    }

    /** Sends a seek and returns the first text reply (segments of the old timeline may still be on their way). */
    private static Text seek(StreamClient c, String t) throws Exception {
        c.send("{\"type\":\"seek\",\"t\":" + t + "}");
        while (true) {
            if (c.next(WAIT) instanceof Text reply) return reply;
        }
    }

    @Test
    void seekSendsSeekedANewTimelineAndStartsAtTheKeyframeAtOrBeforeT() throws Exception {
        try (StreamClient c = open()) {
            drain(c, Duration.ofMillis(300));
            Text seeked = seek(c, "21.3");
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
    void aSeekPastTheEndIsClampedToTheLastKeyframeThenEnds() throws Exception {
        try (StreamClient c = open()) {
            drain(c, Duration.ofMillis(300));
            Text seeked = seek(c, "1e9");
            assertEquals("seeked", seeked.type(), "" + seeked);
            double duration = video.durationSeconds();
            int last = video.segmentAt(duration);
            assertEquals(video.segmentCount() - 1, last, "GOP segments: the last one starts at the last keyframe");
            assertEquals(video.segmentStartSeconds(last), ((Number) seeked.json().get("t")).doubleValue(), 1e-9,
                    "restarts at the last keyframe: " + seeked);
            assertEquals(duration, ((Number) seeked.json().get("requested")).doubleValue(), 1e-9,
                    "the request clamped to the duration: " + seeked);
            assertEquals(2L, seeked.json().get("timeline"));
            // Then the new timeline's inits, its last GOP (and the audio from there), and ended.
            List<Binary> after = new ArrayList<>();
            Msg m;
            while ((m = c.next(WAIT)) instanceof Binary b) after.add(b);
            assertEquals("ended", assertInstanceOf(Text.class, m, "" + m).type(), "ended after the last segment");
            assertTrue(after.size() >= 3, "two inits and media: " + after.size());
            assertTrue(after.stream().allMatch(b -> b.header().timeline() == 2), "all on the new timeline");
            Binary firstVideo = after.stream().filter(b -> b.header().kind() == SegmentHeader.Kind.MEDIA
                    && b.header().track() == SegmentHeader.Track.VIDEO).findFirst().orElseThrow();
            assertEquals(SegmentHeader.millis(video.segmentStart(last), video.timescale()),
                    firstVideo.header().presentationMs());
            assertTrue(firstVideo.header().keyframe());
            assertNull(c.poll(Duration.ofMillis(500)), "nothing after ended");
        }
    }

    @Test
    void resyncSendsFreshInitsThenContinuesFromTheNextKeyframeOnTheSameTimeline() throws Exception {
        try (StreamClient c = open()) {
            List<Binary> primed = drain(c, Duration.ofMillis(500)); // primed up to the high watermark
            int lastVideo = primed.stream().filter(b -> b.header().track() == SegmentHeader.Track.VIDEO)
                    .mapToInt(b -> b.header().presentationMs()).max().orElseThrow();
            int nextKeyframe = SegmentHeader.millis(video.segmentStart(video.segmentAt(lastVideo / 1000.0 + 0.0005) + 1),
                    video.timescale());
            c.send("{\"type\":\"resync\"}");
            for (SegmentHeader.Track t : SegmentHeader.Track.values()) {
                Binary init = assertInstanceOf(Binary.class, c.next(WAIT));
                assertEquals(SegmentHeader.Kind.INIT, init.header().kind());
                assertEquals(t, init.header().track());
                assertEquals(1, init.header().timeline(), "nothing went stale");
                assertEquals(nextKeyframe, init.header().presentationMs(), "the next video keyframe");
            }
            c.send("{\"type\":\"play\"}");
            c.send("{\"type\":\"stats\",\"buffered_s\":3,\"t\":" + (nextKeyframe / 1000.0 - 3) + "}");
            Binary v = null;
            while (v == null) {
                Binary b = assertInstanceOf(Binary.class, c.next(WAIT));
                if (b.header().track() == SegmentHeader.Track.VIDEO) v = b;
            }
            assertEquals(nextKeyframe, v.header().presentationMs());
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
            c.send("{\"type\":\"stats\",\"buffered_s\":2,\"t\":8}");
            assertInstanceOf(Binary.class, c.next(Duration.ofSeconds(3)), "still streaming");
        }
    }

    @Test
    void aStatsPlayheadPastTheEndIsRefusedAndLeavesTheClockWhereItWas() throws Exception {
        // The audit: stats {t: 1e308} was taken as the playhead, and the sender pushed the rest of the file at once,
        // then ended. No player is past the end of its video: refused, and nothing of the report is taken.
        try (StreamClient c = open()) {
            int primed = upTo(video, HIGH) + upTo(audio, HIGH);
            for (int i = 0; i < primed; i++) assertInstanceOf(Binary.class, c.next(WAIT), "primed to high");
            for (String t : List.of("1e308", String.valueOf(duration + 1))) {
                String report = "{\"type\":\"stats\",\"buffered_s\":0,\"t\":" + t + "}";
                c.send(report);
                Text error = assertInstanceOf(Text.class, c.next(WAIT), report);
                assertEquals("error", error.type(), report);
                assertEquals("bad_message", error.json().get("code"), report);
                assertTrue(((String) error.json().get("message")).contains("past the end"), "" + error);
            }
            // The clock stood still (before play, primed to high): the seek's answer is the next message, with no
            // segment of timeline 1 before it.
            c.send("{\"type\":\"seek\",\"t\":0}");
            Msg m = c.next(WAIT);
            assertEquals("seeked", assertInstanceOf(Text.class, m, "nothing sent after the refusals: " + m).type());
            // A playhead at the very end is a real one (the element at its end): taken, no error.
            c.send("{\"type\":\"stats\",\"buffered_s\":0,\"t\":" + duration + "}");
            c.send("{\"type\":\"dance\"}");
            while (!((m = c.next(WAIT)) instanceof Text reply && "error".equals(reply.type()))) {
                assertTrue(m instanceof Binary || m instanceof Text t && "ended".equals(t.type()), "" + m);
            }
            assertEquals("unknown_type", ((Text) m).json().get("code"), "the marker's error, not the report's");
        }
    }

    @Test
    void aSeekRightAfterOpenStillGetsMetaFirstThenSeeked() throws Exception {
        // A player that starts at a saved position sends open and seek back to back. The audit saw the seek's notice
        // overwrite the meta (28 runs of 30): the client then had no mimes to create its SourceBuffers with.
        for (int run = 0; run < 5; run++) {
            try (StreamClient c = new StreamClient(server.uri())) {
                c.send(HELLO);
                c.send("{\"type\":\"open\",\"video\":\"" + id + "\"}");
                c.send("{\"type\":\"seek\",\"t\":12}");
                Text meta = assertInstanceOf(Text.class, c.next(WAIT));
                assertEquals("meta", meta.type(), "run " + run + ": " + meta);
                Msg second = c.next(WAIT);
                if (second instanceof Text seeked) { // else the sender was quicker: inits of timeline 1, then seeked
                    assertEquals("seeked", seeked.type(), "run " + run + ": " + seeked);
                    assertEquals(2L, seeked.json().get("timeline"));
                    Binary init = assertInstanceOf(Binary.class, c.next(WAIT));
                    assertEquals(SegmentHeader.Kind.INIT, init.header().kind());
                    assertEquals(2, init.header().timeline(), "the inits that follow are the seek's");
                }
            }
        }
    }

    @Test
    void aVideoTruncatedWhileStreamedClosesWith1011AndAReasonInsteadOfFallingSilent(@TempDir Path media)
            throws Exception {
        // Segments are views of the file's mapping. Truncated in place under a viewer, the next segment's write
        // failed (EFAULT) on a healthy socket and the sender ended without a word: the client waited for ever. On
        // phase 4 the cache's copy out of the mapping threw InternalError in the sender thread, same silence.
        try (Served s = served(media); StreamClient c = s.open()) {
            drain(c, Duration.ofMillis(300));
            try (FileChannel ch = FileChannel.open(s.file(), StandardOpenOption.WRITE)) {
                ch.truncate(Files.size(s.file()) / 3);
            }
            c.send("{\"type\":\"seek\",\"t\":24}");
            Msg m;
            do {
                m = c.next(WAIT); // fails if nothing at all comes: the silent stall
            } while (!(m instanceof Closed));
            Closed closed = (Closed) m;
            assertEquals(1011, closed.code(), "" + closed);
            assertTrue(closed.reason().contains("changed on disk"), closed.reason());
        }
    }

    @Test
    void aVideoReplacedByANewFileWhileStreamedKeepsStreamingTheFileItOpened(@TempDir Path media) throws Exception {
        // A new file moved over the name (how ffmpeg and editors save) leaves the mapped one intact: no reason to stop.
        try (Served s = served(media); StreamClient c = s.open()) {
            drain(c, Duration.ofMillis(300));
            Path next = media.resolve("next.tmp");
            Files.copy(ExternalTools.media().resolve("sample-10s-360p-bframes.mp4"), next);
            Files.move(next, s.file(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Text seeked = seek(c, "24");
            assertEquals("seeked", seeked.type(), "" + seeked);
            Binary media1 = c.nextMedia(WAIT);
            assertEquals(2, media1.header().timeline());
            assertTrue(media1.header().presentationMs() >= 23_900, "from the opened file's 24 s: " + media1.header());
        }
    }

    /**
     * A listed video replaced by a FIFO or a symbolic-link loop before the next listing: the open is refused, and the
     * reply names the video as the client knows it, never where the server keeps it.
     */
    @Test
    void aVideoReplacedByAFifoOrALinkLoopIsRefusedNamingItsIdNotTheServersPath(@TempDir Path media) throws Exception {
        String video = FILE.replace(".mp4", "");
        try (Served s = served(media)) {
            for (String replacement : List.of("fifo", "link loop")) {
                Files.deleteIfExists(s.file());
                Files.copy(ExternalTools.media().resolve(FILE), s.file());
                s.server().catalog().rescan();
                Files.delete(s.file());
                if (replacement.equals("fifo")) {
                    Fifos.make(s.file());
                } else {
                    Files.createSymbolicLink(s.file(), s.file().getFileName());
                }
                try (StreamClient c = new StreamClient(s.server().uri())) {
                    c.send(HELLO);
                    c.send("{\"type\":\"open\",\"video\":\"" + video + "\"}");
                    Text error = assertInstanceOf(Text.class, c.next(WAIT), replacement);
                    assertEquals("error", error.type(), replacement + ": " + error);
                    assertEquals("cannot_stream", error.json().get("code"), replacement + ": " + error);
                    String message = (String) error.json().get("message");
                    assertTrue(message.contains(video), replacement + ": " + message);
                    assertFalse(message.contains(media.toString()), replacement + ": the server's path leaks: " + message);
                }
            }
        }
    }

    /** A server of its own over a copy of {@link #FILE} in {@code media}, which a test may change. */
    private record Served(Phase3Server server, Path file) implements AutoCloseable {
        StreamClient open() throws InterruptedException {
            StreamClient c = new StreamClient(server.uri());
            c.send(HELLO);
            c.send("{\"type\":\"open\",\"video\":\"" + FILE.replace(".mp4", "") + "\"}");
            assertEquals("meta", assertInstanceOf(Text.class, c.next(WAIT)).type());
            return c;
        }

        @Override
        public void close() {
            server.close();
        }
    }

    private static Served served(Path media) throws IOException {
        Path file = media.resolve(FILE);
        Files.copy(ExternalTools.media().resolve(FILE), file);
        Phase3Server s = Phase3Server.start("127.0.0.1", 0, media,
                Phase3Server.Settings.of(ExternalTools.root().resolve("frontend")));
        s.setUpgradeHandler(new WsEndpoints(WsHandshake.sameOrigin(), WsLimits.DEFAULT, Duration.ofSeconds(30))
                .register(StreamEndpoint.PATH, StreamEndpoint.create(s.catalog(), s.metrics())));
        return new Served(s, file);
    }

    @Test
    void aMessageLongerThanTheProtocolAllowsClosesWith1009() throws Exception {
        try (StreamClient c = open()) {
            drain(c, Duration.ofMillis(300));
            // PROTOCOL.md: at most 4096 bytes. The endpoint's own limits (ControlMessage.LIMITS) refuse a longer one
            // from its frame header, before buffering it, where the server's 16 MiB would have taken it in.
            c.send("{\"type\":\"play\",\"pad\":\"" + "x".repeat(ControlMessage.MAX_LENGTH) + "\"}");
            StreamClient.Msg m;
            do {
                m = c.next(WAIT);
            } while (!(m instanceof StreamClient.Closed));
            assertEquals(1009, ((StreamClient.Closed) m).code(), m.toString());
        }
    }

    @Test
    void droppedFramesAndStallsFromStatsAddUpAtMetricsAndBadTotalsAreRefused() throws Exception {
        String dropped = "streamlab_ws_stream_client_dropped_frames_total";
        String stalls = "streamlab_ws_stream_client_stalls_total";
        double dropped0 = counter(server.metrics().scrape(), dropped);
        double stalls0 = counter(server.metrics().scrape(), stalls);
        try (StreamClient c = open(); StreamClient other = open()) {
            drain(c, Duration.ofMillis(300));
            drain(other, Duration.ofMillis(300));
            // Running totals: each report adds its increase, so 3 then 5 dropped frames count 5, not 8.
            c.send("{\"type\":\"stats\",\"buffered_s\":9,\"t\":1,\"dropped\":3,\"stalls\":1}");
            c.send("{\"type\":\"stats\",\"buffered_s\":9,\"t\":1,\"dropped\":5,\"stalls\":1}");
            other.send("{\"type\":\"stats\",\"buffered_s\":9,\"t\":1,\"dropped\":2,\"stalls\":2}");
            c.send("{\"type\":\"stats\",\"buffered_s\":9,\"t\":1}"); // totals not sent: nothing changes
            for (String bad : List.of("{\"type\":\"stats\",\"buffered_s\":9,\"dropped\":-4}",
                    "{\"type\":\"stats\",\"buffered_s\":9,\"stalls\":0.5}",
                    "{\"type\":\"stats\",\"buffered_s\":9,\"stalls\":\"many\"}")) {
                c.send(bad);
                Text error = assertInstanceOf(Text.class, c.next(WAIT), bad);
                assertEquals("bad_message", error.json().get("code"), bad);
                assertTrue(((String) error.json().get("message")).contains("running total"), "" + error);
            }
            other.send("{\"type\":\"stats\",\"buffered_s\":9,\"stalls\":-1}");
            assertEquals("bad_message", assertInstanceOf(Text.class, other.next(WAIT)).json().get("code"));
            // Each connection's error reply came after its good reports were handled (one reader thread, in order).
            String scrape = server.metrics().scrape();
            assertEquals(5 + 2, counter(scrape, dropped) - dropped0, "dropped frames: 5 from one client, 2 from the other");
            assertEquals(1 + 2, counter(scrape, stalls) - stalls0, "stalls");
            c.send("{\"type\":\"play\"}");
            c.send("{\"type\":\"stats\",\"buffered_s\":2,\"t\":8,\"dropped\":5,\"stalls\":1}");
            assertInstanceOf(Binary.class, c.next(Duration.ofSeconds(3)), "still streaming after the refusals");
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
    void aSegmentThatCannotBeMadeClosesWith1011AndAReasonAfterTheSegmentsBeforeIt() throws Exception {
        // A segment source that fails from the fourth segment on, as phase 4's cache would if the file became
        // unreadable: the client must hear why (1011, RFC 6455 §7.4.1) instead of waiting for media forever.
        AtomicInteger served = new AtomicInteger();
        SegmentSource failing = (track, index) -> {
            if (served.incrementAndGet() > 3) throw new UncheckedIOException(new IOException("disk gone"));
            return SegmentSource.RING.segment(track, index);
        };
        try (Phase3Server own = SampleServer.start()) {
            own.setUpgradeHandler(new WsEndpoints(WsHandshake.sameOrigin(), WsLimits.DEFAULT, Duration.ofSeconds(30))
                    .register(StreamEndpoint.PATH,
                            StreamEndpoint.create(own.catalog(), own.metrics()).useSegments(failing)));
            try (StreamClient c = new StreamClient(own.uri())) {
                c.send(HELLO);
                c.send("{\"type\":\"open\",\"video\":\"" + id + "\"}");
                int media = 0;
                Msg m;
                while (!((m = c.next(WAIT)) instanceof Closed)) { // next() fails the test after WAIT of silence
                    if (m instanceof Binary b && b.header().kind() == SegmentHeader.Kind.MEDIA) media++;
                }
                Closed closed = (Closed) m;
                assertEquals(1011, closed.code(), "internal error: " + closed);
                assertTrue(closed.reason().contains("disk gone"), "the reason names the cause: " + closed.reason());
                assertEquals(3, media, "the segments made before the failure were sent");
            }
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
            c.send("{\"type\":\"open\",\"video\":\"" + "v".repeat(3000) + "\"}");
            String message = (String) ((Text) c.next(WAIT)).json().get("message");
            assertTrue(message.length() < 200, "the id echoed shortened, not all 3,000 characters: " + message.length());
            c.send("{\"type\":\"play\"}");
            assertEquals("bad_state", ((Text) c.next(WAIT)).json().get("code"), "play before a successful open");
        }
        try (StreamClient c = new StreamClient(server.uri())) { // the sound would play, the picture not: refused
            c.send("{\"type\":\"hello\",\"codecs\":[\"mp4a.40.2\"]}");
            c.send("{\"type\":\"open\",\"video\":\"" + id + "\"}");
            Text error = assertInstanceOf(Text.class, c.next(WAIT));
            assertEquals("unsupported_codecs", error.json().get("code"), "" + error);
            assertTrue(((String) error.json().get("message")).contains(video.codec()), "names the codec: " + error);
            assertNull(c.poll(Duration.ofMillis(300)), "nothing streamed, not even the audio");
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

    /** Where segment {@code i} ends: the next one's start (the track's end for the last), as the server paces. */
    static double end(Fmp4Track t, int i) {
        return i + 1 < t.segmentCount() ? t.segmentStartSeconds(i + 1)
                : Math.max(t.segmentStartSeconds(i), t.durationSeconds());
    }

    private static int upTo(Fmp4Track t, double seconds) {
        int n = 0;
        while (n < t.segmentCount() && end(t, n) <= seconds + 1e-9) n++;
        return n;
    }

    private static double lastEnd(List<Binary> sent) {
        double out = 0;
        for (Binary b : sent) {
            Fmp4Track t = b.header().track() == SegmentHeader.Track.VIDEO ? video : audio;
            out = Math.max(out, end(t, t.segmentAt(b.header().presentationMs() / 1000.0 + 0.0005)));
        }
        return out;
    }

    /** Decode duration of segment {@code i}, ticks: the next segment's decode time minus this one's. */
    private static long ticks(Fmp4Track t, int i) {
        return t.segment(i + 1).baseDecodeTime() - t.segment(i).baseDecodeTime();
    }

    private static double metric(String scrape, String name) {
        return scrape.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(
                l.substring(name.length() + 1).trim())).findFirst().orElseThrow(() -> new AssertionError(name));
    }

    /** A counter's value; 0 before its first increment (an unlabelled counter shows up then). */
    private static double counter(String scrape, String name) {
        return scrape.contains("\n" + name + " ") ? metric(scrape, name) : 0;
    }

    /** Connects, says hello, opens the sample; checks meta and the two init segments. */
    @Test
    void viewersOfOneVideoShareOneRemuxAndItsRecentSegments() throws Exception {
        String before = server.metrics().scrape();
        try (StreamClient first = open(); StreamClient second = open()) {
            List<Binary> a = drain(first, Duration.ofMillis(500));
            List<Binary> b = drain(second, Duration.ofMillis(500));
            assertEquals(a.size(), b.size(), "both primed to the high watermark");
            for (int i = 0; i < a.size(); i++) {
                assertEquals(a.get(i).payload(), b.get(i).payload(), "the same segment bytes, message " + i);
            }
            String after = server.metrics().scrape();
            double opens = metric(after, "streamlab_ws_stream_remux_opens") - metric(before, "streamlab_ws_stream_remux_opens");
            double remuxes = metric(after, "streamlab_ws_stream_remuxes") - metric(before, "streamlab_ws_stream_remuxes");
            assertEquals(2, opens, "two connections opened the video");
            assertTrue(remuxes <= 1, "at most one remux (none when an earlier test already remuxed it): " + remuxes);
            double hits = metric(after, "streamlab_ws_stream_segment_ring_hits")
                    - metric(before, "streamlab_ws_stream_segment_ring_hits");
            assertTrue(hits >= b.size(), "the second viewer's segments came from the ring: " + hits + " hits for "
                    + b.size() + " segments");
        }
    }

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

    /** Binary messages until none comes for {@code quiet} ({@code ended} may come among them: the end is near). */
    static List<Binary> drain(StreamClient c, Duration quiet) throws InterruptedException {
        List<Binary> out = new ArrayList<>();
        for (Msg m; (m = c.poll(quiet)) != null; ) {
            if (m instanceof Text t && "ended".equals(t.type())) continue;
            out.add(assertInstanceOf(Binary.class, m, "" + m));
        }
        return out;
    }
}
