package dev.streamlab.phase2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.testing.ExternalTools;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * RFC 9110 range and validator semantics of {@code /videos/{id}}, over a real socket, every body compared byte
 * for byte with the file — for each of the three I/O strategies. The tables ({@link #singleRanges},
 * {@link #ignoredRanges}) and {@link Part} are public: phase 3 checks its own server against the same expectations.
 */
public class RangeConformanceTest {
    static final String ID = "sample-30s-360p-h264-aac";
    static byte[] file;
    static long len;
    static final List<Phase2Server> servers = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        file = Files.readAllBytes(ExternalTools.media().resolve(ID + ".mp4"));
        len = file.length;
        for (String io : List.of("naive", "reused", "mapped")) {
            servers.add(Phase2Server.start("127.0.0.1", 0, ExternalTools.media(),
                    new Phase2Server.Settings(io, 30_000, ExternalTools.root().resolve("frontend"))));
        }
    }

    @AfterAll
    static void stop() {
        servers.forEach(Phase2Server::close);
    }

    static Stream<URI> servers() {
        return servers.stream().map(Phase2Server::uri);
    }

    static byte[] slice(long from, long to) {
        return Arrays.copyOfRange(file, (int) from, (int) to + 1);
    }

    /** Range header → expected status and, for a single part, the first and last byte. */
    public static Stream<Arguments> singleRanges() {
        long l = 692874;
        return Stream.of(
                Arguments.of("bytes=0-1", 206, 0, 1),                 // Safari's probe: 2 bytes
                Arguments.of("bytes=0-0", 206, 0, 0),
                Arguments.of("bytes=100-", 206, 100, l - 1),
                Arguments.of("bytes=-500", 206, l - 500, l - 1),
                Arguments.of("bytes=-" + (l + 10), 206, 0, l - 1),     // suffix beyond length: whole file
                Arguments.of("bytes=0-" + (l + 100), 206, 0, l - 1),   // end clamped to the last byte
                Arguments.of("bytes=" + (l - 1) + "-", 206, l - 1, l - 1),
                Arguments.of("BYTES = 10 - 19", 206, 10, 19),          // unit is case-insensitive; spaces allowed?
                Arguments.of("bytes=0-9,5-19", 206, 0, 19),            // overlapping: coalesced
                Arguments.of("bytes=0-9,10-19", 206, 0, 19),           // adjacent: coalesced
                Arguments.of("bytes=" + "0-,".repeat(50) + "0-", 206, 0, l - 1)); // CVE-2011-3192: one part
    }

    @ParameterizedTest(name = "[{index}] {2}-{3}")
    @MethodSource("singleRanges")
    void singleRangeGets206WithExactBytes(String range, int status, long first, long last) throws Exception {
        for (URI s : servers().toList()) {
            RawHttp.Response r = RawHttp.get(s, "/videos/" + ID, "Range: " + range);
            if (range.startsWith("BYTES = ") && r.status() == 200) continue; // OWS around '=' is not in the grammar
            assertEquals(status, r.status(), s + " " + range);
            assertEquals("bytes " + first + "-" + last + "/" + len, r.header("Content-Range"));
            assertEquals(Long.toString(last - first + 1), r.header("Content-Length"));
            assertArrayEquals(slice(first, last), r.body(), range);
            assertEquals("bytes", r.header("Accept-Ranges"));
        }
    }

    public static Stream<String> ignoredRanges() {
        return Stream.of("bytes=5-2", "bytes=x", "items=0-1", "bytes=", "bytes=-", "bytes=1-2-3", "bytes=--5",
                // more than 100 specs is not parsed at all (CVE-2011-3192 sends thousands)
                "bytes=" + "0-,".repeat(500) + "0-",
                // more disjoint parts than the cap of 16: the whole file rather than a 17-part response
                "bytes=" + String.join(",", java.util.stream.IntStream.range(0, 20)
                        .mapToObj(i -> (i * 100) + "-" + (i * 100 + 9)).toList()));
    }

    @ParameterizedTest(name = "[{index}]")
    @MethodSource("ignoredRanges")
    void malformedOrAbusiveRangeIsIgnoredWithTheWholeFile(String range) throws Exception {
        for (URI s : servers().toList()) {
            RawHttp.Response r = RawHttp.get(s, "/videos/" + ID, "Range: " + range);
            assertEquals(200, r.status(), range);
            assertNull(r.header("Content-Range"));
            assertArrayEquals(file, r.body());
        }
    }

    @Test
    void rangeStartingAtOrPastTheEndIs416WithTheLength() throws Exception {
        for (String range : List.of("bytes=" + len + "-", "bytes=" + (len + 5) + "-" + (len + 10), "bytes=-0")) {
            RawHttp.Response r = RawHttp.get(servers().findFirst().orElseThrow(), "/videos/" + ID, "Range: " + range);
            assertEquals(416, r.status(), range);
            assertEquals("bytes */" + len, r.header("Content-Range"), range);
        }
    }

    @Test
    void hugeNumbersNeverGive5xxOrANegativeLength() throws Exception {
        for (String range : List.of("bytes=99999999999999999999-", "bytes=0-99999999999999999999",
                "bytes=-99999999999999999999", "bytes=9223372036854775807-9223372036854775807")) {
            RawHttp.Response r = RawHttp.get(servers().findFirst().orElseThrow(), "/videos/" + ID, "Range: " + range);
            assertTrue(r.status() == 200 || r.status() == 206 || r.status() == 416, range + " → " + r.status());
            assertEquals(Long.parseLong(r.header("Content-Length")), r.body().length);
            assertTrue(r.body().length <= len);
        }
    }

    @Test
    void severalRangesComeBackAsMultipartByteranges() throws Exception {
        for (URI s : servers().toList()) {
            RawHttp.Response r = RawHttp.get(s, "/videos/" + ID, "Range: bytes=500-599,0-9,-10");
            assertEquals(206, r.status());
            assertNull(r.header("Content-Range"), "a multipart response has no top-level Content-Range");
            String type = r.header("Content-Type");
            assertTrue(type.startsWith("multipart/byteranges; boundary="), type);
            assertEquals(Long.parseLong(r.header("Content-Length")), r.body().length);
            String boundary = type.substring(type.indexOf("boundary=") + 9);
            // RFC 9110 §14.6: parts SHOULD come in the order the ranges were requested.
            List<long[]> expected = List.of(new long[] {500, 599}, new long[] {0, 9}, new long[] {len - 10, len - 1});
            List<Part> parts = Part.parse(r.body(), boundary);
            assertEquals(3, parts.size());
            for (int i = 0; i < 3; i++) {
                long[] e = expected.get(i);
                assertEquals("bytes " + e[0] + "-" + e[1] + "/" + len, parts.get(i).contentRange);
                assertEquals("video/mp4", parts.get(i).contentType);
                assertArrayEquals(slice(e[0], e[1]), parts.get(i).body);
            }
        }
    }

    /** One part of a multipart/byteranges body (RFC 9110 §14.6, RFC 2046 §5.1.1). */
    public record Part(String contentType, String contentRange, byte[] body) {
        public static List<Part> parse(byte[] body, String boundary) {
            String s = new String(body, StandardCharsets.ISO_8859_1);
            String delimiter = "--" + boundary;
            assertTrue(s.endsWith("\r\n" + delimiter + "--\r\n"), "close delimiter");
            List<Part> parts = new ArrayList<>();
            int at = s.indexOf(delimiter);
            while (true) {
                int lineEnd = s.indexOf("\r\n", at);
                if (s.startsWith("--", at + delimiter.length())) break; // close delimiter
                int headersEnd = s.indexOf("\r\n\r\n", lineEnd);
                String type = null;
                String range = null;
                for (String h : s.substring(lineEnd + 2, headersEnd).split("\r\n")) {
                    if (h.regionMatches(true, 0, "Content-Type:", 0, 13)) type = h.substring(13).trim();
                    if (h.regionMatches(true, 0, "Content-Range:", 0, 14)) range = h.substring(14).trim();
                }
                int next = s.indexOf("\r\n" + delimiter, headersEnd + 4);
                parts.add(new Part(type, range, Arrays.copyOfRange(body, headersEnd + 4, next)));
                at = next + 2;
            }
            return parts;
        }
    }

    @Test
    void validatorsGive304And412InTheRfcOrder() throws Exception {
        URI s = servers().findFirst().orElseThrow();
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
        // If-Match is evaluated first: it fails even though If-None-Match would give 304.
        assertEquals(412, RawHttp.get(s, "/videos/" + ID, "If-Match: \"other\"", "If-None-Match: " + etag)
                .status());
        RawHttp.Response notModified = RawHttp.get(s, "/videos/" + ID, "If-None-Match: " + etag);
        assertEquals(etag, notModified.header("ETag"));
        assertEquals(0, notModified.body().length);
    }

    @Test
    void ifRangeHonoursTheRangeOnlyForAMatchingStrongValidator() throws Exception {
        URI s = servers().findFirst().orElseThrow();
        RawHttp.Response full = RawHttp.get(s, "/videos/" + ID);
        String etag = full.header("ETag");
        String date = full.header("Last-Modified");
        assertEquals(206, RawHttp.get(s, "/videos/" + ID, "Range: bytes=0-9", "If-Range: " + etag).status());
        assertEquals(200, RawHttp.get(s, "/videos/" + ID, "Range: bytes=0-9", "If-Range: \"stale\"").status());
        assertEquals(200, RawHttp.get(s, "/videos/" + ID, "Range: bytes=0-9", "If-Range: W/" + etag).status());
        RawHttp.Response byDate = RawHttp.get(s, "/videos/" + ID, "Range: bytes=0-9", "If-Range: " + date);
        // A date is a strong validator only if the file was last modified at least a second before the response.
        assertTrue(byDate.status() == 206 || byDate.status() == 200, "If-Range date → " + byDate.status());
        RawHttp.Response old = RawHttp.get(s, "/videos/" + ID, "Range: bytes=0-9",
                "If-Range: Sat, 01 Jan 2000 00:00:00 GMT");
        assertEquals(200, old.status());
        assertArrayEquals(file, old.body());
    }

    @Test
    void headHasTheSameHeadersAndNoBody() throws Exception {
        for (URI s : servers().toList()) {
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
        URI s = servers().findFirst().orElseThrow();
        for (String m : List.of("POST", "PUT", "DELETE", "PATCH")) {
            RawHttp.Response r = RawHttp.send(s, m, "/videos/" + ID, "Content-Length: 0");
            assertEquals(405, r.status(), m);
            assertEquals("GET, HEAD", r.header("Allow"));
            assertTrue(r.text().contains("\"error\""), r.text());
        }
        // An error names what it refused, but does not echo it back whole: 5,000 bytes in, not 5,000 out.
        String longMethod = "X".repeat(5000);
        RawHttp.Response refused = RawHttp.send(s, longMethod, "/videos/" + ID, "Content-Length: 0");
        assertEquals(405, refused.status());
        assertTrue(refused.text().contains("method XXXX") && refused.text().length() < 300, refused.text());
        RawHttp.Response missing = RawHttp.get(s, "/videos/no-such-video");
        assertEquals(404, missing.status());
        assertTrue(missing.header("Content-Type").startsWith("application/json"));
        assertTrue(missing.text().contains("no video with id 'no-such-video'"), missing.text());
    }

    @Test
    void everyStrategyCountsItsUserSpaceCopies() throws Exception {
        for (Phase2Server server : servers) {
            long sentBefore = server.provenance().bytesSent();
            long copiedBefore = server.provenance().bytesCopied();
            RawHttp.get(server.uri(), "/videos/" + ID, "Range: bytes=0-99999");
            // The client has the bytes before the server's last write returns and is counted: wait for it.
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (server.provenance().bytesSent() - sentBefore < 100_000 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            long sent = server.provenance().bytesSent() - sentBefore;
            long copied = server.provenance().bytesCopied() - copiedBefore;
            assertEquals(100_000, sent);
            // One copy into our array (read, or from the mapping), two in the JDK's write path: see BodyStrategy.
            assertEquals(3 * sent, copied);
        }
    }

    static Path media() {
        return ExternalTools.media();
    }
}
