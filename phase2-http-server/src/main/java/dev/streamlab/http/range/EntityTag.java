package dev.streamlab.http.range;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An entity tag (RFC 9110 §8.8.3):
 * <pre>
 *   entity-tag = [ weak ] opaque-tag
 *   weak       = %s"W/"                     ; case-sensitive
 *   opaque-tag = DQUOTE *etagc DQUOTE
 *   etagc      = %x21 / %x23-7E / obs-text  ; any visible char but '"', or %x80-FF
 * </pre>
 * The two comparisons of §8.8.3.2:
 * <pre>
 *   ETag 1   ETag 2   strong   weak
 *   W/"1"    W/"1"    no       yes
 *   W/"1"    W/"2"    no       no
 *   W/"1"    "1"      no       yes
 *   "1"      "1"      yes      yes
 * </pre>
 *
 * @param opaque the characters between the quotes
 * @param weak   whether the tag carries the {@code W/} prefix
 */
public record EntityTag(String opaque, boolean weak) {
    public EntityTag {
        for (int i = 0; i < opaque.length(); i++) {
            if (!isEtagc(opaque.charAt(i))) {
                throw new IllegalArgumentException("character " + (int) opaque.charAt(i) + " not allowed in an entity-tag");
            }
        }
    }

    public static EntityTag strong(String opaque) {
        return new EntityTag(opaque, false);
    }

    /** Strong comparison (§8.8.3.2): both strong and identical. Used by If-Match and If-Range. */
    public boolean strongMatch(EntityTag other) {
        return !weak && !other.weak && opaque.equals(other.opaque);
    }

    /** Weak comparison (§8.8.3.2): identical opaque-tags, either or both may be weak. Used by If-None-Match. */
    public boolean weakMatch(EntityTag other) {
        return opaque.equals(other.opaque);
    }

    /** The tag as written in an ETag field: {@code "abc"} or {@code W/"abc"}. */
    @Override
    public String toString() {
        return (weak ? "W/\"" : "\"") + opaque + '"';
    }

    /** Parses one entity-tag, with optional whitespace around it (an ETag or If-Range field value). */
    public static Optional<EntityTag> parse(String value) {
        if (value == null) return Optional.empty();
        int s = RangeHeader.skipOws(value, 0);
        int e = RangeHeader.trimOws(value, s, value.length());
        int end = scan(value, s, e);
        return end == e && end > s ? Optional.of(of(value, s, end)) : Optional.empty();
    }

    /**
     * Parses {@code #entity-tag}, the list form of If-Match and If-None-Match (not {@code "*"}: callers test for it
     * first). Commas inside quotes belong to the tag ({@code "a,b"} is one tag), so this scans rather than splits.
     * Empty list elements are skipped (§5.6.1.2).
     *
     * @return the tags in order, possibly none; empty when any element is not an entity-tag (an unquoted
     *         {@code abc}, a lower-case {@code w/"x"}, a stray quote)
     */
    public static Optional<List<EntityTag>> parseList(String value) {
        if (value == null) return Optional.empty();
        List<EntityTag> tags = new ArrayList<>();
        int i = 0;
        int n = value.length();
        while (true) {
            i = RangeHeader.skipOws(value, i);
            if (i == n) return Optional.of(List.copyOf(tags));
            if (value.charAt(i) == ',') { // empty element
                i++;
                continue;
            }
            int end = scan(value, i, n);
            if (end < 0) return Optional.empty();
            tags.add(of(value, i, end));
            i = RangeHeader.skipOws(value, end);
            if (i < n && value.charAt(i) != ',') return Optional.empty(); // e.g. "a""b" or "a" x
        }
    }

    /** End index of the entity-tag starting at {@code s} within {@code v[s..e)}, or -1 if there is none. */
    private static int scan(String v, int s, int e) {
        int i = s;
        if (i + 1 < e && v.charAt(i) == 'W' && v.charAt(i + 1) == '/') i += 2;
        if (i >= e || v.charAt(i) != '"') return -1;
        for (i++; i < e; i++) {
            char c = v.charAt(i);
            if (c == '"') return i + 1;
            if (!isEtagc(c)) return -1;
        }
        return -1; // no closing quote
    }

    /** Builds the tag {@link #scan} found in {@code v[s..end)}. */
    private static EntityTag of(String v, int s, int end) {
        boolean weak = v.charAt(s) == 'W';
        return new EntityTag(v.substring(weak ? s + 3 : s + 1, end - 1), weak);
    }

    /** RFC 9110 §8.8.3: etagc = %x21 / %x23-7E / obs-text (%x80-FF). Header strings hold bytes as ISO-8859-1 chars. */
    private static boolean isEtagc(char c) {
        return c == 0x21 || (c >= 0x23 && c <= 0x7E) || (c >= 0x80 && c <= 0xFF);
    }
}
