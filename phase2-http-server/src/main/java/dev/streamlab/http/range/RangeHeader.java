package dev.streamlab.http.range;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Parses a {@code Range} field value (RFC 9110 §14.1.1, §14.2):
 * <pre>
 *   Range            = ranges-specifier
 *   ranges-specifier = range-unit "=" range-set
 *   range-set        = 1#range-spec
 *   range-spec       = int-range / suffix-range / other-range
 * </pre>
 *
 * <p><b>One answer for every bad header: ignore it.</b> A header this class cannot use parses to
 * {@link Optional#empty()}, and the server then sends the whole representation with 200, exactly as if there had
 * been no Range header. RFC 9110 §14.2 allows that for each case: "An origin server MUST ignore a Range header
 * field that contains a range unit it does not understand. A proxy MAY discard a Range header field that contains
 * a range unit it does not understand" and "A server that supports range requests MAY ignore or reject a Range
 * header field that contains an invalid ranges-specifier [...], a ranges-specifier with more than two overlapping
 * ranges, or a set of many small ranges". Ignoring is never wrong for the client (it gets correct bytes, just more
 * of them) and never a 5xx for us. Empty means:
 * <ul>
 *   <li>a unit other than {@code bytes} (compared ASCII-case-insensitively, §14.1: "Range unit names are
 *       case-insensitive"), e.g. {@code items=0-1};</li>
 *   <li>any spec that is not {@code a-b}, {@code a-} or {@code -n} with ASCII digits only: {@code bytes=x},
 *       {@code bytes=-}, {@code bytes=1-2-3}, {@code bytes=+1-2}, signs, spaces inside a spec, other-range;</li>
 *   <li>{@code a-b} with {@code b < a}, e.g. {@code bytes=5-2} (§14.1.2: such an int-range "is invalid");</li>
 *   <li>no spec at all ({@code bytes=}, {@code bytes=,,});</li>
 *   <li>a field longer than {@link #MAX_FIELD_LENGTH} or with more than {@link #MAX_SPECS} specs: bounds the work
 *       an attacker can buy with one header (Apache CVE-2011-3192 sent hundreds of overlapping ranges).</li>
 * </ul>
 *
 * <p><b>Huge numbers</b> (RFC 9110 §14.1.2: "recipients MUST anticipate potentially large decimal numerals and
 * prevent parsing errors due to integer conversion overflows"): a number past {@link Long#MAX_VALUE} saturates to
 * {@code Long.MAX_VALUE} rather than wrapping or failing. That keeps its meaning for every possible file: a first-pos
 * that large lies past the end (unsatisfiable, so 416 if nothing else is asked), a last-pos that large means "to the
 * end", a suffix that large means "the whole file" (206). The {@code b < a} check compares the digits themselves,
 * so {@code bytes=99999999999999999999-99999999999999999998} is still invalid although both saturate. No arithmetic
 * on these values can go negative (nginx CVE-2017-7529 was a suffix length overflowing into a negative start).
 *
 * <p>Whitespace: optional whitespace (SP, HTAB) around the field value and around each comma is allowed (§5.6.1,
 * the {@code #} list rule), as are empty list elements ({@code bytes=0-1,,2-3}: §5.6.1.2 "a recipient MUST accept
 * lists that contain empty list elements"). Whitespace right after {@code =} is tolerated as part of that list
 * leniency; before {@code =} or inside a spec ({@code bytes =0-1}, {@code 0 - 1}) it is not: the grammar has none.
 */
public final class RangeHeader {
    /** Longest Range field value considered; longer ones are ignored. 8 KiB is the JDK server's whole-header scale. */
    public static final int MAX_FIELD_LENGTH = 8 * 1024;
    /** Most range-specs considered; more are ignored. Browsers and players send one; PDF viewers a few dozen. */
    public static final int MAX_SPECS = 100;

    private static final String BYTES = "bytes";

    private RangeHeader() {
    }

    /**
     * Parses a Range field value.
     *
     * @param fieldValue the field value, or null when the request has no Range field
     * @return the specs in the order the client sent them (at least one), or empty when the header must be ignored
     */
    public static Optional<List<RangeSpec>> parse(String fieldValue) {
        if (fieldValue == null || fieldValue.length() > MAX_FIELD_LENGTH) return Optional.empty();
        int from = skipOws(fieldValue, 0);
        int to = trimOws(fieldValue, from, fieldValue.length());
        int eq = fieldValue.indexOf('=', from);
        if (eq < 0 || eq >= to || !isBytesUnit(fieldValue, from, eq)) return Optional.empty();

        List<RangeSpec> specs = new ArrayList<>();
        int elementStart = eq + 1;
        while (elementStart <= to) {
            int comma = fieldValue.indexOf(',', elementStart);
            int elementEnd = comma < 0 || comma > to ? to : comma;
            int s = skipOws(fieldValue, elementStart);
            int e = trimOws(fieldValue, s, elementEnd);
            if (s < e) { // an empty list element is skipped (§5.6.1.2)
                if (specs.size() == MAX_SPECS) return Optional.empty();
                RangeSpec spec = parseSpec(fieldValue, s, e);
                if (spec == null) return Optional.empty(); // one invalid spec invalidates the header (§14.1.1)
                specs.add(spec);
            }
            elementStart = elementEnd + 1;
        }
        return specs.isEmpty() ? Optional.empty() : Optional.of(List.copyOf(specs));
    }

    /** One spec from {@code v[s..e)}, which has no surrounding whitespace and no comma; null when invalid. */
    private static RangeSpec parseSpec(String v, int s, int e) {
        int dash = v.indexOf('-', s);
        if (dash < 0 || dash >= e) return null;
        if (dash == s) { // suffix-range = "-" suffix-length
            return allDigits(v, s + 1, e) ? new RangeSpec.Suffix(saturatingParse(v, s + 1, e)) : null;
        }
        if (!allDigits(v, s, dash)) return null;
        long first = saturatingParse(v, s, dash);
        if (dash + 1 == e) return new RangeSpec.From(first); // int-range without last-pos
        if (!allDigits(v, dash + 1, e)) return null; // also rejects a second '-'
        // Compare the digit strings, not the saturated longs: both may have saturated to Long.MAX_VALUE.
        if (compareDecimal(v, dash + 1, e, s, dash) < 0) return null; // §14.1.2: last-pos < first-pos is invalid
        return new RangeSpec.Closed(first, saturatingParse(v, dash + 1, e));
    }

    /** True if {@code v[s..e)} is one or more ASCII digits. {@link Character#isDigit} would also accept '٣'. */
    private static boolean allDigits(String v, int s, int e) {
        if (s >= e) return false;
        for (int i = s; i < e; i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return true;
    }

    /** The decimal value of {@code v[s..e)} (ASCII digits), or {@link Long#MAX_VALUE} if it is larger. */
    private static long saturatingParse(String v, int s, int e) {
        long n = 0;
        for (int i = s; i < e; i++) {
            int d = v.charAt(i) - '0';
            if (n > (Long.MAX_VALUE - d) / 10) return Long.MAX_VALUE;
            n = n * 10 + d;
        }
        return n;
    }

    /** Compares two runs of ASCII digits by numeric value, of any length: leading zeros do not count. */
    private static int compareDecimal(String v, int as, int ae, int bs, int be) {
        while (as < ae - 1 && v.charAt(as) == '0') as++;
        while (bs < be - 1 && v.charAt(bs) == '0') bs++;
        int byLength = Integer.compare(ae - as, be - bs);
        if (byLength != 0) return byLength;
        for (int i = 0; i < ae - as; i++) {
            int c = Character.compare(v.charAt(as + i), v.charAt(bs + i));
            if (c != 0) return c;
        }
        return 0;
    }

    /**
     * ASCII case-insensitive match with "bytes". Not {@link String#equalsIgnoreCase}: that folds Unicode, and
     * "byteſ" (long s, U+017F) upper-cases to "BYTES".
     */
    private static boolean isBytesUnit(String v, int s, int e) {
        if (e - s != BYTES.length()) return false;
        for (int i = 0; i < BYTES.length(); i++) {
            char c = v.charAt(s + i);
            if (c >= 'A' && c <= 'Z') c = (char) (c + ('a' - 'A'));
            if (c != BYTES.charAt(i)) return false;
        }
        return true;
    }

    /** Index of the first non-OWS char at or after {@code i} (RFC 9110 §5.6.3: OWS = *( SP / HTAB )). */
    static int skipOws(String v, int i) {
        while (i < v.length() && (v.charAt(i) == ' ' || v.charAt(i) == '\t')) i++;
        return i;
    }

    /** End index of {@code v[s..e)} without trailing OWS. */
    static int trimOws(String v, int s, int e) {
        while (e > s && (v.charAt(e - 1) == ' ' || v.charAt(e - 1) == '\t')) e--;
        return e;
    }
}
