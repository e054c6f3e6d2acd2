package dev.streamlab.http.range;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The one call a file server makes for GET or HEAD: conditional headers, then Range, in RFC 9110's order, to a
 * {@link ResponsePlan}.
 *
 * <pre>
 *   Preconditions.evaluate          412 / 304 win over everything (§13.2.2 steps 1-4)
 *   method is HEAD                  ignore Range -&gt; 200
 *   no Range, or If-Range false     200                              (§13.2.2 step 5)
 *   RangeHeader.parse empty         ignore Range -&gt; 200            (bad unit, bad syntax, too long)
 *   Ranges.decide                   200 / 206 single / 206 multipart / 416
 * </pre>
 *
 * <p><b>HEAD and Range.</b> RFC 9110 §14.2: "A server MUST ignore a Range header field received with a request
 * method that is unrecognized or for which range handling is not defined. For this specification, GET is the only
 * method for which range handling is defined." So HEAD with Range gets the 200 headers of the whole file, and a
 * client that asks HEAD for the file size gets the true Content-Length. (Some servers answer HEAD with Range as they
 * would GET; we follow the RFC's text.)
 */
public final class RangeRequest {

    private RangeRequest() {
    }

    /**
     * {@link #plan(String, Function, Representation, int, Instant)} with {@link Ranges#DEFAULT_MAX_PARTS} and the
     * current time.
     */
    public static ResponsePlan plan(String method, Function<String, String> header, Representation representation) {
        return plan(method, header, representation, Ranges.DEFAULT_MAX_PARTS, Instant.now());
    }

    /**
     * Plans the response to a GET or HEAD of {@code representation}.
     *
     * @param method         "GET" or "HEAD", case-sensitive (RFC 9110 §9.1)
     * @param header         looks up a request field by name, null when absent; several field lines of one name
     *                       joined with ", " (RFC 9110 §5.3)
     * @param representation the file's length, type and validators
     * @param maxParts       the most parts of a multipart/byteranges response; more gets a 200
     * @param now            the server's clock: caps Last-Modified (§8.8.2.1), judges If-Range dates and
     *                       If-Modified-Since dates in the future
     * @throws IllegalArgumentException if the method is neither GET nor HEAD (the caller answers 405 first), or
     *                                  {@code maxParts < 1}
     */
    public static ResponsePlan plan(String method, Function<String, String> header, Representation representation,
            int maxParts, Instant now) {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            throw new IllegalArgumentException("range planning is for GET and HEAD, not " + method);
        }
        if (maxParts < 1) throw new IllegalArgumentException("maxParts " + maxParts + " < 1");
        Validators validators = representation.validators().notAfter(now);
        Representation rep = validators == representation.validators()
                ? representation
                : new Representation(representation.length(), representation.contentType(), validators);

        switch (Preconditions.evaluate(method, header, validators, now)) {
            case PRECONDITION_FAILED -> {
                return new ResponsePlan.PreconditionFailed();
            }
            case NOT_MODIFIED -> {
                return new ResponsePlan.NotModified(rep);
            }
            case IGNORE_RANGE -> {
                return new ResponsePlan.Whole(rep);
            }
            case PROCEED -> {
                // fall through to Range handling below
            }
        }
        if (!method.equals("GET")) return new ResponsePlan.Whole(rep); // §14.2: Range only for GET

        Optional<List<RangeSpec>> specs = RangeHeader.parse(header.apply("Range"));
        if (specs.isEmpty()) return new ResponsePlan.Whole(rep); // absent or ignored (§14.2)
        return switch (Ranges.decide(specs.get(), rep.length(), maxParts)) {
            case RangeDecision.Full full -> new ResponsePlan.Whole(rep);
            case RangeDecision.Unsatisfiable u -> new ResponsePlan.Unsatisfiable(rep);
            case RangeDecision.Partial p when p.isSingle() -> new ResponsePlan.Single(rep, p.ranges().get(0));
            case RangeDecision.Partial p ->
                    new ResponsePlan.Multi(rep, MultipartByteranges.of(p.ranges(), rep.length(), rep.contentType()));
        };
    }
}
