package dev.streamlab.phase3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.http1.Http1Settings;
import dev.streamlab.phase2.RangeConformanceTest;
import dev.streamlab.phase2.RawHttp;
import dev.streamlab.testing.ExternalTools;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Phase 2's range and validator conformance checks — the same tables ({@link RangeConformanceTest#singleRanges},
 * {@link RangeConformanceTest#ignoredRanges}), the same raw client — against phase 3's server, with a virtual and
 * with a platform thread per connection. Every body is compared byte for byte with the file: these are the bytes
 * {@code transferTo} sent.
 */
class Phase3RangeConformanceTest {
    static final String ID = "sample-30s-360p-h264-aac";
    static byte[] file;
    static long len;
    static final List<Phase3Server> servers = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        file = Files.readAllBytes(ExternalTools.media().resolve(ID + ".mp4"));
        len = file.length;
        for (Http1Settings.Threads t : Http1Settings.Threads.values()) {
            servers.add(Phase3Server.start("127.0.0.1", 0, ExternalTools.media(),
                    Phase3Server.Settings.of(ExternalTools.root().resolve("frontend"))
                            .withHttp(Http1Settings.DEFAULTS.withThreads(t))));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (Phase3Server s : servers) {
            System.out.printf("%s: transferTo returned 0 %d times; %d of %d body bytes copied%n", s.uri(),
                    zeroReturns(s), s.provenance().bytesCopied(), s.provenance().bytesSent());
        }
        servers.forEach(Phase3Server::close);
    }

    static List<URI> uris() {
        return servers.stream().map(Phase3Server::uri).toList();
    }

    static byte[] slice(long from, long to) {
        return Arrays.copyOfRange(file, (int) from, (int) to + 1);
    }

    static Stream<Arguments> singleRanges() {
        return RangeConformanceTest.singleRanges();
    }

    @ParameterizedTest(name = "[{index}] {2}-{3}")
    @MethodSource("singleRanges")
    void singleRangeGets206WithExactBytes(String range, int status, long first, long last) throws Exception {
        for (URI s : uris()) {
            RawHttp.Response r = RawHttp.get(s, "/videos/" + ID, "Range: " + range);
            if (range.startsWith("BYTES = ") && r.status() == 200) continue; // OWS around '=' is not in the grammar
            assertEquals(status, r.status(), s + " " + range);
            assertEquals("bytes " + first + "-" + last + "/" + len, r.header("Content-Range"));
            assertEquals(Long.toString(last - first + 1), r.header("Content-Length"));
            assertArrayEquals(slice(first, last), r.body(), range);
            assertEquals("bytes", r.header("Accept-Ranges"));
        }
    }

    static Stream<String> ignoredRanges() {
        return RangeConformanceTest.ignoredRanges();
    }

    @ParameterizedTest(name = "[{index}]")
    @MethodSource("ignoredRanges")
    void malformedOrAbusiveRangeIsIgnoredWithTheWholeFile(String range) throws Exception {
        for (URI s : uris()) {
            RawHttp.Response r = RawHttp.get(s, "/videos/" + ID, "Range: " + range);
            assertEquals(200, r.status(), range);
            assertNull(r.header("Content-Range"));
            assertArrayEquals(file, r.body());
        }
    }

    @Test
    void rangeStartingAtOrPastTheEndIs416WithTheLength() throws Exception {
        for (String range : List.of("bytes=" + len + "-", "bytes=" + (len + 5) + "-" + (len + 10), "bytes=-0")) {
            RawHttp.Response r = RawHttp.get(uris().getFirst(), "/videos/" + ID, "Range: " + range);
            assertEquals(416, r.status(), range);
            assertEquals("bytes */" + len, r.header("Content-Range"), range);
            assertEquals("0", r.header("Content-Length"));
        }
    }

    @Test
    void hugeNumbersNeverGive5xxOrANegativeLength() throws Exception {
        for (String range : List.of("bytes=99999999999999999999-", "bytes=0-99999999999999999999",
                "bytes=-99999999999999999999", "bytes=9223372036854775807-9223372036854775807")) {
            RawHttp.Response r = RawHttp.get(uris().getFirst(), "/videos/" + ID, "Range: " + range);
            assertTrue(r.status() == 200 || r.status() == 206 || r.status() == 416, range + " → " + r.status());
            assertEquals(Long.parseLong(r.header("Content-Length")), r.body().length);
            assertTrue(r.body().length <= len);
        }
    }

    @Test
    void severalRangesComeBackAsMultipartByteranges() throws Exception {
        for (URI s : uris()) {
            RawHttp.Response r = RawHttp.get(s, "/videos/" + ID, "Range: bytes=500-599,0-9,-10");
            assertEquals(206, r.status());
            assertNull(r.header("Content-Range"), "a multipart response has no top-level Content-Range");
            String type = r.header("Content-Type");
            assertTrue(type.startsWith("multipart/byteranges; boundary="), type);
            assertEquals(Long.parseLong(r.header("Content-Length")), r.body().length);
            String boundary = type.substring(type.indexOf("boundary=") + 9);
            List<long[]> expected = List.of(new long[] {500, 599}, new long[] {0, 9}, new long[] {len - 10, len - 1});
            List<RangeConformanceTest.Part> parts = RangeConformanceTest.Part.parse(r.body(), boundary);
            assertEquals(3, parts.size());
            for (int i = 0; i < 3; i++) {
                long[] e = expected.get(i);
                assertEquals("bytes " + e[0] + "-" + e[1] + "/" + len, parts.get(i).contentRange());
                assertEquals("video/mp4", parts.get(i).contentType());
                assertArrayEquals(slice(e[0], e[1]), parts.get(i).body());
            }
        }
    }

    @Test
    void validatorsGive304And412InTheRfcOrder() throws Exception {
        URI s = uris().getFirst();
        RawHttp.Response full = RawHttp.get(s, "/videos/" + ID);
        String etag = full.header("ETag");
        String lastModified = full.header("Last-Modified");
        assertNotNull(etag);
        assertTrue(etag.startsWith("\"") && !etag.startsWith("W/"), "a strong ETag: " + etag);
        assertNotNull(lastModified);

        assertEquals(304, RawHttp.get(s, "/videos/" + ID, "If-None-Match: " + etag).status());
        assertEquals(304, RawHttp.get(s, "/videos/" + ID, "If-None-Match: \"x\", W/" + etag).status());
        assertEquals(200, RawHttp.get(s, "/videos/" + ID, "If-None-Match: \"other\"").status());
        assertEquals(304, RawHttp.get(s, "/videos/" + ID, "If-Modified-Since: " + lastModified).status());
        assertEquals(200, RawHttp.get(s, "/videos/" + ID, "If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT")
                .status());
        assertEquals(412, RawHttp.get(s, "/videos/" + ID, "If-Match: \"other\"").status());
        assertEquals(200, RawHttp.get(s, "/videos/" + ID, "If-Match: *").status());
        assertEquals(412, RawHttp.get(s, "/videos/" + ID, "If-Unmodified-Since: Sat, 01 Jan 2000 00:00:00 GMT")
                .status());
        assertEquals(412, RawHttp.get(s, "/videos/" + ID, "If-Match: \"other\"", "If-None-Match: " + etag)
                .status());
        RawHttp.Response notModified = RawHttp.get(s, "/videos/" + ID, "If-None-Match: " + etag);
        assertEquals(etag, notModified.header("ETag"));
        assertNull(notModified.header("Content-Length"), "a 304 describes no body");
        assertEquals(0, notModified.body().length);
    }

    @Test
    void ifRangeHonoursTheRangeOnlyForAMatchingStrongValidator() throws Exception {
        URI s = uris().getFirst();
        RawHttp.Response full = RawHttp.get(s, "/videos/" + ID);
        String etag = full.header("ETag");
        String date = full.header("Last-Modified");
        assertEquals(206, RawHttp.get(s, "/videos/" + ID, "Range: bytes=0-9", "If-Range: " + etag).status());
        assertEquals(200, RawHttp.get(s, "/videos/" + ID, "Range: bytes=0-9", "If-Range: \"stale\"").status());
        assertEquals(200, RawHttp.get(s, "/videos/" + ID, "Range: bytes=0-9", "If-Range: W/" + etag).status());
        RawHttp.Response byDate = RawHttp.get(s, "/videos/" + ID, "Range: bytes=0-9", "If-Range: " + date);
        assertTrue(byDate.status() == 206 || byDate.status() == 200, "If-Range date → " + byDate.status());
        RawHttp.Response old = RawHttp.get(s, "/videos/" + ID, "Range: bytes=0-9",
                "If-Range: Sat, 01 Jan 2000 00:00:00 GMT");
        assertEquals(200, old.status());
        assertArrayEquals(file, old.body());
    }

    @Test
    void headHasTheSameHeadersAndNoBody() throws Exception {
        for (URI s : uris()) {
            RawHttp.Response get = RawHttp.get(s, "/videos/" + ID);
            RawHttp.Response head = RawHttp.send(s, "HEAD", "/videos/" + ID);
            assertEquals(200, head.status());
            for (String h : List.of("Content-Length", "Content-Type", "ETag", "Last-Modified", "Accept-Ranges")) {
                assertEquals(get.header(h), head.header(h), h);
            }
            assertEquals(Long.toString(len), head.header("Content-Length"));
        }
    }

    @Test
    void otherMethodsAre405WithAllowAndUnknownIdsA404JsonError() throws Exception {
        URI s = uris().getFirst();
        for (String m : List.of("POST", "PUT", "DELETE", "PATCH")) {
            RawHttp.Response r = RawHttp.send(s, m, "/videos/" + ID, "Content-Length: 0");
            assertEquals(405, r.status(), m);
            assertEquals("GET, HEAD", r.header("Allow"));
            assertTrue(r.text().contains("\"error\""), r.text());
        }
        RawHttp.Response missing = RawHttp.get(s, "/videos/no-such-video");
        assertEquals(404, missing.status());
        assertTrue(missing.header("Content-Type").startsWith("application/json"));
        assertTrue(missing.text().contains("no video with id 'no-such-video'"), missing.text());
    }

    @Test
    void transferToMakesNoUserSpaceCopyBeyondItsCountedFallbackChunks() throws Exception {
        for (Phase3Server server : servers) {
            long sentBefore = server.provenance().bytesSent();
            long copiedBefore = server.provenance().bytesCopied();
            long zerosBefore = zeroReturns(server);
            RawHttp.Response r = RawHttp.get(server.uri(), "/videos/" + ID, "Range: bytes=0-99999");
            assertArrayEquals(slice(0, 99_999), r.body());
            long deadline = System.nanoTime() + 5_000_000_000L; // counted after the client already has the bytes
            while (server.provenance().bytesSent() - sentBefore < 100_000 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            long sent = server.provenance().bytesSent() - sentBefore;
            long copied = server.provenance().bytesCopied() - copiedBefore;
            long zeros = zeroReturns(server) - zerosBefore;
            assertEquals(100_000, sent);
            // sendfile copies nothing into user space; each fallback chunk (at most 16 KiB) is counted once.
            assertTrue(copied <= zeros * 16 * 1024 && (zeros == 0) == (copied == 0),
                    "copied " + copied + " bytes with " + zeros + " zero returns");
        }
    }

    static long zeroReturns(Phase3Server server) throws Exception {
        for (String l : RawHttp.get(server.uri(), "/metrics").text().split("\n")) {
            if (l.startsWith("streamlab_http_transferto_zero_returns_total ")) {
                return Long.parseLong(l.substring(l.indexOf(' ') + 1));
            }
        }
        return 0;
    }
}
