package dev.streamlab.http.range;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Coverage-guided fuzzing of the request headers a file response depends on: {@code Range} ({@link RangeHeader}),
 * {@code If-Range}, {@code If-Match}, {@code If-None-Match}, {@code If-Modified-Since}, {@code If-Unmodified-Since}
 * ({@link Preconditions}, {@link EntityTag}, {@link HttpDate}), all through {@link RangeRequest#plan}. The input is
 * field lines ({@code Name: value}, one per line, ISO-8859-1 as the servers decode them). For any of them:
 * <ul>
 *   <li>no exception: a header the parsers cannot use is ignored (RFC 9110 §14.2, §13.1), never a 500;</li>
 *   <li>for GET and HEAD of an empty, a one-byte, a small and a 1 TiB file, the plan is one the server can send:
 *       parts inside the file, neither overlapping nor adjacent, at most {@code maxParts}, never more bytes than
 *       the file; HEAD never gets a range (§14.2).</li>
 * </ul>
 *
 * <p>Regression mode ({@code mvn test}) replays
 * {@code src/test/resources/dev/streamlab/http/range/RangeRequestFuzzTestInputs/anyConditionalAndRangeFieldsPlanASendableResponse/};
 * fuzzing: {@code JAZZER_FUZZ=1 mvn -pl phase2-http-server -am test -Dtest=RangeRequestFuzzTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Djmh.skip=true}.
 */
class RangeRequestFuzzTest {
    private static final long[] LENGTHS = {0, 1, 10_000, 1L << 40};
    private static final int MAX_PARTS = 4;
    private static final Instant MODIFIED = Instant.parse("2024-03-01T12:00:00Z");
    private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");
    private static final Validators VALIDATORS = new Validators(EntityTag.strong("v1-abc"), MODIFIED);

    @DictionaryEntries({"Range: bytes=", "Range: ", "If-Range: ", "If-Match: ", "If-None-Match: ",
            "If-Modified-Since: ", "If-Unmodified-Since: ", "\"v1-abc\"", "W/\"v1-abc\"", "*", ", ", "-",
            "0-", "-1", "99999999999999999999", "Fri, 01 Mar 2024 12:00:00 GMT", "Friday, 01-Mar-24 12:00:00 GMT",
            "Fri Mar  1 12:00:00 2024", "GMT", "bytes", "BYTES"})
    @FuzzTest(maxDuration = "30s")
    void anyConditionalAndRangeFieldsPlanASendableResponse(byte[] input) {
        Function<String, String> header = fields(new String(input, StandardCharsets.ISO_8859_1));
        Optional<List<RangeSpec>> specs = RangeHeader.parse(header.apply("Range"));
        specs.ifPresent(s -> assertTrue(!s.isEmpty() && s.size() <= RangeHeader.MAX_SPECS, "specs " + s.size()));
        for (long length : LENGTHS) {
            Representation rep = new Representation(length, "video/mp4", VALIDATORS);
            for (String method : new String[] {"GET", "HEAD"}) {
                ResponsePlan plan = RangeRequest.plan(method, header, rep, MAX_PARTS, NOW);
                assertNotNull(plan);
                assertSendable(plan, method, length);
            }
        }
    }

    private static void assertSendable(ResponsePlan plan, String method, long length) {
        switch (plan) {
            case ResponsePlan.Single s -> {
                assertEquals("GET", method);
                assertInside(s.range(), length);
                assertEquals(s.range().length(), s.contentLength());
            }
            case ResponsePlan.Multi m -> {
                assertEquals("GET", method);
                List<MultipartByteranges.Part> parts = m.body().parts();
                assertTrue(parts.size() >= 2 && parts.size() <= MAX_PARTS, "parts " + parts.size());
                long bytes = 0;
                for (int i = 0; i < parts.size(); i++) {
                    ByteRange r = parts.get(i).range();
                    assertInside(r, length);
                    bytes += r.length();
                    // In the client's order, not sorted (§15.3.7.2); overlapping or adjacent ones were coalesced.
                    for (int j = 0; j < i; j++) {
                        ByteRange q = parts.get(j).range();
                        assertTrue(q.end() + 1 < r.start() || r.end() + 1 < q.start(), q + " and " + r);
                    }
                }
                assertTrue(bytes <= length, bytes + " bytes of " + length);
                assertTrue(m.contentLength() > bytes, "content length " + m.contentLength());
            }
            case ResponsePlan.Unsatisfiable u -> assertEquals("GET", method);
            case ResponsePlan.Whole w -> assertEquals(length, w.contentLength());
            case ResponsePlan.NotModified n -> { }
            case ResponsePlan.PreconditionFailed p -> { }
        }
    }

    private static void assertInside(ByteRange r, long length) {
        assertTrue(r.start() >= 0 && r.end() < length, r + " of " + length);
    }

    /** Field lines to a case-insensitive lookup; several lines of one name joined with ", " (RFC 9110 §5.3). */
    private static Function<String, String> fields(String text) {
        Map<String, String> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) continue;
            String name = line.substring(0, colon);
            String value = line.substring(colon + 1);
            // OWS trimmed, as an HTTP/1.1 parser hands a field value over (RFC 9112 §5.1).
            int s = RangeHeader.skipOws(value, 0);
            value = value.substring(s, RangeHeader.trimOws(value, s, value.length()));
            map.merge(name, value, (a, b) -> a + ", " + b);
        }
        return map::get;
    }
}
