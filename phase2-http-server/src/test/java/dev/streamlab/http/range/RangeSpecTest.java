package dev.streamlab.http.range;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RangeSpecTest {
    static final long MAX = Long.MAX_VALUE;

    /** Parses "a-b", "a-" or "-n" (numbers up to Long.MAX_VALUE) into a spec. */
    static RangeSpec spec(String s) {
        return RangeHeader.parse("bytes=" + s).orElseThrow().get(0);
    }

    static String resolved(String spec, long length) {
        return spec(spec).resolve(length).map(ByteRange::toString).orElse("NONE");
    }

    @ParameterizedTest(name = "{0} of {1} bytes -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            0-1                    | 100 | 0-1
            0-0                    | 100 | 0-0
            0-99                   | 100 | 0-99
            5-9                    | 100 | 5-9
            99-99                  | 100 | 99-99
            99-                    | 100 | 99-99
            0-                     | 100 | 0-99
            -1                     | 100 | 99-99
            -100                   | 100 | 0-99
            0-0                    | 1   | 0-0
            0-                     | 1   | 0-0
            -1                     | 1   | 0-0
            """)
    void rangesInsideTheRepresentationResolveAsWritten(String spec, long length, String expected) {
        assertEquals(expected, resolved(spec, length));
    }

    @ParameterizedTest(name = "{0} of {1} bytes -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            0-100                  | 100 | 0-99
            50-1000000             | 100 | 50-99
            0-9223372036854775807  | 100 | 0-99
            0-9223372036854775807  | 9223372036854775807 | 0-9223372036854775806
            0-                     | 9223372036854775807 | 0-9223372036854775806
            """)
    void lastPositionPastTheEndClampsToTheLastByte(String spec, long length, String expected) {
        assertEquals(expected, resolved(spec, length));
    }

    @ParameterizedTest(name = "{0} of {1} bytes -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            -101                   | 100 | 0-99
            -1000000               | 100 | 0-99
            -9223372036854775807   | 100 | 0-99
            -9223372036854775807   | 9223372036854775807 | 0-9223372036854775806
            -5                     | 1   | 0-0
            """)
    void suffixRangeBeyondLengthReturnsWholeFile(String spec, long length, String expected) {
        assertEquals(expected, resolved(spec, length));
    }

    @ParameterizedTest(name = "{0} of {1} bytes is unsatisfiable")
    @CsvSource(delimiter = '|', textBlock = """
            100-                   | 100
            100-100                | 100
            100-200                | 100
            101-                   | 100
            9223372036854775807-   | 100
            9223372036854775807-   | 9223372036854775807
            -0                     | 100
            1-                     | 1
            """)
    void startAtOrPastLengthAndZeroSuffixAreUnsatisfiable(String spec, long length) {
        RangeSpec s = spec(spec);
        assertEquals("NONE", resolved(spec, length));
        assertEquals(false, s.isSatisfiable(length));
    }

    @ParameterizedTest(name = "{0} of an empty file: satisfiable {1}")
    @CsvSource(delimiter = '|', textBlock = """
            0-0  | false
            0-   | false
            0-5  | false
            -0   | false
            -1   | true
            -5   | true
            """)
    void emptyRepresentationResolvesNothingButNonZeroSuffixIsSatisfiable(String spec, boolean satisfiable) {
        // RFC 9110 §14.1.2: "When a selected representation has zero length, the only satisfiable form of
        // range-spec in a GET request is a suffix-range with a non-zero suffix-length."
        assertEquals("NONE", resolved(spec, 0));
        assertEquals(satisfiable, spec(spec).isSatisfiable(0));
    }

    @Test
    void specsRejectImpossibleValues() {
        assertThrows(IllegalArgumentException.class, () -> new RangeSpec.Closed(5, 2));
        assertThrows(IllegalArgumentException.class, () -> new RangeSpec.Closed(-1, 2));
        assertThrows(IllegalArgumentException.class, () -> new RangeSpec.From(-1));
        assertThrows(IllegalArgumentException.class, () -> new RangeSpec.Suffix(-1));
    }

    @ParameterizedTest(name = "{0}-{1} of {2}: length {3}, {4}")
    @CsvSource(delimiter = '|', textBlock = """
            0    | 1    | 100  | 2    | bytes 0-1/100
            0    | 0    | 1    | 1    | bytes 0-0/1
            500  | 999  | 8000 | 500  | bytes 500-999/8000
            0    | 9223372036854775806 | 9223372036854775807 | 9223372036854775807 | bytes 0-9223372036854775806/9223372036854775807
            """)
    void byteRangeKnowsItsLengthAndContentRange(long start, long end, long total, long length, String contentRange) {
        ByteRange r = new ByteRange(start, end);
        assertEquals(length, r.length());
        assertEquals(contentRange, r.contentRange(total));
    }

    @Test
    void unsatisfiedContentRangeNamesOnlyTheLength() {
        assertEquals("bytes */1000", ByteRange.unsatisfiedContentRange(1000));
        assertEquals("bytes */0", ByteRange.unsatisfiedContentRange(0));
    }

    @Test
    void byteRangeRejectsNegativeEmptyOrOverflowingRanges() {
        assertThrows(IllegalArgumentException.class, () -> new ByteRange(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> new ByteRange(5, 4));
        assertThrows(IllegalArgumentException.class, () -> new ByteRange(0, MAX)); // length would overflow
        assertThrows(IllegalArgumentException.class, () -> new ByteRange(0, 100).contentRange(100));
    }
}
