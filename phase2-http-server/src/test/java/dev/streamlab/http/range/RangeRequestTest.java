package dev.streamlab.http.range;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.http.range.ResponsePlan.Header;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The whole pipeline for a 1000-byte video/mp4 with ETag "abc" and Last-Modified Mon, 01 Jan 2024 00:00:00 GMT,
 * served on 2024-06-01.
 */
class RangeRequestTest {
    static final long SEED = 20240601L;
    static final Instant LM = Instant.parse("2024-01-01T00:00:00Z");
    static final Instant NOW = Instant.parse("2024-06-01T00:00:00Z");
    static final String LM_TEXT = "Mon, 01 Jan 2024 00:00:00 GMT";
    static final Representation VIDEO = new Representation(1000, "video/mp4",
            new Validators(EntityTag.strong("abc"), LM));

    static ResponsePlan plan(String method, String headers) {
        return RangeRequest.plan(method, TestHeaders.of(headers), VIDEO, Ranges.DEFAULT_MAX_PARTS, NOW);
    }

    static String header(ResponsePlan p, String name) {
        return p.headers().stream().filter(h -> h.name().equalsIgnoreCase(name)).map(Header::value).findFirst()
                .orElse("");
    }

    @ParameterizedTest(name = "{0} [{1}] -> {2} [{3}] length {4}")
    @CsvSource(delimiter = '|', textBlock = """
            GET  |                                          | 200 |                   | 1000
            GET  | Range: bytes=0-1                         | 206 | bytes 0-1/1000    | 2
            GET  | Range: bytes=0-0                         | 206 | bytes 0-0/1000    | 1
            GET  | Range: bytes=0-                          | 206 | bytes 0-999/1000  | 1000
            GET  | Range: bytes=500-                        | 206 | bytes 500-999/1000 | 500
            GET  | Range: bytes=-100                        | 206 | bytes 900-999/1000 | 100
            GET  | Range: bytes=999-999                     | 206 | bytes 999-999/1000 | 1
            GET  | Range: bytes=0-5000                      | 206 | bytes 0-999/1000  | 1000
            GET  | Range: bytes=-5000                       | 206 | bytes 0-999/1000  | 1000
            GET  | Range: bytes=-99999999999999999999       | 206 | bytes 0-999/1000  | 1000
            GET  | Range: bytes=0-99999999999999999999      | 206 | bytes 0-999/1000  | 1000
            GET  | Range: bytes=0-499,500-999               | 206 | bytes 0-999/1000  | 1000
            GET  | Range: bytes=1000-                       | 416 | bytes */1000      | 0
            GET  | Range: bytes=1000-1000                   | 416 | bytes */1000      | 0
            GET  | Range: bytes=-0                          | 416 | bytes */1000      | 0
            GET  | Range: bytes=99999999999999999999-       | 416 | bytes */1000      | 0
            GET  | Range: bytes=5-2                         | 200 |                   | 1000
            GET  | Range: bytes=x                           | 200 |                   | 1000
            GET  | Range: items=0-1                         | 200 |                   | 1000
            GET  | Range: bytes=-1-2                        | 200 |                   | 1000
            GET  | Range:                                   | 200 |                   | 1000
            HEAD |                                          | 200 |                   | 1000
            HEAD | Range: bytes=0-1                         | 200 |                   | 1000
            HEAD | Range: bytes=1000-                       | 200 |                   | 1000
            """)
    void rangeHeaderDecidesStatusContentRangeAndLength(String method, String headers, int status,
            String contentRange, long length) {
        ResponsePlan p = plan(method, headers);
        assertEquals(status, p.status());
        assertEquals(contentRange == null ? "" : contentRange, header(p, "Content-Range"));
        assertEquals(length, p.contentLength());
    }

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            Range: bytes=0-1; If-Range: "abc"                      | 206
            Range: bytes=0-1; If-Range: W/"abc"                    | 200
            Range: bytes=0-1; If-Range: "stale"                    | 200
            Range: bytes=0-1; If-Range: Mon, 01 Jan 2024 00:00:00 GMT | 206
            Range: bytes=0-1; If-Range: Tue, 02 Jan 2024 00:00:00 GMT | 200
            Range: bytes=1000-; If-Range: "stale"                  | 200
            Range: bytes=1000-; If-Range: "abc"                    | 416
            If-None-Match: "abc"; Range: bytes=0-1                 | 304
            If-None-Match: "abc"; Range: bytes=1000-               | 304
            If-Modified-Since: Mon, 01 Jan 2024 00:00:00 GMT; Range: bytes=0-1 | 304
            If-Match: "stale"; Range: bytes=0-1                    | 412
            If-Match: "stale"; Range: bytes=1000-                  | 412
            If-Match: "abc"; Range: bytes=0-1                      | 206
            If-Unmodified-Since: Sun, 31 Dec 2023 00:00:00 GMT; Range: bytes=0-1 | 412
            """)
    void conditionalHeadersComeBeforeRange(String headers, int status) {
        // RFC 9110 §13.2.2: 412 and 304 are decided before Range; a failed If-Range turns 206 or 416 into 200.
        assertEquals(status, plan("GET", headers).status());
    }

    @Test
    void wholeResponseCarriesValidatorsAcceptRangesAndType() {
        ResponsePlan p = plan("GET", "");
        assertInstanceOf(ResponsePlan.Whole.class, p);
        assertEquals(List.of(new Header("Accept-Ranges", "bytes"), new Header("ETag", "\"abc\""),
                new Header("Last-Modified", LM_TEXT), new Header("Content-Type", "video/mp4")), p.headers());
    }

    @Test
    void singleRangeResponseAddsContentRange() {
        ResponsePlan p = plan("GET", "Range: bytes=0-1");
        ResponsePlan.Single single = assertInstanceOf(ResponsePlan.Single.class, p);
        assertEquals(new ByteRange(0, 1), single.range());
        assertEquals(List.of(new Header("Accept-Ranges", "bytes"), new Header("ETag", "\"abc\""),
                new Header("Last-Modified", LM_TEXT), new Header("Content-Type", "video/mp4"),
                new Header("Content-Range", "bytes 0-1/1000")), p.headers());
    }

    @Test
    void multiRangeResponseIsMultipartWithoutTopLevelContentRange() {
        ResponsePlan p = plan("GET", "Range: bytes=0-9,100-109,-10");
        ResponsePlan.Multi multi = assertInstanceOf(ResponsePlan.Multi.class, p);
        assertEquals(206, p.status());
        assertEquals("", header(p, "Content-Range"), "RFC 9110 §15.3.7.2: MUST NOT");
        assertEquals("multipart/byteranges; boundary=" + multi.body().boundary(), header(p, "Content-Type"));
        assertEquals(List.of(new ByteRange(0, 9), new ByteRange(100, 109), new ByteRange(990, 999)),
                multi.body().parts().stream().map(MultipartByteranges.Part::range).toList());
        assertEquals(multi.body().contentLength(), p.contentLength());

        byte[] file = new byte[1000];
        new Random(SEED).nextBytes(file);
        byte[] body = MultipartByterangesTest.assemble(multi.body(), file);
        assertEquals(p.contentLength(), body.length);
        List<MultipartParser.ParsedPart> parts = MultipartParser.parse(body, multi.body().boundary());
        assertEquals("bytes 990-999/1000", parts.get(2).headers().get("Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(file, 990, 1000), parts.get(2).body());
    }

    @Test
    void unsatisfiableResponseNamesTheLength() {
        ResponsePlan p = plan("GET", "Range: bytes=1000-");
        assertInstanceOf(ResponsePlan.Unsatisfiable.class, p);
        assertEquals(List.of(new Header("Accept-Ranges", "bytes"), new Header("ETag", "\"abc\""),
                new Header("Last-Modified", LM_TEXT), new Header("Content-Range", "bytes */1000")), p.headers());
        assertEquals(0, p.contentLength());
    }

    @Test
    void notModifiedCarriesValidatorsButNoContentLength() {
        ResponsePlan p = plan("GET", "If-None-Match: \"abc\"");
        assertEquals(304, p.status());
        assertEquals(-1, p.contentLength());
        assertEquals(List.of(new Header("ETag", "\"abc\""), new Header("Last-Modified", LM_TEXT)), p.headers());
    }

    @Test
    void preconditionFailedHasNoFieldsAndAnEmptyBody() {
        ResponsePlan p = plan("GET", "If-Match: \"other\"");
        assertEquals(412, p.status());
        assertEquals(0, p.contentLength());
        assertEquals(List.of(), p.headers());
    }

    @ParameterizedTest(name = "empty file, [{0}] -> {1} [{2}]")
    @CsvSource(delimiter = '|', textBlock = """
            Range: bytes=0-0     | 416 | bytes */0
            Range: bytes=0-      | 416 | bytes */0
            Range: bytes=-0      | 416 | bytes */0
            Range: bytes=-1      | 200 |
            Range: bytes=-1,0-0  | 200 |
            ''                   | 200 |
            """)
    void emptyFileAnswersRangesWith416OrAnEmpty200(String headers, int status, String contentRange) {
        Representation empty = new Representation(0, "video/mp4", new Validators(EntityTag.strong("e"), LM));
        ResponsePlan p = RangeRequest.plan("GET", TestHeaders.of(headers), empty, 16, NOW);
        assertEquals(status, p.status());
        assertEquals(contentRange == null ? "" : contentRange, header(p, "Content-Range"));
        assertEquals(0, p.contentLength());
    }

    @Test
    void thousandOpenEndedRangesGetTheWholeFileWith200() {
        ResponsePlan p = plan("GET", "Range: bytes=" + "0-,".repeat(1000));
        assertEquals(200, p.status());
        assertEquals(1000, p.contentLength());
    }

    @Test
    void fiftyOpenEndedRangesGetOnePartNeverMoreThanTheFile() {
        ResponsePlan p = plan("GET", "Range: bytes=" + "0-,".repeat(50));
        assertEquals(206, p.status());
        assertEquals("bytes 0-999/1000", header(p, "Content-Range"));
        assertEquals(1000, p.contentLength());
    }

    @Test
    void seventeenDisjointRangesGetTheWholeFileWith200() {
        String header = "Range: bytes=" + IntStream.range(0, 17).mapToObj(i -> (i * 10) + "-" + (i * 10))
                .collect(Collectors.joining(","));
        assertEquals(200, plan("GET", header).status());
    }

    @Test
    void lastModifiedInTheFutureIsSentAsNow() {
        Representation future = new Representation(10, null,
                new Validators(EntityTag.strong("f"), Instant.parse("2030-01-01T00:00:00Z")));
        ResponsePlan p = RangeRequest.plan("GET", TestHeaders.of(""), future, 16, NOW);
        assertEquals("Sat, 01 Jun 2024 00:00:00 GMT", header(p, "Last-Modified"));
        assertEquals("", header(p, "Content-Type"), "no type known, none sent");
    }

    @Test
    void onlyGetAndHeadArePlanned() {
        assertThrows(IllegalArgumentException.class, () -> plan("POST", ""));
        assertThrows(IllegalArgumentException.class, () -> plan("get", ""));
        assertThrows(IllegalArgumentException.class,
                () -> RangeRequest.plan("GET", TestHeaders.of(""), VIDEO, 0, NOW));
    }

    @Test
    void defaultPlanUsesTheRealClockAndSixteenParts() {
        Representation rep = new Representation(100, "video/mp4", Validators.forFile(100, 0L));
        ResponsePlan p = RangeRequest.plan("GET", TestHeaders.of(Map.of("Range", "bytes=0-1")), rep);
        assertEquals("bytes 0-1/100", header(p, "Content-Range"));
        assertEquals("Thu, 01 Jan 1970 00:00:00 GMT", header(p, "Last-Modified"));
    }

    @Test
    void randomHeadersNeverThrowAndAlwaysDescribeBytesInsideTheFile() {
        // Seeded fuzzing of the whole pipeline with near-miss Range headers: any input must give 200, 206, 304,
        // 412 or 416 with a consistent length, never an exception.
        Random rnd = new Random(SEED);
        String[] atoms = {"0", "1", "5", "999", "1000", "1001", "99999999999999999999", "-", ",", " ", "=",
            "bytes", "BYTES", "x", "\t", "--", "9223372036854775807", "9223372036854775808", "\u0661", ";"};
        for (int trial = 0; trial < 20_000; trial++) {
            StringBuilder sb = new StringBuilder(rnd.nextInt(4) == 0 ? "" : "bytes=");
            for (int i = rnd.nextInt(12); i > 0; i--) sb.append(atoms[rnd.nextInt(atoms.length)]);
            String range = sb.toString();
            long length = rnd.nextInt(3) == 0 ? rnd.nextInt(3) : 1000;
            Representation rep = new Representation(length, "video/mp4", VIDEO.validators());
            String where = "seed " + SEED + " trial " + trial + " Range [" + range + "] length " + length;

            ResponsePlan p = RangeRequest.plan("GET", TestHeaders.of(Map.of("Range", range)), rep, 16, NOW);

            switch (p) {
                case ResponsePlan.Whole w -> assertEquals(length, w.contentLength(), where);
                case ResponsePlan.Single s -> {
                    assertTrue(s.range().end() < length, where);
                    assertEquals(s.range().length(), s.contentLength(), where);
                }
                case ResponsePlan.Multi m -> {
                    assertTrue(m.body().parts().size() <= 16, where);
                    long sum = m.body().parts().stream().mapToLong(part -> part.range().length()).sum();
                    assertTrue(sum <= length, where);
                    assertEquals(m.body().contentLength(), m.contentLength(), where);
                }
                case ResponsePlan.Unsatisfiable u -> assertEquals("bytes */" + length, header(u, "Content-Range"), where);
                case ResponsePlan.NotModified n -> throw new AssertionError(where);
                case ResponsePlan.PreconditionFailed f -> throw new AssertionError(where);
            }
            for (Header h : p.headers()) {
                assertTrue(h.value().chars().allMatch(c -> c >= 0x20 && c < 0x7F), where + " " + h);
            }
        }
    }

    @Test
    void plannedBodyBytesMatchTheFileForEverySingleRangeOfASmallFile() {
        // Exhaustive over a 6-byte file: every a-b, a- and -n a client could send.
        byte[] file = "ABCDEF".getBytes(StandardCharsets.US_ASCII);
        Representation rep = new Representation(file.length, null, VIDEO.validators());
        for (int a = 0; a <= 7; a++) {
            for (int b = a; b <= 7; b++) {
                check(rep, file, "bytes=" + a + "-" + b, a, Math.min(b, 5));
            }
            check(rep, file, "bytes=" + a + "-", a, 5);
            check(rep, file, "bytes=-" + a, Math.max(0, 6 - a), a == 0 ? -1 : 5);
        }
    }

    private static void check(Representation rep, byte[] file, String range, int start, int end) {
        ResponsePlan p = RangeRequest.plan("GET", TestHeaders.of(Map.of("Range", range)), rep, 16, NOW);
        if (start >= file.length || end < 0) {
            assertEquals(416, p.status(), range);
            return;
        }
        ResponsePlan.Single s = assertInstanceOf(ResponsePlan.Single.class, p, range);
        assertEquals(new ByteRange(start, end), s.range(), range);
        assertEquals(new String(file, start, end - start + 1, StandardCharsets.US_ASCII),
                new String(file, (int) s.range().start(), (int) s.range().length(), StandardCharsets.US_ASCII));
    }

    @Test
    void aSingleRangePlanRefusesARangeThatEndsPastTheRepresentation() {
        ResponsePlan.Single last = new ResponsePlan.Single(VIDEO, new ByteRange(990, 999));
        assertEquals("bytes 990-999/1000", header(last, "Content-Range"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ResponsePlan.Single(VIDEO, new ByteRange(990, 1000)));
        assertEquals("range 990-1000 is outside a 1000-byte representation", e.getMessage());
    }
}
