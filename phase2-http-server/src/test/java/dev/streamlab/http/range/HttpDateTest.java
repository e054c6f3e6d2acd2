package dev.streamlab.http.range;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HttpDateTest {
    static final Instant NOW = Instant.parse("2025-06-01T00:00:00Z");
    /** RFC 9110 §5.6.7's example instant, 784111777 seconds after the epoch. */
    static final Instant EXAMPLE = Instant.ofEpochSecond(784_111_777L);

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {
        "Sun, 06 Nov 1994 08:49:37 GMT",   // IMF-fixdate
        "Sunday, 06-Nov-94 08:49:37 GMT",  // obsolete RFC 850 format
        "Sun Nov  6 08:49:37 1994",        // ANSI C's asctime() format
        "Sun Nov 06 08:49:37 1994",        // asctime with a two-digit day: date3 allows 2DIGIT
        "  Sun, 06 Nov 1994 08:49:37 GMT\t",
    })
    void allThreeRfcFormatsOfTheExampleDateParse(String value) {
        assertEquals(Optional.of(EXAMPLE), HttpDate.parse(value, NOW));
    }

    @ParameterizedTest(name = "{0} -> [{1}]")
    @CsvSource(delimiter = '|', textBlock = """
            1994-11-06T08:49:37Z           | Sun, 06 Nov 1994 08:49:37 GMT
            1970-01-01T00:00:00Z           | Thu, 01 Jan 1970 00:00:00 GMT
            2024-02-29T23:59:59.999999999Z | Thu, 29 Feb 2024 23:59:59 GMT
            2024-01-01T00:00:00Z           | Mon, 01 Jan 2024 00:00:00 GMT
            0001-01-01T00:00:00Z           | Mon, 01 Jan 0001 00:00:00 GMT
            9999-12-31T23:59:59Z           | Fri, 31 Dec 9999 23:59:59 GMT
            """)
    void formatWritesImfFixdateWithTwoDigitDaysAndNoFraction(String instant, String expected) {
        assertEquals(expected, HttpDate.format(Instant.parse(instant)));
    }

    @Test
    void formatThenParseRoundTripsToTheSecond() {
        Random rnd = new Random(20240601L);
        for (int i = 0; i < 10_000; i++) {
            Instant t = Instant.ofEpochSecond(rnd.nextLong(-62_000_000_000L, 253_402_300_799L), rnd.nextInt(1_000_000_000));
            String s = HttpDate.format(t);
            assertEquals(Optional.of(Instant.ofEpochSecond(t.getEpochSecond())), HttpDate.parse(s, NOW), s);
        }
    }

    @Test
    void formatRejectsYearsWithMoreThanFourDigits() {
        assertThrows(IllegalArgumentException.class, () -> HttpDate.format(Instant.parse("+10000-01-01T00:00:00Z")));
        assertThrows(IllegalArgumentException.class, () -> HttpDate.format(Instant.parse("-0001-01-01T00:00:00Z")));
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {
        "", " ", "garbage", "0", "784111777",
        "Sun, 6 Nov 1994 08:49:37 GMT",          // IMF-fixdate needs two day digits
        "Sun, 06 Nov 1994 08:49:37 UTC",          // only GMT
        "Sun, 06 Nov 1994 08:49:37 +0000",
        "Sun, 06 Nov 1994 08:49:37",
        "sun, 06 nov 1994 08:49:37 gmt",          // HTTP-date is case-sensitive (§5.6.7)
        "SUN, 06 NOV 1994 08:49:37 GMT",
        "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 31 Feb 1994 08:49:37 GMT",          // no such day
        "Sun, 29 Feb 2023 08:49:37 GMT",          // not a leap year
        "Sun, 00 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT",
        "Sun, 06 Nov 1994 08:49:61 GMT",
        "Sun, 06 Nov 1994 08-49-37 GMT",
        "Sun, 06 Nov 94 08:49:37 GMT",
        "Sun, 06 Nov 1994 8:49:37 GMT",
        "Sun,06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-1994 08:49:37 GMT",       // rfc850 has a two-digit year
        "Sun, 06-Nov-94 08:49:37 GMT",            // rfc850 has the long day name
        "Sunday, 06 Nov 94 08:49:37 GMT",
        "Sun Nov 6 08:49:37 1994",                // asctime pads the day to two columns
        "Sun Nov  6 08:49:37 94",
        "1994-11-06T08:49:37Z",
        "Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT", // a list is not a date (§13.1.3)
        "Sun, 06 Nov 1994 08:49:37 GMT x",
    })
    void invalidDatesDoNotParse(String value) {
        assertEquals(Optional.empty(), HttpDate.parse(value, NOW));
    }

    @Test
    void absentDateDoesNotParse() {
        assertEquals(Optional.empty(), HttpDate.parse(null, NOW));
    }

    @Test
    void weekdayIsCheckedForSpellingButNotAgainstTheDate() {
        assertEquals(Optional.of(EXAMPLE), HttpDate.parse("Mon, 06 Nov 1994 08:49:37 GMT", NOW));
    }

    @Test
    void leapSecondSixtyMeansTheLastSecondOfTheMinute() {
        assertEquals(Optional.of(Instant.parse("2016-12-31T23:59:59Z")),
                HttpDate.parse("Sat, 31 Dec 2016 23:59:60 GMT", NOW));
    }

    @ParameterizedTest(name = "yy={0} read in 2025 -> {1}")
    @CsvSource({"94, 1994", "00, 2000", "25, 2025", "30, 2030", "75, 2075", "76, 1976", "99, 1999"})
    void rfc850TwoDigitYearMoreThanFiftyYearsAheadMeansThePastCentury(String yy, int year) {
        // §5.6.7: a two-digit year that "appears to be more than 50 years in the future" is the most recent past
        // year with those digits. Read in 2025: 2075 is 50 years ahead (kept), 2076 is 51 (-> 1976).
        Instant t = HttpDate.parse("Monday, 06-Nov-" + yy + " 08:49:37 GMT", NOW).orElseThrow();
        assertEquals(year, t.atZone(java.time.ZoneOffset.UTC).getYear());
    }
}
