package dev.streamlab.http1;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Feeds bytes to an {@link Http1Parser} in pieces, as a connection does (leftover bytes stay in the buffer for the
 * next request), and records everything it says: the requests, then the error status if one was thrown.
 */
final class ParserFeed {
    /**
     * What the parser made of an input.
     *
     * @param requests every complete request, in order
     * @param status   the status of the {@link Http1Exception} that ended parsing, or 0 if none was thrown
     * @param idle     whether the parser was between requests at the end (no partial request pending)
     */
    record Outcome(List<Http1Request> requests, int status, boolean idle) {
        Http1Request only() {
            if (requests.size() != 1 || status != 0) throw new AssertionError("expected one request, got " + this);
            return requests.getFirst();
        }
    }

    private ParserFeed() {}

    /** Feeds {@code input} cut at the given ascending positions (0 and input.length implied). */
    static Outcome feed(Http1Parser.Limits limits, byte[] input, int... cuts) {
        Http1Parser parser = new Http1Parser(limits);
        List<Http1Request> requests = new ArrayList<>();
        ByteBuffer in = ByteBuffer.allocate(Math.max(1, input.length)).flip();
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : input.length;
            in.compact().put(input, from, to - from).flip();
            from = to;
            try {
                for (Http1Request r; (r = parser.parse(in)) != null; ) requests.add(r);
            } catch (Http1Exception e) {
                return new Outcome(requests, e.status(), false);
            }
            if (in.hasRemaining()) throw new AssertionError("parse returned null without consuming every byte");
        }
        return new Outcome(requests, 0, parser.idle());
    }

    static Outcome whole(Http1Parser.Limits limits, byte[] input) {
        return feed(limits, input);
    }

    static Outcome byteByByte(Http1Parser.Limits limits, byte[] input) {
        int[] cuts = new int[Math.max(0, input.length - 1)];
        for (int i = 0; i < cuts.length; i++) cuts[i] = i + 1;
        return feed(limits, input, cuts);
    }
}
