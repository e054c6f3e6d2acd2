package dev.streamlab.http.range;

import java.util.List;

/**
 * What to do with a valid, applicable Range header once the representation's length is known: the output of
 * {@link Ranges#decide}.
 */
public sealed interface RangeDecision {

    /** Send the whole representation with 200, as if there were no Range header (RFC 9110 §14.2 "MAY ignore"). */
    record Full(Reason reason) implements RangeDecision {
        public Full {
            if (reason == null) throw new IllegalArgumentException("reason");
        }
    }

    /** Why a satisfiable Range header still gets the whole representation; worth a log line or a counter. */
    enum Reason {
        /**
         * A zero-length representation and a non-zero suffix-range: satisfiable (RFC 9110 §14.1.2), but no
         * Content-Range can describe zero bytes ({@code bytes 0--1/0}), so answer 200 with an empty body.
         */
        EMPTY_REPRESENTATION,
        /** More parts than the server's limit after coalescing (Apache's fallback for CVE-2011-3192). */
        TOO_MANY_PARTS,
        /** The parts would add up to more than the representation (nginx's fallback; unreachable after coalescing). */
        MORE_THAN_REPRESENTATION
    }

    /**
     * Send 206 with these ranges: one range as a single part with {@code Content-Range}, several as
     * {@code multipart/byteranges}. The ranges are satisfiable, non-overlapping, non-adjacent, and in the order the
     * client first asked for them.
     */
    record Partial(List<ByteRange> ranges) implements RangeDecision {
        public Partial {
            ranges = List.copyOf(ranges);
            if (ranges.isEmpty()) throw new IllegalArgumentException("no ranges");
        }

        /** True when the response is one part with Content-Range; false when it is multipart/byteranges. */
        public boolean isSingle() {
            return ranges.size() == 1;
        }
    }

    /** Send 416 with {@code Content-Range: bytes *}{@code /LEN}: no range-spec was satisfiable (RFC 9110 §15.5.17). */
    record Unsatisfiable() implements RangeDecision {
    }
}
