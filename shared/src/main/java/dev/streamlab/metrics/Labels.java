package dev.streamlab.metrics;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Per-label-set children of a metric. Label values come from requests (routes, statuses, video ids), so the
 * number of children is capped: past {@link #MAX_CHILDREN}, new label sets share one {@code _overflow_} child
 * instead of growing memory without bound.
 */
final class Labels<T> {
    static final int MAX_CHILDREN = 1000;
    static final String OVERFLOW = "_overflow_";

    private final List<String> names;
    private final Map<List<String>, T> children = new ConcurrentHashMap<>();
    private final Supplier<T> factory;

    Labels(List<String> names, Supplier<T> factory) {
        for (String n : names) MetricsRegistry.checkName(n);
        this.names = List.copyOf(names);
        this.factory = factory;
        // A metric without labels has one child, made now so that it is exported as 0 before its first event, as
        // Prometheus' client libraries do: a series that is missing is not a series at 0 (the README's "watch
        // streamlab_http_transferto_zero_returns_total" showed nothing at all until the first one).
        if (this.names.isEmpty()) children.put(List.of(), factory.get());
    }

    T get(String... values) {
        if (values.length != names.size()) {
            throw new IllegalArgumentException("expected labels " + names + ", got " + values.length + " values");
        }
        List<String> key = List.of(values);
        T child = children.get(key);
        if (child != null) return child;
        if (children.size() >= MAX_CHILDREN) {
            String[] overflow = new String[values.length];
            java.util.Arrays.fill(overflow, OVERFLOW);
            key = List.of(overflow);
        }
        return children.computeIfAbsent(key, k -> factory.get());
    }

    Map<List<String>, T> children() {
        return children;
    }

    /** {@code {a="x",b="y"}} with the text format's escaping (§ "label_value": backslash, quote, newline). */
    String render(List<String> values, String extraName, String extraValue) {
        if (names.isEmpty() && extraName == null) return "";
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < names.size(); i++) {
            if (i > 0) sb.append(',');
            sb.append(names.get(i)).append("=\"");
            escape(sb, values.get(i));
            sb.append('"');
        }
        if (extraName != null) {
            if (!names.isEmpty()) sb.append(',');
            sb.append(extraName).append("=\"").append(extraValue).append('"');
        }
        return sb.append('}').toString();
    }

    private static void escape(StringBuilder sb, String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                default -> sb.append(c);
            }
        }
    }
}
