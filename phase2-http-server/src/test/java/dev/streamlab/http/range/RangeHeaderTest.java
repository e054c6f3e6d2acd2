package dev.streamlab.http.range;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RangeHeaderTest {
    static final String MAX = Long.toString(Long.MAX_VALUE);

    /** The parsed specs as the client wrote them, e.g. "0-1,5-,-3", or IGNORED. */
    static String parsed(String header) {
        Optional<List<RangeSpec>> specs = RangeHeader.parse(header);
        return specs.map(l -> l.stream().map(RangeSpec::toString).collect(Collectors.joining(","))).orElse("IGNORED");
    }

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            bytes=0-1                | 0-1
            bytes=0-0                | 0-0
            bytes=-0                 | -0
            bytes=5-                 | 5-
            bytes=-500               | -500
            bytes=0-999,4500-5499,-1000 | 0-999,4500-5499,-1000
            bytes=500-600,601-999    | 500-600,601-999
            bytes=500-700,601-999    | 500-700,601-999
            bytes=000-001            | 0-1
            bytes=00000000000000000000000000001-2 | 1-2
            """)
    void validSpecsParseInOrder(String header, String expected) {
        assertEquals(expected, parsed(header));
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"bytes=0-1", "Bytes=0-1", "BYTES=0-1", "bYtEs=0-1"})
    void rangeUnitIsCaseInsensitive(String header) {
        assertEquals("0-1", parsed(header));
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"bytes=0-1,5-9", "bytes=0-1 ,5-9", "bytes=0-1, 5-9", "bytes=0-1 , 5-9",
        "bytes=0-1,\t5-9", "  bytes=0-1,5-9  ", "\tbytes=0-1,5-9\t", "bytes=0-1,,5-9", "bytes=,0-1,5-9",
        "bytes=0-1,5-9,", "bytes=0-1, ,5-9", "bytes= 0-1,5-9"})
    void optionalWhitespaceAndEmptyListElementsAreAccepted(String header) {
        assertEquals("0-1,5-9", parsed(header));
    }

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            bytes=99999999999999999999-                      | 9223372036854775807-
            bytes=9223372036854775808-                       | 9223372036854775807-
            bytes=9223372036854775807-                       | 9223372036854775807-
            bytes=9223372036854775806-                       | 9223372036854775806-
            bytes=0-99999999999999999999                     | 0-9223372036854775807
            bytes=-99999999999999999999                      | -9223372036854775807
            bytes=-184467440737095516160                     | -9223372036854775807
            bytes=99999999999999999998-99999999999999999999  | 9223372036854775807-9223372036854775807
            bytes=99999999999999999999-99999999999999999999  | 9223372036854775807-9223372036854775807
            """)
    void twentyDigitNumbersSaturateInsteadOfOverflowing(String header, String expected) {
        assertEquals(expected, parsed(header));
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {
        "bytes=5-2",                   // last < first: an invalid int-range (§14.1.2)
        "bytes=1-0",
        "bytes=99999999999999999999-99999999999999999998", // invalid even though both saturate
        "bytes=10000000000000000000-9223372036854775807",
        "bytes=x", "bytes=a-b", "bytes=1-b", "bytes=a-1",
        "items=0-1", "byte=0-1", "bytess=0-1", "bits=0-1",
        "byte\u017F=0-1",              // long s upper-cases to S: no Unicode case folding
        "bytes=", "bytes=,", "bytes= , ,", "bytes", "=0-1", "", "   ",
        "bytes 0-1", "bytes =0-1", "bytes:0-1", "0-1",
        "bytes=-", "bytes=--1", "bytes=1--2", "bytes=-1-2", "bytes=0-1-2",
        "bytes=+1-2", "bytes=1-+2", "bytes=-+1", "bytes=-1-",
        "bytes=0x10-20", "bytes=1.0-2", "bytes=-1.5", "bytes=1e3-",
        "bytes=1 -2", "bytes=1- 2", "bytes=0-1 5-9",
        "bytes=\u0661-\u0662",         // Arabic-Indic digits: Character.isDigit says yes, HTTP says no
        "bytes=\uFF11-\uFF12",         // full-width digits
        "bytes=0-1;", "bytes=0-1,x", "bytes=0-1,5-2", "bytes=0-1,items=2-3",
        "bytes=0-1, bytes=2-3",        // two Range field lines joined by a server
    })
    void malformedOrForeignHeadersAreIgnored(String header) {
        assertEquals("IGNORED", parsed(header));
    }

    @Test
    void absentHeaderIsIgnored() {
        assertEquals(Optional.empty(), RangeHeader.parse(null));
    }

    @Test
    void hundredSpecsAreParsedButHundredAndOneAreIgnored() {
        String hundred = "bytes=" + IntStream.range(0, RangeHeader.MAX_SPECS).mapToObj(i -> i + "-" + i)
                .collect(Collectors.joining(","));
        assertEquals(RangeHeader.MAX_SPECS, RangeHeader.parse(hundred).orElseThrow().size());
        assertEquals("IGNORED", parsed(hundred + ",100-100"));
    }

    @Test
    void emptyElementsDoNotCountTowardTheSpecLimit() {
        String header = "bytes=" + ",".repeat(2000) + "0-1" + ",".repeat(2000);
        assertEquals("0-1", parsed(header));
    }

    @Test
    void thousandOpenEndedRangesAreIgnoredAtParseTime() {
        // Apache CVE-2011-3192 shape: bytes=0-,0-,0-,... x1000. Over MAX_SPECS: the whole header is ignored -> 200.
        assertEquals("IGNORED", parsed("bytes=" + "0-,".repeat(1000)));
    }

    @Test
    void fieldOfEightKibibytesIsParsedButOneMoreCharacterIsIgnored() {
        String prefix = "bytes=0-1,";
        String padded = prefix + " ".repeat(RangeHeader.MAX_FIELD_LENGTH - prefix.length() - 3) + "2-3";
        assertEquals(RangeHeader.MAX_FIELD_LENGTH, padded.length());
        assertEquals("0-1,2-3", parsed(padded));
        assertEquals("IGNORED", parsed(" " + padded));
    }

    @Test
    void parsedSpecsAreOfTheRightKind() {
        List<RangeSpec> specs = RangeHeader.parse("bytes=1-2,3-,-4").orElseThrow();
        assertEquals(List.of(new RangeSpec.Closed(1, 2), new RangeSpec.From(3), new RangeSpec.Suffix(4)), specs);
        assertThrows(UnsupportedOperationException.class, () -> specs.add(new RangeSpec.From(0)));
    }
}
