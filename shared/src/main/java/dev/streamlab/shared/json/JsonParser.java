package dev.streamlab.shared.json;

import dev.streamlab.shared.text.ClientText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON parser (RFC 8259) for what clients send us: QoE reports, WebSocket control messages.
 *
 * <p>Objects become {@code Map<String,Object>} (insertion order), arrays {@code List<Object>}, numbers
 * {@code Long} when integral and in range, else {@code Double}; strings, booleans and {@code null} as such.
 * Client input is hostile by default, so input length and nesting depth are bounded and every error is a
 * {@link JsonException} with the character offset, never another exception.
 *
 * <p>Numbers are limited to what a finite {@code double} holds (RFC 8259 §6 lets an implementation limit their
 * range): {@code 1e999} or a 400-digit integer is refused, not read as Infinity. A number too small to tell from 0
 * ({@code 1e-999}) is read as 0, as {@code 0.1} is read as the nearest double: that is precision, not range.
 */
public final class JsonParser {
    /** Nesting beyond this is refused: a recursive parser must not be driven into a stack overflow. */
    public static final int MAX_DEPTH = 32;

    private final String s;
    private int pos;

    private JsonParser(String s) {
        this.s = s;
    }

    /** Thrown for any input that is not one complete JSON value. */
    public static final class JsonException extends Exception {
        private static final long serialVersionUID = 1L;

        public JsonException(String message) {
            super(message);
        }
    }

    /**
     * Parses {@code text}, which must be exactly one JSON value (whitespace around it allowed).
     *
     * @param maxLength inputs longer than this many characters are refused before parsing
     */
    public static Object parse(String text, int maxLength) throws JsonException {
        if (text.length() > maxLength) throw new JsonException("JSON text of " + text.length()
                + " characters is over the " + maxLength + " limit");
        JsonParser p = new JsonParser(text);
        p.ws();
        Object v = p.value(0);
        p.ws();
        if (p.pos != text.length()) throw p.error("unexpected text after the value");
        return v;
    }

    /** Parses a JSON object (anything else is an error). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text, int maxLength) throws JsonException {
        if (parse(text, maxLength) instanceof Map<?, ?> m) return (Map<String, Object>) m;
        throw new JsonException("expected a JSON object");
    }

    private JsonException error(String what) {
        return error(what, pos);
    }

    private static JsonException error(String what, int at) {
        return new JsonException(what + " at character " + at);
    }

    private void ws() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
            pos++;
        }
    }

    private Object value(int depth) throws JsonException {
        if (depth > MAX_DEPTH) throw error("nested deeper than " + MAX_DEPTH);
        if (pos >= s.length()) throw error("unexpected end of input");
        char c = s.charAt(pos);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                throw error("unexpected character '" + c + "'");
            }
        };
    }

    private Object literal(String word, Object v) throws JsonException {
        if (!s.startsWith(word, pos)) throw error("expected " + word);
        pos += word.length();
        return v;
    }

    private Map<String, Object> object(int depth) throws JsonException {
        Map<String, Object> m = new LinkedHashMap<>();
        pos++;
        ws();
        if (pos < s.length() && s.charAt(pos) == '}') {
            pos++;
            return m;
        }
        while (true) {
            ws();
            if (pos >= s.length() || s.charAt(pos) != '"') throw error("expected a member name");
            String key = string();
            // RFC 8259 §4: with a name twice, "the behavior of software that receives such an object is
            // unpredictable"; I-JSON (RFC 7493 §2.3) refuses it. Last-one-wins let a QoE report say stalls twice.
            if (m.containsKey(key)) {
                throw error("the member \"" + (key.length() > 40 ? key.substring(0, 40) + "..." : key)
                        + "\" appears twice");
            }
            ws();
            if (pos >= s.length() || s.charAt(pos) != ':') throw error("expected ':'");
            pos++;
            ws();
            m.put(key, value(depth + 1));
            ws();
            if (pos >= s.length()) throw error("unterminated object");
            char c = s.charAt(pos++);
            if (c == '}') return m;
            if (c != ',') throw error("expected ',' or '}'");
        }
    }

    private List<Object> array(int depth) throws JsonException {
        List<Object> list = new ArrayList<>();
        pos++;
        ws();
        if (pos < s.length() && s.charAt(pos) == ']') {
            pos++;
            return list;
        }
        while (true) {
            ws();
            list.add(value(depth + 1));
            ws();
            if (pos >= s.length()) throw error("unterminated array");
            char c = s.charAt(pos++);
            if (c == ']') return list;
            if (c != ',') throw error("expected ',' or ']'");
        }
    }

    private String string() throws JsonException {
        pos++; // opening quote
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= s.length()) throw error("unterminated string");
            char c = s.charAt(pos++);
            if (c == '"') return sb.toString();
            if (c < 0x20) throw error("control character in string");
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= s.length()) throw error("unterminated escape");
            char e = s.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > s.length()) throw error("short \\u escape");
                    int cp = 0;
                    for (int i = 0; i < 4; i++) {
                        int d = hexDigit(s.charAt(pos++));
                        if (d < 0) throw error("bad \\u escape");
                        cp = cp * 16 + d;
                    }
                    sb.append((char) cp);
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private Object number() throws JsonException {
        int start = pos;
        if (s.charAt(pos) == '-') pos++;
        if (pos >= s.length() || !isDigit(s.charAt(pos))) throw error("bad number");
        if (s.charAt(pos) == '0') pos++;
        else while (pos < s.length() && isDigit(s.charAt(pos))) pos++;
        boolean integral = true;
        if (pos < s.length() && s.charAt(pos) == '.') {
            integral = false;
            pos++;
            if (pos >= s.length() || !isDigit(s.charAt(pos))) throw error("bad fraction");
            while (pos < s.length() && isDigit(s.charAt(pos))) pos++;
        }
        if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
            integral = false;
            pos++;
            if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) pos++;
            if (pos >= s.length() || !isDigit(s.charAt(pos))) throw error("bad exponent");
            while (pos < s.length() && isDigit(s.charAt(pos))) pos++;
        }
        String text = s.substring(start, pos);
        if (integral && pos - start <= 18) return Long.parseLong(text);
        double d = Double.parseDouble(text); // digits were validated above, so this cannot throw
        if (Double.isInfinite(d)) {
            // Past Double.MAX_VALUE either side parseDouble says (-)Infinity, which JSON has no word for: Json.write
            // would send it back as null, and a caller that checks isFinite would blame the value, not the text.
            // The number is shortened: a message must not echo hundreds of a client's digits.
            throw error("number " + ClientText.shorten(text, 24)
                    + " is out of range (the largest double is " + Double.MAX_VALUE + ")", start);
        }
        return d;
    }

    /**
     * RFC 8259 §6: {@code DIGIT = %x30-39}. Not {@link Character#isDigit}, which also takes '٣' (U+0663) and every
     * other Unicode decimal digit: "-٣" then parsed as -3, and "1.٣" reached {@link Double#parseDouble}, which
     * refuses it with a NumberFormatException.
     */
    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** The value of an RFC 8259 {@code HEXDIG} (ASCII only: {@link Character#digit} also takes fullwidth 'Ａ'), or -1. */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }
}
