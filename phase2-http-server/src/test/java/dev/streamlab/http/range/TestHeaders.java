package dev.streamlab.http.range;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** Request headers for tests, written as one string: {@code "If-Match: \"a\"; Range: bytes=0-1"}. */
final class TestHeaders {
    private TestHeaders() {
    }

    /**
     * A case-insensitive lookup, like every server's, from {@code "Name: value; Name: value"}. Values may hold
     * commas (dates, lists) but not semicolons. Null or blank means no headers.
     */
    static Function<String, String> of(String spec) {
        Map<String, String> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (spec != null && !spec.isBlank()) {
            for (String field : spec.split(";")) {
                int colon = field.indexOf(':');
                map.put(field.substring(0, colon).trim(), field.substring(colon + 1).trim());
            }
        }
        return map::get;
    }

    static Function<String, String> of(Map<String, String> fields) {
        Map<String, String> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        map.putAll(fields);
        return map::get;
    }
}
