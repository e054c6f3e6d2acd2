package dev.streamlab.phase4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.phase2.RawHttp;
import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.stream.fmp4.Fmp4Remuxer;
import dev.streamlab.stream.fmp4.Fmp4Track;
import dev.streamlab.stream.ws.SegmentHeader;
import dev.streamlab.testing.Await;
import dev.streamlab.testing.ExternalTools;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /ws/stream} on a phase 4 server ({@link Phase4Main}, as {@code ./lab run phase4} starts it) takes its fMP4
 * segments from the shared chunk cache: a second viewer of a video is served views of what the first one loaded,
 * and {@code /metrics} shows it as {@code streamlab_cache_*{kind="segment"}} hits, bytes saved and evictions.
 */
class WsStreamCacheTest {
    private static final String ID = "sample-30s-360p-h264-aac";
    private static final String HELLO = "{\"type\":\"hello\",\"codecs\":[\"avc1.64001e\",\"mp4a.40.2\"]}";
    private static final Duration WAIT = Duration.ofSeconds(20);

    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    Phase3Server server;

    @BeforeEach
    void frontend() {
        System.setProperty("streamlab.frontend", ExternalTools.root().resolve("frontend").toString());
    }

    @AfterEach
    void stop() {
        System.clearProperty("streamlab.cache.bytes");
        if (server != null) server.close();
    }

    Phase3Server start() {
        return start(ExternalTools.media());
    }

    Phase3Server start(Path media) {
        server = Phase4Main.start(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                "--port", "0", "--media", media.toString(), "--quiet");
        assertNotNull(server, err.toString(StandardCharsets.UTF_8));
        return server;
    }

    /** A binary message of /ws/stream: its header and the fMP4 bytes after it. */
    record Message(SegmentHeader header, byte[] fmp4) {}

    /** A {@code /ws/stream} client on the JDK's WebSocket: says hello, opens a video, keeps every binary message. */
    static final class Viewer implements WebSocket.Listener, AutoCloseable {
        final List<Message> media = new ArrayList<>(); // guarded by itself
        final CompletableFuture<String> closed = new CompletableFuture<>(); // "code reason"
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        private final WebSocket ws;

        Viewer(URI server, String video) {
            ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .header("Origin", "http://" + server.getAuthority())
                    .buildAsync(URI.create("ws://" + server.getAuthority() + "/ws/stream"), this).join();
            ws.sendText(HELLO, true).join();
            ws.sendText("{\"type\":\"open\",\"video\":\"" + video + "\"}", true).join();
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            partial.writeBytes(b);
            if (last) {
                ByteBuffer whole = ByteBuffer.wrap(partial.toByteArray());
                partial.reset();
                SegmentHeader h = SegmentHeader.decode(whole);
                if (h.kind() == SegmentHeader.Kind.MEDIA) {
                    byte[] fmp4 = new byte[whole.remaining() - SegmentHeader.LENGTH];
                    whole.get(SegmentHeader.LENGTH, fmp4);
                    synchronized (media) {
                        media.add(new Message(h, fmp4));
                    }
                }
            }
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
            closed.complete(code + " " + reason);
            return null;
        }

        @Override
        public void onError(WebSocket w, Throwable error) {
            closed.complete("error " + error);
        }

        void send(String json) {
            ws.sendText(json, true).join();
        }

        /** The first {@code n} media segments, waiting for them (the server primes ~10 s before any play). */
        List<Message> first(int n) throws Exception {
            assertTrue(Await.until(WAIT, () -> {
                synchronized (media) {
                    return media.size() >= n;
                }
            }), "fewer than " + n + " media segments arrived in " + WAIT);
            synchronized (media) {
                return List.copyOf(media.subList(0, n));
            }
        }

        @Override
        public void close() {
            if (!closed.isDone()) ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").join(); // else the server closed
        }
    }

    static long metric(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        assertTrue(m.find(), series + " is not in /metrics");
        return (long) Double.parseDouble(m.group(1));
    }

    /** Every message holds exactly the segment phase 3's remuxer builds for its track and time. */
    static void assertSameAsRemuxed(List<Message> messages) throws Exception {
        Fmp4Remuxer fmp4 = Fmp4Remuxer.open(ExternalTools.media().resolve(ID + ".mp4"));
        int[] next = new int[2];
        for (Message m : messages) {
            boolean video = m.header().track() == SegmentHeader.Track.VIDEO;
            Fmp4Track t = (video ? fmp4.video() : fmp4.audio()).orElseThrow();
            int index = next[video ? 0 : 1]++;
            ByteBuffer built = ByteBuffer.allocate((int) t.segment(index).length());
            for (ByteBuffer b : t.segment(index).buffers()) built.put(b);
            assertArrayEquals(built.array(), m.fmp4(), m.header() + ": the bytes of " + t + " segment " + index);
            assertEquals(t.independent(index), m.header().keyframe(), m.header().toString());
        }
    }

    @Test
    void aVideoTruncatedUnderAViewerClosesWith1011AndAReasonNotASilentConnection(@TempDir Path media)
            throws Exception {
        // The cache copies a segment out of the file's mapping: past a truncation that copy faults, and the JDK's
        // InternalError ended the sender thread with nothing said to the client, which waited for ever.
        String file = "sample-30s-360p-h264-aac.mp4";
        Path copy = Files.copy(ExternalTools.media().resolve(file), media.resolve(file));
        start(media);
        try (Viewer v = new Viewer(server.uri(), file.replace(".mp4", ""))) {
            v.first(4);
            try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.WRITE)) {
                ch.truncate(Files.size(copy) / 3);
            }
            v.send("{\"type\":\"seek\",\"t\":24}");
            String closed = v.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertTrue(closed.startsWith("1011 ") && closed.contains("changed on disk"), closed);
        }
    }

    @Test
    void aSecondViewerOfAVideoGetsItsSegmentsFromTheChunkCache() throws Exception {
        start();
        int n = 6; // video and audio, interleaved by time; priming alone sends ~10 of them
        List<Message> first;
        List<Message> second;
        try (Viewer a = new Viewer(server.uri(), ID)) {
            first = a.first(n);
            String before = RawHttp.get(server.uri(), "/metrics").text();
            long hitsBefore = metric(before, "streamlab_cache_hits_total{kind=\"segment\"}");
            assertTrue(metric(before, "streamlab_cache_misses_total{kind=\"segment\"}") >= n,
                    "the first viewer's segments were loaded into the cache: " + before);
            try (Viewer b = new Viewer(server.uri(), ID)) {
                second = b.first(n);
            }
            String after = RawHttp.get(server.uri(), "/metrics").text();
            long hits = metric(after, "streamlab_cache_hits_total{kind=\"segment\"}") - hitsBefore;
            assertTrue(hits >= n, "the second viewer's " + n + " segments are cache hits, got " + hits + ": " + after);
            long sent = 0;
            for (Message m : second) sent += m.fmp4().length;
            assertTrue(metric(after, "streamlab_cache_bytes_saved_total{kind=\"segment\"}") >= sent,
                    "bytes saved cover the second viewer's segments (" + sent + "): " + after);
            assertEquals(0, metric(after, "streamlab_ws_stream_segment_ring_hits"),
                    "phase 4 does not use phase 3's per-track rings");
            assertEquals(0, metric(after, "streamlab_cache_evictions_total{kind=\"segment\"}"), "128 MiB: no eviction");
        }
        // Cached views are written as they are: every media byte leaves with no user-space copy (the one copy per
        // load is the cache's own figure); only the 24-byte headers and the init segments (2 per viewer) are copied.
        long inits = initBytes();
        String[] last = new String[1];
        boolean accounted = Await.until(WAIT, () -> {
            String s = last[0] = RawHttp.get(server.uri(), "/metrics").text(); // the senders' last counts land
            return metric(s, "streamlab_ws_stream_sessions") == 0
                    && metric(s, "streamlab_ws_stream_bytes_total") - 24 * metric(s, "streamlab_ws_stream_segments_total")
                    == metric(s, "streamlab_ws_stream_mapped_bytes_total") + 2 * inits;
        });
        assertTrue(accounted, "bytes = 24 per message + uncopied media + 2 x " + inits + " init bytes: " + last[0]);
        for (int i = 0; i < n; i++) {
            SegmentHeader x = first.get(i).header();
            SegmentHeader y = second.get(i).header();
            assertEquals(List.of(x.track(), x.keyframe(), x.decodeMs(), x.presentationMs()),
                    List.of(y.track(), y.keyframe(), y.decodeMs(), y.presentationMs()), "message " + i);
        }
        assertSameAsRemuxed(first);
        assertSameAsRemuxed(second);
    }

    /** Init segment bytes a viewer gets on open (video and audio): built once per remux, copied per write. */
    static long initBytes() throws Exception {
        Fmp4Remuxer fmp4 = Fmp4Remuxer.open(ExternalTools.media().resolve(ID + ".mp4"));
        return fmp4.video().orElseThrow().init().length() + fmp4.audio().orElseThrow().init().length();
    }

    @Test
    void aSmallCacheEvictsOldSegmentsAndStillStreamsThemWhole() throws Exception {
        System.setProperty("streamlab.cache.bytes", "60000"); // two or three segments of the 360p sample
        start();
        try (Viewer a = new Viewer(server.uri(), ID)) {
            List<Message> got = a.first(8);
            String scrape = RawHttp.get(server.uri(), "/metrics").text();
            assertTrue(metric(scrape, "streamlab_cache_evictions_total{kind=\"segment\"}") > 0, scrape);
            assertTrue(metric(scrape, "streamlab_cache_resident_bytes") <= 60000, scrape);
            assertSameAsRemuxed(got);
        }
    }
}
