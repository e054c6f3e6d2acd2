package dev.streamlab.http.range;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Evaluates the conditional request header fields in the order RFC 9110 §13.2.2 prescribes, for an origin server
 * that has a current representation of the target resource (a file we are about to serve).
 *
 * <pre>
 *   1. If-Match present            false -&gt; 412                      (strong comparison, "*" = exists)
 *   2. else If-Unmodified-Since    modified after the date -&gt; 412
 *   3. If-None-Match present       matches -&gt; 304 for GET/HEAD, 412 for others   (weak comparison)
 *   4. else If-Modified-Since      GET/HEAD only; not modified since -&gt; 304
 *   5. GET with Range and If-Range If-Range false -&gt; ignore Range, send 200
 *   6. otherwise proceed
 * </pre>
 *
 * <p>Why this order: a client that asks "only if it is still version X" (If-Match) must never be answered from a
 * cache-validation rule, and the entity-tag field of each pair wins over its date field because a tag is more
 * precise than a one-second date (§13.1.3: "A recipient MUST ignore If-Modified-Since if the request contains an
 * If-None-Match header field; the condition in If-None-Match is considered to be a more accurate replacement").
 *
 * <p>Headers come from a lookup function, name to value, null when absent: a server with several field lines of
 * the same name should join them with ", " (RFC 9110 §5.3), as {@code If-None-Match} may legitimately be split.
 * Dates that are not valid HTTP-dates make their field ignored (§13.1.3, §13.1.4). An entity-tag list that does not
 * parse matches nothing: If-Match then fails (412: we cannot show the client's condition holds) and If-None-Match
 * then passes (the client gets the full response). Both are the answers that cannot do harm.
 */
public final class Preconditions {

    /** The result of evaluating the preconditions. */
    public enum Outcome {
        /** Perform the method; honour a Range header if it is otherwise applicable. */
        PROCEED,
        /** Perform the method but ignore Range: If-Range did not match (§13.1.5), so send 200 with everything. */
        IGNORE_RANGE,
        /** Send 304 Not Modified (§15.4.5). */
        NOT_MODIFIED,
        /** Send 412 Precondition Failed (§15.5.13). */
        PRECONDITION_FAILED;

        /** True only for {@link #PROCEED}: the preconditions do not forbid a 206. */
        public boolean rangeAllowed() {
            return this == PROCEED;
        }
    }

    private Preconditions() {
    }

    /** {@link #evaluate(String, Function, Validators, Instant)} at the current time. */
    public static Outcome evaluate(String method, Function<String, String> header, Validators validators) {
        return evaluate(method, header, validators, Instant.now());
    }

    /**
     * Evaluates If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since and If-Range in §13.2.2's order.
     *
     * @param method     the request method, case-sensitive (§9.1): "get" is not GET
     * @param header     looks up a request field by name (e.g. "If-None-Match"), null when absent
     * @param validators the selected representation's validators, already {@link Validators#notAfter capped} at now
     * @param now        the server's clock, for If-Modified-Since dates in the future and If-Range date strength
     */
    public static Outcome evaluate(String method, Function<String, String> header, Validators validators,
            Instant now) {
        boolean getOrHead = method.equals("GET") || method.equals("HEAD");

        String ifMatch = header.apply("If-Match");
        if (ifMatch != null) {
            // Step 1. §13.1.1: "An origin server MUST NOT perform the requested method if a received If-Match
            // condition evaluates to false".
            if (!ifMatch(ifMatch, validators)) return Outcome.PRECONDITION_FAILED;
        } else {
            // Step 2. §13.1.4: "A recipient MUST ignore If-Unmodified-Since if the request contains an If-Match".
            Optional<Instant> date = dateOf(header.apply("If-Unmodified-Since"), now);
            if (date.isPresent() && validators.lastModified() != null
                    && validators.lastModified().isAfter(date.get())) {
                // §13.1.4: "If the selected representation's last modification date is earlier than or equal to
                // the date provided in the field value, the condition is true. Otherwise, the condition is false."
                return Outcome.PRECONDITION_FAILED;
            }
        }

        String ifNoneMatch = header.apply("If-None-Match");
        if (ifNoneMatch != null) {
            // Step 3. §13.2.2: "if false for GET/HEAD, respond 304 (Not Modified); if false for other methods,
            // respond 412 (Precondition Failed)".
            if (!ifNoneMatch(ifNoneMatch, validators)) {
                return getOrHead ? Outcome.NOT_MODIFIED : Outcome.PRECONDITION_FAILED;
            }
        } else if (getOrHead && validators.lastModified() != null) {
            // Step 4. §13.1.3: ignored unless GET/HEAD, unless the resource has a modification date, and when
            // If-None-Match is present.
            Optional<Instant> date = dateOf(header.apply("If-Modified-Since"), now);
            // A date later than our clock is not a Last-Modified we ever sent; RFC 2616 §14.25 called it invalid
            // and Apache ignores it, rather than answering 304 to every request until the file changes.
            if (date.isPresent() && !date.get().isAfter(now) && !validators.lastModified().isAfter(date.get())) {
                // §13.1.3: "If the selected representation's last modification date is earlier or equal to the
                // date provided in the field value, the condition is false."
                return Outcome.NOT_MODIFIED;
            }
        }

        // Step 5. §13.2.2: "When the method is GET and both Range and If-Range are present, evaluate the If-Range
        // precondition". §13.1.5: "A server MUST ignore an If-Range header field received in a request that does
        // not contain a Range header field."
        String ifRange = header.apply("If-Range");
        if (method.equals("GET") && ifRange != null && header.apply("Range") != null) {
            return ifRange(ifRange, validators, now) ? Outcome.PROCEED : Outcome.IGNORE_RANGE;
        }
        return Outcome.PROCEED;
    }

    /**
     * §13.1.1: "If the field value is "*", the condition is true if the origin server has a current representation
     * for the target resource. If the field value is a list of entity tags, the condition is true if any of the
     * listed tags match the entity tag of the selected representation" using the strong comparison function.
     */
    static boolean ifMatch(String value, Validators v) {
        if (isStar(value)) return true; // we are serving a representation, so one exists
        if (v.etag() == null) return false;
        return EntityTag.parseList(value).orElse(List.of()).stream().anyMatch(t -> t.strongMatch(v.etag()));
    }

    /**
     * §13.1.2: "If the field value is "*", the condition is false if the origin server has a current representation
     * for the target resource. If the field value is a list of entity tags, the condition is false if one of the
     * listed tags matches the entity tag of the selected representation" using the weak comparison function
     * ("A recipient MUST use the weak comparison function when comparing entity tags for If-None-Match").
     */
    static boolean ifNoneMatch(String value, Validators v) {
        if (isStar(value)) return false;
        if (v.etag() == null) return true;
        return EntityTag.parseList(value).orElse(List.of()).stream().noneMatch(t -> t.weakMatch(v.etag()));
    }

    /**
     * §13.1.5. An entity-tag: "If the entity-tag validator provided exactly matches the ETag field value for the
     * selected representation using the strong comparison function (Section 8.8.3.2), the condition is true." A
     * weak tag never matches (clients "MUST NOT generate an If-Range header field containing an entity tag that is
     * marked as weak"): a weak tag promises equivalent content, not identical bytes, and splicing a range of one
     * version onto bytes of another corrupts the client's copy.
     *
     * <p>An HTTP-date: "1. If the HTTP-date validator provided is not a strong validator in the sense defined by
     * Section 8.8.2.2, the condition is false. 2. If the HTTP-date validator provided exactly matches the
     * Last-Modified field value for the selected representation, the condition is true." Exactly equal, not
     * "earlier or equal" as If-Unmodified-Since. Strong in §8.8.2.2's sense means the origin server knows the file
     * "did not change twice during the second covered by the presented validator". We approximate: the date is
     * strong once Last-Modified is at least one second before {@code now}, i.e. that second is over and no later
     * write can share it. A file modified within the current second gets its ranges ignored (a 200), which costs
     * bandwidth, never correctness. What the server cannot check is when the client received the date; §13.1.5
     * leaves that to the client ("MUST NOT generate an If-Range header field containing an HTTP-date unless [...]
     * the date is a strong validator").
     *
     * <p>Anything else (garbage, a list, an unquoted tag) is a validator that does not match: ignore Range.
     */
    static boolean ifRange(String value, Validators v, Instant now) {
        int s = RangeHeader.skipOws(value, 0);
        if (value.startsWith("\"", s) || value.startsWith("W/\"", s)) {
            Optional<EntityTag> tag = EntityTag.parse(value);
            return tag.isPresent() && v.etag() != null && tag.get().strongMatch(v.etag());
        }
        Optional<Instant> date = HttpDate.parse(value, now);
        Instant lastModified = v.lastModified();
        if (date.isEmpty() || lastModified == null) return false;
        boolean strong = !lastModified.plusSeconds(1).isAfter(now);
        return strong && date.get().equals(lastModified);
    }

    private static Optional<Instant> dateOf(String value, Instant now) {
        return HttpDate.parse(value, now); // empty for null, for garbage and for a list of dates (§13.1.3/§13.1.4)
    }

    private static boolean isStar(String value) {
        int s = RangeHeader.skipOws(value, 0);
        return RangeHeader.trimOws(value, s, value.length()) == s + 1 && value.charAt(s) == '*';
    }
}
