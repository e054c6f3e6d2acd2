package dev.streamlab.http.range;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamlab.http.range.Preconditions.Outcome;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 9110 §13.2.2 step by step. The representation: ETag "abc", Last-Modified Mon, 01 Jan 2024 00:00:00 GMT; the
 * server's clock: 2024-06-01. Dates used below: LM = the Last-Modified, LM-1s, LM+1s and one in 2035 (future).
 */
class PreconditionsTest {
    static final Instant LM = Instant.parse("2024-01-01T00:00:00Z");
    static final Instant NOW = Instant.parse("2024-06-01T00:00:00Z");
    static final Validators V = new Validators(EntityTag.strong("abc"), LM);

    static Outcome evaluate(String method, String headers) {
        return Preconditions.evaluate(method, TestHeaders.of(headers), V, NOW);
    }

    @ParameterizedTest(name = "{0} [{1}] -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            GET  |                                                | PROCEED
            GET  | If-Match: "abc"                                | PROCEED
            GET  | If-Match: "xyz"                                | PRECONDITION_FAILED
            GET  | If-Match: *                                    | PROCEED
            GET  | If-Match: W/"abc"                              | PRECONDITION_FAILED
            GET  | If-Match: "xyz", "abc"                         | PROCEED
            GET  | If-Match: "xyz" , W/"abc"                      | PRECONDITION_FAILED
            GET  | If-Match: abc                                  | PRECONDITION_FAILED
            GET  | If-Match:                                      | PRECONDITION_FAILED
            PUT  | If-Match: "xyz"                                | PRECONDITION_FAILED
            """)
    void ifMatchUsesStrongComparisonAndFailsWith412(String method, String headers, Outcome expected) {
        assertEquals(expected, evaluate(method, headers));
    }

    @ParameterizedTest(name = "{0} [{1}] -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            GET  | If-Unmodified-Since: Mon, 01 Jan 2024 00:00:00 GMT    | PROCEED
            GET  | If-Unmodified-Since: Mon, 01 Jan 2024 00:00:01 GMT    | PROCEED
            GET  | If-Unmodified-Since: Sun, 31 Dec 2023 23:59:59 GMT    | PRECONDITION_FAILED
            GET  | If-Unmodified-Since: yesterday                        | PROCEED
            GET  | If-Match: "abc"; If-Unmodified-Since: Sun, 31 Dec 2023 23:59:59 GMT | PROCEED
            GET  | If-Match: "xyz"; If-Unmodified-Since: Mon, 01 Jan 2024 00:00:00 GMT | PRECONDITION_FAILED
            """)
    void ifUnmodifiedSinceAppliesOnlyWithoutIfMatch(String method, String headers, Outcome expected) {
        assertEquals(expected, evaluate(method, headers));
    }

    @ParameterizedTest(name = "{0} [{1}] -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            GET    | If-None-Match: "abc"                          | NOT_MODIFIED
            HEAD   | If-None-Match: "abc"                          | NOT_MODIFIED
            POST   | If-None-Match: "abc"                          | PRECONDITION_FAILED
            GET    | If-None-Match: W/"abc"                        | NOT_MODIFIED
            GET    | If-None-Match: "xyz"                          | PROCEED
            GET    | If-None-Match: "xyz", W/"abc"                 | NOT_MODIFIED
            GET    | If-None-Match: *                              | NOT_MODIFIED
            POST   | If-None-Match: *                              | PRECONDITION_FAILED
            GET    | If-None-Match: abc                            | PROCEED
            GET    | If-None-Match: "ab"                           | PROCEED
            GET    | If-None-Match: "abc "                         | PROCEED
            """)
    void ifNoneMatchUsesWeakComparisonAnd304ForGetAndHead(String method, String headers, Outcome expected) {
        assertEquals(expected, evaluate(method, headers));
    }

    @ParameterizedTest(name = "{0} [{1}] -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            GET    | If-Modified-Since: Mon, 01 Jan 2024 00:00:00 GMT     | NOT_MODIFIED
            HEAD   | If-Modified-Since: Mon, 01 Jan 2024 00:00:00 GMT     | NOT_MODIFIED
            GET    | If-Modified-Since: Mon, 01 Jan 2024 00:00:01 GMT     | NOT_MODIFIED
            GET    | If-Modified-Since: Monday, 01-Jan-24 00:00:00 GMT    | NOT_MODIFIED
            GET    | If-Modified-Since: Mon Jan  1 00:00:00 2024          | NOT_MODIFIED
            GET    | If-Modified-Since: Sun, 31 Dec 2023 23:59:59 GMT     | PROCEED
            GET    | If-Modified-Since: Mon, 01 Jan 2035 00:00:00 GMT     | PROCEED
            GET    | If-Modified-Since: not a date                        | PROCEED
            POST   | If-Modified-Since: Mon, 01 Jan 2024 00:00:00 GMT     | PROCEED
            GET    | If-None-Match: "xyz"; If-Modified-Since: Mon, 01 Jan 2024 00:00:00 GMT | PROCEED
            GET    | If-None-Match: "abc"; If-Modified-Since: Sun, 31 Dec 2023 23:59:59 GMT | NOT_MODIFIED
            """)
    void ifModifiedSinceAppliesOnlyToGetAndHeadWithoutIfNoneMatch(String method, String headers, Outcome expected) {
        assertEquals(expected, evaluate(method, headers));
    }

    @ParameterizedTest(name = "{0} [{1}] -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            GET   | Range: bytes=0-1; If-Range: "abc"                               | PROCEED
            GET   | Range: bytes=0-1; If-Range:   "abc"                             | PROCEED
            GET   | Range: bytes=0-1; If-Range: W/"abc"                             | IGNORE_RANGE
            GET   | Range: bytes=0-1; If-Range: "old"                               | IGNORE_RANGE
            GET   | Range: bytes=0-1; If-Range: "abc", "old"                        | IGNORE_RANGE
            GET   | Range: bytes=0-1; If-Range: abc                                 | IGNORE_RANGE
            GET   | Range: bytes=0-1; If-Range: Mon, 01 Jan 2024 00:00:00 GMT       | PROCEED
            GET   | Range: bytes=0-1; If-Range: Mon, 01 Jan 2024 00:00:01 GMT       | IGNORE_RANGE
            GET   | Range: bytes=0-1; If-Range: Sun, 31 Dec 2023 23:59:59 GMT       | IGNORE_RANGE
            GET   | Range: bytes=0-1; If-Range: Monday, 01-Jan-24 00:00:00 GMT      | PROCEED
            GET   | Range: bytes=0-1; If-Range: tomorrow                            | IGNORE_RANGE
            GET   | Range: bytes=0-1; If-Range:                                     | IGNORE_RANGE
            GET   | If-Range: "old"                                                 | PROCEED
            HEAD  | Range: bytes=0-1; If-Range: "old"                               | PROCEED
            GET   | Range: items=0-1; If-Range: "old"                               | IGNORE_RANGE
            """)
    void ifRangeNeedsAnExactStrongMatchAndOnlyMattersForGetWithRange(String method, String headers,
            Outcome expected) {
        assertEquals(expected, evaluate(method, headers));
    }

    @ParameterizedTest(name = "{0} [{1}] -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            GET  | If-Match: "xyz"; If-None-Match: "xyz"                                  | PRECONDITION_FAILED
            GET  | If-Match: "abc"; If-None-Match: "abc"                                  | NOT_MODIFIED
            GET  | If-Unmodified-Since: Sun, 31 Dec 2023 23:59:59 GMT; If-None-Match: "abc" | PRECONDITION_FAILED
            GET  | If-Unmodified-Since: Sun, 31 Dec 2023 23:59:59 GMT; If-Modified-Since: Mon, 01 Jan 2024 00:00:00 GMT | PRECONDITION_FAILED
            GET  | If-None-Match: "abc"; Range: bytes=0-1; If-Range: "old"                | NOT_MODIFIED
            GET  | If-Modified-Since: Mon, 01 Jan 2024 00:00:00 GMT; Range: bytes=0-1; If-Range: "abc" | NOT_MODIFIED
            GET  | If-Match: "xyz"; Range: bytes=0-1; If-Range: "abc"                     | PRECONDITION_FAILED
            GET  | If-Match: "abc"; If-None-Match: "xyz"; Range: bytes=0-1; If-Range: "old" | IGNORE_RANGE
            """)
    void preconditionsAreEvaluatedInRfcOrder(String method, String headers, Outcome expected) {
        // §13.2.2: If-Match, else If-Unmodified-Since (412); then If-None-Match, else If-Modified-Since (304);
        // then If-Range. A 412 beats a 304, and both beat anything Range would have done.
        assertEquals(expected, evaluate(method, headers));
    }

    @Test
    void ifRangeDateIsWeakWhileTheFileWasModifiedWithinTheLastSecond() {
        // §13.1.5 step 1: a date that is not a strong validator is a false condition. The Last-Modified second is
        // not over yet: another write within it would keep the same date, so ranges are ignored (200).
        String headers = "Range: bytes=0-1; If-Range: Mon, 01 Jan 2024 00:00:00 GMT";
        Instant halfASecondLater = LM.plusMillis(500);
        assertEquals(Outcome.IGNORE_RANGE, Preconditions.evaluate("GET", TestHeaders.of(headers), V, halfASecondLater));
        assertEquals(Outcome.PROCEED, Preconditions.evaluate("GET", TestHeaders.of(headers), V, LM.plusSeconds(1)));
    }

    @Test
    void subSecondModificationTimeStillMatchesTheDateWeSent() {
        // Last-Modified is written in whole seconds, so the file's 0.999 s must not make it "modified since".
        Validators v = new Validators(EntityTag.strong("abc"), LM.plusMillis(999));
        String headers = "If-Modified-Since: Mon, 01 Jan 2024 00:00:00 GMT";
        assertEquals(Outcome.NOT_MODIFIED, Preconditions.evaluate("GET", TestHeaders.of(headers), v, NOW));
    }

    @ParameterizedTest(name = "no ETag: [{0}] -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            If-Match: *                                         | PROCEED
            If-Match: "abc"                                     | PRECONDITION_FAILED
            If-None-Match: "abc"                                | PROCEED
            If-None-Match: *                                    | NOT_MODIFIED
            Range: bytes=0-1; If-Range: "abc"                   | IGNORE_RANGE
            Range: bytes=0-1; If-Range: Mon, 01 Jan 2024 00:00:00 GMT | PROCEED
            """)
    void representationWithoutEntityTagMatchesOnlyStar(String headers, Outcome expected) {
        Validators noTag = new Validators(null, LM);
        assertEquals(expected, Preconditions.evaluate("GET", TestHeaders.of(headers), noTag, NOW));
    }

    @ParameterizedTest(name = "no Last-Modified: [{0}] -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            If-Modified-Since: Mon, 01 Jan 2024 00:00:00 GMT            | PROCEED
            If-Unmodified-Since: Sun, 31 Dec 2023 23:59:59 GMT          | PROCEED
            Range: bytes=0-1; If-Range: Mon, 01 Jan 2024 00:00:00 GMT   | IGNORE_RANGE
            """)
    void representationWithoutLastModifiedIgnoresDateConditions(String headers, Outcome expected) {
        // §13.1.3/§13.1.4: "A recipient MUST ignore the [...] header field if the resource does not have a
        // modification date available."
        Validators noDate = new Validators(EntityTag.strong("abc"), null);
        assertEquals(expected, Preconditions.evaluate("GET", TestHeaders.of(headers), noDate, NOW));
    }

    @Test
    void methodNamesAreCaseSensitive() {
        // §9.1: "The method token is case-sensitive"; "get" is an unknown method, so a matching If-None-Match is 412.
        assertEquals(Outcome.PRECONDITION_FAILED, evaluate("get", "If-None-Match: \"abc\""));
    }

    @Test
    void onlyProceedAllowsARange() {
        assertEquals(true, Outcome.PROCEED.rangeAllowed());
        assertEquals(false, Outcome.IGNORE_RANGE.rangeAllowed());
        assertEquals(false, Outcome.NOT_MODIFIED.rangeAllowed());
        assertEquals(false, Outcome.PRECONDITION_FAILED.rangeAllowed());
    }
}
