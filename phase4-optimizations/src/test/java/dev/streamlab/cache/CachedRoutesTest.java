package dev.streamlab.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.phase2.RangeConformanceTest;
import dev.streamlab.phase2.RawHttp;
import dev.streamlab.phase3.Phase3Main;
import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.testing.Await;
import dev.streamlab.testing.ExternalTools;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code /cached/videos/{id}} against the file and against phase 3's {@code /videos/{id}} (phase 2's conformance
 * tables), and {@code /cached/segments/...} against {@code /remux/segments/...}: the cache must never change a byte.
 */
class CachedRoutesTest {
    static final String ID = "sample-30s-360p-h264-aac";
    static final String TWO_CHUNKS = "ladder-30s-720p"; // 1.7 MB: two 1 MiB chunks
    static Phase3Server server;
    static ChunkCache<CacheKey> cache;
    static URI uri;
    static byte[] file;

    @BeforeAll
    static void start() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setProperty("streamlab.frontend", ExternalTools.root().resolve("frontend").toString());
        server = Phase3Main.start(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err), "phase4-test",
                (s, ws) -> cache = CacheRoutes.install(s, 64L << 20),
                "--port", "0", "--media", ExternalTools.media().toString(), "--quiet");
        assertNotNull(server, err.toString(StandardCharsets.UTF_8));
        uri = server.uri();
        file = Files.readAllBytes(ExternalTools.media().resolve(ID + ".mp4"));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static Stream<Arguments> singleRanges() {
        return RangeConformanceTest.singleRanges();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("singleRanges")
    void singleRangesMatchTheFileAndPhase3(String range, int status, long first, long last) throws Exception {
        RawHttp.Response cached = RawHttp.get(uri, "/cached/videos/" + ID, "Range: " + range);
        RawHttp.Response plain = RawHttp.get(uri, "/videos/" + ID, "Range: " + range);
        assertEquals(plain.status(), cached.status(), range);
        assertEquals(plain.header("Content-Range"), cached.header("Content-Range"), range);
        assertEquals(plain.header("ETag"), cached.header("ETag"), range);
        assertArrayEquals(plain.body(), cached.body(), range);
        if (cached.status() == 206) {
            assertEquals(status, cached.status());
            assertArrayEquals(Arrays.copyOfRange(file, (int) first, (int) last + 1), cached.body(), range);
        }
    }

    static Stream<String> ignoredRanges() {
        return RangeConformanceTest.ignoredRanges();
    }

    @ParameterizedTest(name = "[{index}]")
    @MethodSource("ignoredRanges")
    void malformedRangesGetTheWholeFile(String range) throws Exception {
        RawHttp.Response r = RawHttp.get(uri, "/cached/videos/" + ID, "Range: " + range);
        assertEquals(200, r.status(), range);
        assertNull(r.header("Content-Range"));
        assertArrayEquals(file, r.body());
    }

    @Test
    void unsatisfiableRangesAre416WithTheLength() throws Exception {
        for (String range : List.of("bytes=" + file.length + "-", "bytes=-0", "bytes=99999999-")) {
            RawHttp.Response r = RawHttp.get(uri, "/cached/videos/" + ID, "Range: " + range);
            assertEquals(416, r.status(), range);
            assertEquals("bytes */" + file.length, r.header("Content-Range"), range);
        }
    }

    @Test
    void randomRangesAcrossChunkBoundariesAreExact() throws Exception {
        byte[] big = Files.readAllBytes(ExternalTools.media().resolve("ladder/" + TWO_CHUNKS + ".mp4"));
        assertTrue(big.length > CachedRangeRoute.CHUNK, "the fixture spans two chunks");
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 40; i++) {
            int from = i == 0 ? CachedRangeRoute.CHUNK - 10 : random.nextInt(big.length);
            int to = i == 0 ? CachedRangeRoute.CHUNK + 10 : Math.min(big.length - 1, from + random.nextInt(1 << 20));
            RawHttp.Response r = RawHttp.get(uri, "/cached/videos/" + TWO_CHUNKS, "Range: bytes=" + from + "-" + to);
            assertEquals(206, r.status());
            assertArrayEquals(Arrays.copyOfRange(big, from, to + 1), r.body(), from + "-" + to);
        }
        RawHttp.Response whole = RawHttp.get(uri, "/cached/videos/" + TWO_CHUNKS);
        assertArrayEquals(big, whole.body());
    }

    @Test
    void withTheCacheOffMissesReuseOneOrTwoBuffersAcrossFilesAndStayExact() throws Exception {
        // Every request a miss, alternating between two files: each chunk is read into a buffer the previous request
        // gave back (the riskiest reuse: another file's bytes were there), and the bytes sent must still be exact.
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ChunkCache<?>[] off = new ChunkCache<?>[1];
        Phase3Server s = Phase3Main.start(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err),
                "phase4-test", (srv, ws) -> off[0] = CacheRoutes.install(srv, 0),
                "--port", "0", "--media", ExternalTools.media().toString(), "--quiet");
        assertNotNull(s, err.toString(StandardCharsets.UTF_8));
        try {
            byte[] big = Files.readAllBytes(ExternalTools.media().resolve("ladder/" + TWO_CHUNKS + ".mp4"));
            SplittableRandom random = new SplittableRandom(7);
            int requests = 40;
            for (int i = 0; i < requests; i++) {
                byte[] f = i % 2 == 0 ? big : file;
                String id = i % 2 == 0 ? TWO_CHUNKS : ID;
                int from = random.nextInt(f.length);
                int to = Math.min(f.length - 1, from + random.nextInt(1 << 20)); // may span two chunks
                RawHttp.Response r = RawHttp.get(s.uri(), "/cached/videos/" + id, "Range: bytes=" + from + "-" + to);
                assertEquals(206, r.status());
                assertArrayEquals(Arrays.copyOfRange(f, from, to + 1), r.body(), id + " " + from + "-" + to);
                // The client has every byte before the server thread closes its leases: wait for the give-back, or
                // the next request (a new connection, a new thread) may miss while the last buffers are still held.
                assertTrue(Await.until(Duration.ofSeconds(10), () -> metric(s.metrics().scrape(),
                        "streamlab_cache_recycled_total{kind=\"range\"}") == off[0].stats().bypasses()),
                        "every leased buffer given back after request " + i);
            }
            double allocated = metric(s.metrics().scrape(), "streamlab_cache_chunk_buffers_allocated");
            assertTrue(allocated >= 1 && allocated <= 2, "one request at a time holds at most two chunks, and every"
                    + " other miss reuses them: " + allocated + " buffers for " + off[0].stats().bypasses() + " misses");
            assertTrue(off[0].stats().bypasses() >= requests, off[0].toString());
        } finally {
            s.close();
        }
    }

    private static double metric(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ")) return Double.parseDouble(line.substring(name.length() + 1));
        }
        throw new AssertionError(name + " not in /metrics:\n" + text);
    }

    @Test
    void multipartPartsCarryTheFileBytes() throws Exception {
        RawHttp.Response r = RawHttp.get(uri, "/cached/videos/" + ID, "Range: bytes=500-599,0-9,-10");
        assertEquals(206, r.status());
        String type = r.header("Content-Type");
        assertTrue(type.startsWith("multipart/byteranges; boundary="), type);
        assertEquals(Long.parseLong(r.header("Content-Length")), r.body().length);
        var parts = RangeConformanceTest.Part.parse(r.body(), type.substring(type.indexOf("boundary=") + 9));
        assertEquals(3, parts.size());
        assertArrayEquals(Arrays.copyOfRange(file, 500, 600), parts.get(0).body());
        assertArrayEquals(Arrays.copyOfRange(file, 0, 10), parts.get(1).body());
        assertArrayEquals(Arrays.copyOfRange(file, file.length - 10, file.length), parts.get(2).body());
    }

    @Test
    void aSecondRequestIsServedFromTheCache() throws Exception {
        String id = "sample-10s-360p-bframes";
        long hits = cache.stats().hits();
        RawHttp.get(uri, "/cached/videos/" + id, "Range: bytes=0-99");
        RawHttp.get(uri, "/cached/videos/" + id, "Range: bytes=100-199");
        assertTrue(cache.stats().hits() > hits, cache.toString());
        String metrics = RawHttp.get(uri, "/metrics").text();
        assertTrue(metrics.contains("streamlab_cache_hits_total{kind=\"range\"}"), metrics);
    }

    @Test
    void aRangeFromCachedChunksCountsTheBytesItSentAsSavedNotTheChunks() throws Exception {
        // streamlab_cache_bytes_saved_total used to add the whole 1 MiB chunk per hit, even for a 2-byte range.
        String saved = "streamlab_cache_bytes_saved_total{kind=\"range\"}";
        int boundary = CachedRangeRoute.CHUNK;
        String[] ranges = {"bytes=1000-1001", "bytes=" + (boundary - 10) + "-" + (boundary + 9)};
        for (String range : ranges) RawHttp.get(uri, "/cached/videos/" + TWO_CHUNKS, "Range: " + range); // cached now
        long[] expected = {2, 20}; // the second range: 10 bytes of each of two chunks
        for (int i = 0; i < ranges.length; i++) {
            double before = metric(RawHttp.get(uri, "/metrics").text(), saved);
            RawHttp.Response r = RawHttp.get(uri, "/cached/videos/" + TWO_CHUNKS, "Range: " + ranges[i]);
            assertEquals(206, r.status(), ranges[i]);
            assertEquals(expected[i], r.body().length, ranges[i]);
            assertEquals(expected[i], metric(RawHttp.get(uri, "/metrics").text(), saved) - before, ranges[i]);
        }
    }

    @Test
    void headAndConditionalRequestsFollowPhase2() throws Exception {
        RawHttp.Response head = RawHttp.send(uri, "HEAD", "/cached/videos/" + ID);
        assertEquals(200, head.status());
        assertEquals(Integer.toString(file.length), head.header("Content-Length"));
        assertEquals(0, head.body().length);
        String etag = head.header("ETag");
        assertEquals(304, RawHttp.get(uri, "/cached/videos/" + ID, "If-None-Match: " + etag).status());
    }

    @Test
    void badRequestsGetReadableErrors() throws Exception {
        assertEquals(404, RawHttp.get(uri, "/cached/videos/nope").status());
        assertEquals(405, RawHttp.send(uri, "POST", "/cached/videos/" + ID).status());
        assertEquals(404, RawHttp.get(uri, "/cached/segments/" + ID + "/video/99999").status());
        assertEquals(404, RawHttp.get(uri, "/cached/segments/" + ID + "/subtitles/0").status());
        assertEquals(404, RawHttp.get(uri, "/cached/segments/" + ID + "/video/-5").status());
        // -1 is the init segment's key inside, not a name for it outside; nor is +1 another spelling of 1.
        assertEquals(404, RawHttp.get(uri, "/cached/segments/" + ID + "/video/-1").status());
        assertEquals(404, RawHttp.get(uri, "/cached/segments/" + ID + "/video/+1").status());
        assertEquals(404, RawHttp.get(uri, "/cached/segments/" + ID).status());
        assertEquals(404, RawHttp.get(uri, "/cached/segments/sample-10s-360p-video-only/audio/0").status());
    }

    @Test
    void cachedSegmentsAreTheBytesTheRemuxerBuilds() throws Exception {
        for (String track : List.of("video", "audio")) {
            for (String seg : List.of("init", "0", "1", "5")) {
                String path = ID + "/" + track + "/" + seg;
                RawHttp.Response fresh = RawHttp.get(uri, SegmentRoute.UNCACHED + path);
                assertEquals(200, fresh.status(), path);
                assertTrue(fresh.body().length > 0);
                long hits = cache.stats().hits();
                RawHttp.Response first = RawHttp.get(uri, SegmentRoute.CACHED + path);
                RawHttp.Response second = RawHttp.get(uri, SegmentRoute.CACHED + path);
                assertArrayEquals(fresh.body(), first.body(), path);
                assertArrayEquals(fresh.body(), second.body(), path);
                assertEquals(fresh.header("Content-Type"), second.header("Content-Type"));
                assertTrue(cache.stats().hits() > hits, "the second request of " + path + " hit");
            }
        }
        assertTrue(RawHttp.get(uri, "/metrics").text().contains("streamlab_cache_hits_total{kind=\"segment\"}"));
    }
}
