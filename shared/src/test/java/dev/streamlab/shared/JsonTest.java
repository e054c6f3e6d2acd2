package dev.streamlab.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.streamlab.shared.json.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void writesScalarsMapsAndListsCompactly() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", 1);
        m.put("b", List.of(1.5, "x", true));
        m.put("c", null);
        m.put("d", Map.of());
        assertEquals("{\"a\":1,\"b\":[1.5,\"x\",true],\"c\":null,\"d\":{}}", Json.write(m));
    }

    @Test
    void escapesQuotesBackslashesAndControlCharacters() {
        assertEquals("\"q\\\"b\\\\n\\nt\\tc\\u0001s\\u2028\"", Json.write("q\"b\\n\nt\tc\u0001s\u2028"));
    }

    @Test
    void nonFiniteNumbersBecomeNullBecauseJsonHasNoInfinity() {
        assertEquals("[null,null,2]", Json.write(List.of(Double.NaN, Double.POSITIVE_INFINITY, 2.0)));
    }

    @Test
    void prettyKeepsScalarArraysOnOneLine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("k", List.of(0, 2, 4));
        m.put("t", List.of(Map.of("id", 1)));
        assertEquals("{\n  \"k\": [0, 2, 4],\n  \"t\": [\n    {\n      \"id\": 1\n    }\n  ]\n}", Json.pretty(m));
    }

    @Test
    void refusesTypesWithNoJsonForm() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
    }
}
