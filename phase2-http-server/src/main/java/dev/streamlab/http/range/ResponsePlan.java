package dev.streamlab.http.range;

import java.util.ArrayList;
import java.util.List;

/**
 * The answer to a GET or HEAD of a file, decided before anything is sent: status, header fields and which bytes
 * make the body. The servers of phase 2 and phase 3 only translate it to their own API.
 *
 * <p>{@link #headers()} holds every field the plan needs except {@code Content-Length} (whose value is
 * {@link #contentLength()}, so a server that passes it separately, like {@code HttpExchange.sendResponseHeaders},
 * does not send it twice) and the fields any response carries ({@code Date}, {@code Server}, caching). For HEAD,
 * send the same status and fields, Content-Length included, and no body (RFC 9110 §9.3.2).
 *
 * <table>
 *   <caption>Plans</caption>
 *   <tr><th>plan</th><th>status</th><th>fields besides Content-Length</th><th>body</th></tr>
 *   <tr><td>{@link Whole}</td><td>200</td><td>Accept-Ranges, ETag, Last-Modified, Content-Type</td>
 *       <td>the whole file</td></tr>
 *   <tr><td>{@link Single}</td><td>206</td><td>the same and Content-Range</td><td>one file region</td></tr>
 *   <tr><td>{@link Multi}</td><td>206</td><td>Accept-Ranges, ETag, Last-Modified,
 *       Content-Type: multipart/byteranges; boundary=...</td><td>{@link MultipartByteranges}</td></tr>
 *   <tr><td>{@link Unsatisfiable}</td><td>416</td><td>Accept-Ranges, ETag, Last-Modified, Content-Range: bytes
 *       &#42;/LEN</td><td>none (length 0)</td></tr>
 *   <tr><td>{@link NotModified}</td><td>304</td><td>ETag, Last-Modified</td><td>none, no Content-Length</td></tr>
 *   <tr><td>{@link PreconditionFailed}</td><td>412</td><td>none</td><td>none (length 0)</td></tr>
 * </table>
 */
public sealed interface ResponsePlan {

    /** The status code. */
    int status();

    /** The Content-Length to send (for HEAD too), or -1 when the response must not carry one (304). */
    long contentLength();

    /** The header fields to send, Content-Length excepted, in a stable order. */
    List<Header> headers();

    /**
     * What became of a request's Range header, as a metric label: {@code single}, {@code multipart},
     * {@code unsatisfiable}, {@code not_modified}, {@code precondition_failed}, or {@code ignored} for a 200
     * (malformed, HEAD, If-Range mismatch, or too many parts).
     */
    default String rangeOutcome() {
        return switch (this) {
            case Single s -> "single";
            case Multi m -> "multipart";
            case Unsatisfiable u -> "unsatisfiable";
            case NotModified n -> "not_modified";
            case PreconditionFailed p -> "precondition_failed";
            case Whole w -> "ignored";
        };
    }

    /** One response header field. */
    record Header(String name, String value) {
    }

    /** 200 with the whole representation. */
    record Whole(Representation representation) implements ResponsePlan {
        @Override
        public int status() {
            return 200;
        }

        @Override
        public long contentLength() {
            return representation.length();
        }

        @Override
        public List<Header> headers() {
            List<Header> h = representationHeaders(representation.validators());
            if (representation.contentType() != null) h.add(new Header("Content-Type", representation.contentType()));
            return List.copyOf(h);
        }
    }

    /** 206 with one range; the body is the bytes {@code range.start()..range.end()} of the file. */
    record Single(Representation representation, ByteRange range) implements ResponsePlan {
        public Single {
            // The check only: the Content-Range string is built once, by headers(), not here too on every request.
            range.requireWithin(representation.length());
        }

        @Override
        public int status() {
            return 206;
        }

        @Override
        public long contentLength() {
            return range.length();
        }

        @Override
        public List<Header> headers() {
            // RFC 9110 §15.3.7.1: "If a single part is being transferred, the server generating the 206 response
            // MUST generate a Content-Range header field, describing what range of the selected representation is
            // enclosed".
            List<Header> h = representationHeaders(representation.validators());
            if (representation.contentType() != null) h.add(new Header("Content-Type", representation.contentType()));
            h.add(new Header("Content-Range", range.contentRange(representation.length())));
            return List.copyOf(h);
        }
    }

    /** 206 with several ranges as multipart/byteranges; write the body as {@link MultipartByteranges} describes. */
    record Multi(Representation representation, MultipartByteranges body) implements ResponsePlan {
        @Override
        public int status() {
            return 206;
        }

        @Override
        public long contentLength() {
            return body.contentLength();
        }

        @Override
        public List<Header> headers() {
            // RFC 9110 §14.6: Content-Type names the boundary. §15.3.7.2: "To avoid confusion with single-part
            // responses, a server MUST NOT generate a Content-Range header field in the HTTP header section of a
            // multiple part response"; each part has its own.
            List<Header> h = representationHeaders(representation.validators());
            h.add(new Header("Content-Type", body.contentType()));
            return List.copyOf(h);
        }
    }

    /** 416: no requested range overlaps the representation. */
    record Unsatisfiable(Representation representation) implements ResponsePlan {
        @Override
        public int status() {
            return 416;
        }

        @Override
        public long contentLength() {
            return 0;
        }

        @Override
        public List<Header> headers() {
            // RFC 9110 §15.5.17: "A server that generates a 416 response to a byte-range request SHOULD generate a
            // Content-Range header field specifying the current length of the selected representation".
            List<Header> h = representationHeaders(representation.validators());
            h.add(new Header("Content-Range", ByteRange.unsatisfiedContentRange(representation.length())));
            return List.copyOf(h);
        }
    }

    /** 304: the client's cached copy is current. */
    record NotModified(Representation representation) implements ResponsePlan {
        @Override
        public int status() {
            return 304;
        }

        @Override
        public long contentLength() {
            return -1; // a 304 has no content; a Content-Length would describe the 200 and only confuse
        }

        @Override
        public List<Header> headers() {
            // RFC 9110 §15.4.5: the server MUST generate the ETag it would have sent in a 200, and "SHOULD NOT
            // generate representation metadata other than the above listed fields unless said metadata exists for
            // the purpose of guiding cache updates (e.g., Last-Modified might be useful if the response does not
            // have an ETag field)". Last-Modified is sent anyway because caches refresh their stored copy's
            // validators from it; nginx and Apache send it too.
            List<Header> h = new ArrayList<>();
            Validators v = representation.validators();
            if (v.etag() != null) h.add(new Header("ETag", v.etag().toString()));
            if (v.lastModified() != null) h.add(new Header("Last-Modified", HttpDate.format(v.lastModified())));
            return List.copyOf(h);
        }
    }

    /** 412: an If-Match or If-Unmodified-Since condition is false. */
    record PreconditionFailed() implements ResponsePlan {
        @Override
        public int status() {
            return 412;
        }

        @Override
        public long contentLength() {
            return 0;
        }

        @Override
        public List<Header> headers() {
            return List.of();
        }
    }

    /** Accept-Ranges, ETag and Last-Modified: every 200, 206 and 416 of a file carries them. */
    private static List<Header> representationHeaders(Validators v) {
        List<Header> h = new ArrayList<>(6);
        // RFC 9110 §14.3: tells clients (Safari, video players) they may seek with Range.
        h.add(new Header("Accept-Ranges", "bytes"));
        if (v.etag() != null) h.add(new Header("ETag", v.etag().toString()));
        if (v.lastModified() != null) h.add(new Header("Last-Modified", HttpDate.format(v.lastModified())));
        return h;
    }
}
