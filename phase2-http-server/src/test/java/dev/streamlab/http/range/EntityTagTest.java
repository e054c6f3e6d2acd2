package dev.streamlab.http.range;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EntityTagTest {

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            "abc"        | "abc"
            W/"abc"      | W/"abc"
            ""           | ""
            W/""         | W/""
            '  "abc"  '  | "abc"
            "a,b"        | "a,b"
            "a/b-c!#~"   | "a/b-c!#~"
            """)
    void singleEntityTagsParseAndPrintBack(String value, String expected) {
        assertEquals(expected, EntityTag.parse(value).orElseThrow().toString());
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"abc", "w/\"abc\"", "\"abc", "abc\"", "W/abc", "\"a\"b\"", "\"a b\"", "\"a\tb\"",
        "\"abc\" x", "W /\"abc\"", "", "*", "\"\u0100\"", "\"a\u0001\""})
    void malformedEntityTagsDoNotParse(String value) {
        assertEquals(Optional.empty(), EntityTag.parse(value));
    }

    @Test
    void obsTextIsAllowedInsideTheQuotes() {
        assertEquals("caf\u00e9", EntityTag.parse("\"caf\u00e9\"").orElseThrow().opaque());
    }

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            "a"                     | "a"
            "a", "b"                | "a" "b"
            "a","b"                 | "a" "b"
            "a" , W/"b" ,"c"        | "a" W/"b" "c"
            "a,b", "c"              | "a,b" "c"
            "a",,"b"                | "a" "b"
            ,"a",                   | "a"
            ''                      | ''
            ' , , '                 | ''
            """)
    void entityTagListsRespectCommasInsideQuotes(String value, String expected) {
        List<EntityTag> tags = EntityTag.parseList(value).orElseThrow();
        assertEquals(expected, tags.stream().map(EntityTag::toString).collect(Collectors.joining(" ")));
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"abc", "\"a\" \"b\"", "\"a\", b", "\"a\"\"b\"", "\"a", "*, \"a\"", "\"a\" *"})
    void malformedEntityTagListsDoNotParse(String value) {
        assertEquals(Optional.empty(), EntityTag.parseList(value));
    }

    @ParameterizedTest(name = "{0} vs {1}: strong {2}, weak {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            W/"1" | W/"1" | false | true
            W/"1" | W/"2" | false | false
            W/"1" | "1"   | false | true
            "1"   | "1"   | true  | true
            "1"   | "2"   | false | false
            """)
    void comparisonFunctionsFollowTheRfcTable(String a, String b, boolean strong, boolean weak) {
        // The table of RFC 9110 §8.8.3.2, both ways round.
        EntityTag x = EntityTag.parse(a).orElseThrow();
        EntityTag y = EntityTag.parse(b).orElseThrow();
        assertEquals(strong, x.strongMatch(y));
        assertEquals(strong, y.strongMatch(x));
        assertEquals(weak, x.weakMatch(y));
        assertEquals(weak, y.weakMatch(x));
    }

    @Test
    void constructorRejectsCharactersThatWouldBreakTheHeader() {
        assertThrows(IllegalArgumentException.class, () -> EntityTag.strong("a\"b"));
        assertThrows(IllegalArgumentException.class, () -> EntityTag.strong("a\r\nSet-Cookie: x"));
    }

    @Test
    void fileValidatorsAreAStrongSizeAndNanosecondTagAndASecondResolutionDate() {
        FileTime mtime = FileTime.from(Instant.parse("2024-01-01T00:00:00.123456789Z"));
        Validators v = Validators.forFile(1000, mtime);
        assertEquals("\"3e8-" + Long.toHexString(1_704_067_200_123_456_789L) + "\"", v.etag().toString());
        assertEquals(false, v.etag().weak());
        assertEquals(Instant.parse("2024-01-01T00:00:00Z"), v.lastModified());
    }

    @Test
    void fileValidatorsChangeWithSizeOrMtimeAndNotOtherwise() {
        Validators a = Validators.forFile(1000, 1_704_067_200_000L);
        assertEquals(a, Validators.forFile(1000, 1_704_067_200_000L));
        assertEquals(false, a.etag().equals(Validators.forFile(1001, 1_704_067_200_000L).etag()));
        assertEquals(false, a.etag().equals(Validators.forFile(1000, 1_704_067_200_001L).etag()));
    }

    @Test
    void mtimeWithoutAFourDigitYearGivesNoLastModified() {
        Validators v = Validators.forFile(1, FileTime.from(Instant.parse("+12000-01-01T00:00:00Z")));
        assertEquals(null, v.lastModified());
        assertEquals(false, v.etag().weak());
        assertThrows(IllegalArgumentException.class,
                () -> new Validators(null, Instant.parse("+12000-01-01T00:00:00Z")));
    }

    @Test
    void lastModifiedInTheFutureIsCappedAtNow() {
        // RFC 9110 §8.8.2.1: a Last-Modified later than Date MUST be replaced with the message origination date.
        Instant now = Instant.parse("2024-06-01T12:00:00.750Z");
        Validators future = new Validators(EntityTag.strong("x"), Instant.parse("2030-01-01T00:00:00Z"));
        assertEquals(Instant.parse("2024-06-01T12:00:00Z"), future.notAfter(now).lastModified());
        Validators past = new Validators(EntityTag.strong("x"), Instant.parse("2020-01-01T00:00:00Z"));
        assertEquals(past, past.notAfter(now));
    }
}
