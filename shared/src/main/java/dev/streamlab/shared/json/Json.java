package dev.streamlab.shared.json;

import java.util.Collection;
import java.util.Iterator;
import java.util.Map;

/**
 * A minimal JSON writer (RFC 8259) for the few documents Streamlab emits: probe reports, catalogs, metrics.
 *
 * <p>Values are {@code null}, {@link Boolean}, {@link Number}, {@link CharSequence}, {@link Map} (keys as
 * strings, iteration order kept) and {@link Collection}. Anything else is a programming error, rejected loudly
 * rather than written as {@code toString()}. Non-finite doubles have no JSON form and become {@code null}.
 */
public final class Json {
    private Json() {}

    /** Compact JSON text for {@code value}. */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder(256);
        append(out, value, -1, 0);
        return out.toString();
    }

    /** Indented (two spaces) JSON text for {@code value}, for humans. */
    public static String pretty(Object value) {
        StringBuilder out = new StringBuilder(256);
        append(out, value, 2, 0);
        return out.toString();
    }

    private static void append(StringBuilder out, Object value, int indent, int depth) {
        switch (value) {
            case null -> out.append("null");
            case Boolean b -> out.append(b.booleanValue());
            case Double d -> number(out, d);
            case Float f -> number(out, f.doubleValue());
            case Number n -> out.append(n);
            case CharSequence s -> quote(out, s);
            case Map<?, ?> map -> {
                out.append('{');
                Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator();
                while (it.hasNext()) {
                    Map.Entry<?, ?> e = it.next();
                    newline(out, indent, depth + 1);
                    quote(out, String.valueOf(e.getKey()));
                    out.append(indent < 0 ? ":" : ": ");
                    append(out, e.getValue(), indent, depth + 1);
                    if (it.hasNext()) out.append(',');
                }
                if (!map.isEmpty()) newline(out, indent, depth);
                out.append('}');
            }
            case Collection<?> list -> {
                out.append('[');
                // Arrays of numbers or strings (keyframe times, brands) stay on one line even when pretty.
                boolean flat = indent < 0 || list.stream().noneMatch(v -> v instanceof Map || v instanceof Collection);
                int inner = flat ? -1 : indent;
                Iterator<?> it = list.iterator();
                while (it.hasNext()) {
                    newline(out, inner, depth + 1);
                    append(out, it.next(), indent, depth + 1);
                    if (it.hasNext()) out.append(flat && indent >= 0 ? ", " : ",");
                }
                if (!list.isEmpty()) newline(out, inner, depth);
                out.append(']');
            }
            default -> throw new IllegalArgumentException("no JSON form for " + value.getClass().getName());
        }
    }

    private static void number(StringBuilder out, double d) {
        if (!Double.isFinite(d)) {
            out.append("null");
        } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            out.append((long) d);
        } else {
            out.append(d);
        }
    }

    private static void newline(StringBuilder out, int indent, int depth) {
        if (indent < 0) return;
        out.append('\n');
        out.repeat(' ', indent * depth);
    }

    /** RFC 8259 §7: quote, backslash and control characters must be escaped; everything else may pass. */
    public static void quote(StringBuilder out, CharSequence s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        // U+2028/9 are legal JSON but break JavaScript string literals when a page inlines JSON.
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
