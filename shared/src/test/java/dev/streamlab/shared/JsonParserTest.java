package dev.streamlab.shared;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.shared.json.Json;
import dev.streamlab.shared.json.JsonParser;
import dev.streamlab.shared.json.JsonParser.JsonException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonParserTest {
    @Test
    void parsesWhatTheWriterWrites() throws Exception {
        Object v = JsonParser.parse(" {\"a\": [1, -2.5e3, \"x\\n\\u00e9\", true, null], \"b\": {}} ", 1000);
        assertEquals(Map.of("a", Arrays.asList(1L, -2500.0, "x\né", true, null), "b", Map.of()), v);
        assertEquals(Json.write(v), Json.write(JsonParser.parse(Json.write(v), 1000)), "round trip");
    }

    @Test
    void bigIntegersBecomeDoublesRatherThanOverflowing() throws Exception {
        assertEquals(1e20, JsonParser.parse("100000000000000000000", 100));
        assertEquals(List.of(0L), JsonParser.parse("[0]", 100));
    }

    /**
     * RFC 8259 §6 lets a parser limit the range of numbers; ours is a finite double's. Past it, parseDouble says
     * Infinity, which JSON cannot say: it was taken as a value (and written back as null). Refused instead, with the
     * position of the number.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"1e999|0", "-1e999|0", "1E+400|0", "1.8e308|0", "-1.8e308|0",
            "[1, 1e999]|4", "{\"t\": -1e309}|6", "[0.5e1000000000]|1"})
    void numbersBeyondADoublesRangeAreRefusedAtTheirPosition(String text, int at) {
        JsonException e = assertThrows(JsonException.class, () -> JsonParser.parse(text, 1000));
        assertTrue(e.getMessage().contains("is out of range") && e.getMessage().endsWith(" at character " + at),
                e.getMessage());
    }

    @Test
    void integersTooLongForADoubleAreRefusedWithoutEchoingTheirDigits() {
        for (String text : new String[] {"1" + "0".repeat(309), "-" + "9".repeat(400), "[7" + "1".repeat(500) + "]"}) {
            JsonException e = assertThrows(JsonException.class, () -> JsonParser.parse(text, 1000));
            assertTrue(e.getMessage().contains("is out of range"), e.getMessage());
            assertTrue(e.getMessage().length() < 120, "a message is not a client's 400 digits: " + e.getMessage());
        }
    }

    @Test
    void numbersAtTheEdgesOfADoublesRangeAreKept() throws Exception {
        assertEquals(Double.MAX_VALUE, JsonParser.parse("1.7976931348623157e308", 100));
        assertEquals(-Double.MAX_VALUE, JsonParser.parse("-1.7976931348623157E+308", 100));
        assertEquals(1e308, JsonParser.parse("1" + "0".repeat(308), 1000), "309 digits, in range");
        assertEquals(Double.MIN_VALUE, JsonParser.parse("4.9e-324", 100));
        // Too small to tell from 0 is precision, not range: rounded to the nearest double, as 0.1 is.
        assertEquals(0.0, JsonParser.parse("1e-999", 100));
        assertEquals(-0.0, JsonParser.parse("-1e-999", 100));
        assertEquals("[0,0]", Json.write(JsonParser.parse("[1e-999,-1e-999]", 100)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "[1,]", "{\"a\"}", "{a:1}", "01", "1.", "-", "\"\\x\"", "tru", "[1] 2",
            "\"unterminated", "\"ctl\u0001\"", "{\"a\":1,}", "1e", "\"\\u12\""})
    void malformedInputIsAJsonExceptionWithAPosition(String text) {
        JsonException e = assertThrows(JsonException.class, () -> JsonParser.parse(text, 1000));
        assertTrue(e.getMessage().contains("at character") || e.getMessage().contains("expected"), e.getMessage());
    }

    @Test
    void aMemberNamedTwiceIsRefused() {
        for (String twice : new String[] {"{\"a\":1,\"a\":2}", "{\"s\":\"x\",\"t\":{},\"s\":\"y\"}"}) {
            assertTrue(assertThrows(JsonException.class, () -> JsonParser.parse(twice, 100)).getMessage()
                    .contains("appears twice"), twice);
        }
        assertDoesNotThrow(() -> JsonParser.parse("{\"a\":{\"a\":1}}", 100), "the same name in another object");
    }

    @Test
    void deepNestingAndLongInputAreRefusedBeforeTheyHurt() {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        assertTrue(assertThrows(JsonException.class, () -> JsonParser.parse(deep, 100_000)).getMessage()
                .contains("nested deeper"));
        assertTrue(assertThrows(JsonException.class, () -> JsonParser.parse("[1,2,3]", 5)).getMessage()
                .contains("over the 5 limit"));
    }

    @Test
    void parseObjectRefusesOtherValues() {
        assertThrows(JsonException.class, () -> JsonParser.parseObject("[1]", 100));
    }

    /** RFC 8259 §6, §7: DIGIT and HEXDIG are ASCII. '٣' is U+0663 ARABIC-INDIC DIGIT THREE, '０' U+FF10. */
    @ParameterizedTest
    @ValueSource(strings = {"1.\u0663", "1e\u0663", "0.5E-\u0663", "-\u0663", "1\u0663",
            "\"\\u\uff10\uff10\uff14\uff11\""})
    void nonAsciiDigitsAreAJsonExceptionNotANumber(String text) {
        JsonException e = assertThrows(JsonException.class, () -> JsonParser.parse(text, 100));
        assertTrue(e.getMessage().contains("at character"), e.getMessage());
    }
}
