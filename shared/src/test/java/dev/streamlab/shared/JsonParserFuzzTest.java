package dev.streamlab.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.streamlab.shared.json.Json;
import dev.streamlab.shared.json.JsonParser;
import dev.streamlab.shared.json.JsonParser.JsonException;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of {@link JsonParser}, which reads what browsers send (QoE reports, WebSocket control
 * messages). For any text:
 * <ul>
 *   <li>the parser returns a value or throws {@link JsonException} naming the position or the limit — never
 *       another exception ({@code NumberFormatException}, {@code StackOverflowError}, an index out of bounds),
 *       never a hang;</li>
 *   <li>a value it returns, written out by {@link Json#write}, parses back to the same text (the two agree on
 *       what JSON is).</li>
 * </ul>
 *
 * <p>Two modes, as for phase 1's {@code Mp4ParserFuzzTest}:
 * <ul>
 *   <li>{@code mvn test} (regression): runs the seed corpus in
 *       {@code src/test/resources/dev/streamlab/shared/JsonParserFuzzTestInputs/anyTextParsesOrIsAJsonException/}
 *       (UTF-8 text, good and bad), plus any crash Jazzer saved there.</li>
 *   <li>Fuzzing: {@code JAZZER_FUZZ=1 mvn -pl shared test -Dtest=JsonParserFuzzTest} for {@code maxDuration}
 *       (override with {@code JAZZER_MAX_DURATION=10m}).</li>
 * </ul>
 */
class JsonParserFuzzTest {
    /** Small enough that the fuzzer reaches the length limit, large enough for {@link JsonParser#MAX_DEPTH}. */
    private static final int MAX_LENGTH = 512;

    @DictionaryEntries({"{", "}", "[", "]", ":", ",", "\"", "\\\"", "\\\\", "\\u", "\\ud83d\\ude00", "true", "false",
            "null", "-0", "0.5", "1e", "E+", "-", "1e999", "12345678901234567890", "\"type\"", "\"stats\""})
    @FuzzTest(maxDuration = "30s")
    void anyTextParsesOrIsAJsonException(byte[] input) throws JsonException {
        String text = new String(input, StandardCharsets.UTF_8);
        Object value;
        try {
            value = JsonParser.parse(text, MAX_LENGTH);
        } catch (JsonException e) {
            assertTrue(e.getMessage().contains(" at character ") || e.getMessage().contains(" limit")
                    || e.getMessage().startsWith("expected"), e.getMessage());
            return;
        }
        String written = Json.write(value);
        assertEquals(written, Json.write(JsonParser.parse(written, Integer.MAX_VALUE)), "written out and parsed again");
    }
}
