package dev.streamlab.http.range;

import java.util.Optional;

/**
 * One {@code range-spec} of a {@code bytes} Range header, as the client wrote it, before it meets a
 * representation (RFC 9110 §14.1.2):
 * <pre>
 *   range-spec    = int-range / suffix-range
 *   int-range     = first-pos "-" [ last-pos ]     ; Closed "a-b", From "a-"
 *   suffix-range  = "-" suffix-length              ; Suffix "-n"
 * </pre>
 * Numbers too large for a {@code long} arrive saturated at {@link Long#MAX_VALUE} (see {@link RangeHeader}); every
 * rule below stays correct for them: a first-pos that large is past any file, a last-pos or suffix that large
 * means "to the end" or "all of it".
 */
public sealed interface RangeSpec {

    /**
     * The bytes this spec selects from a representation of {@code completeLength} bytes, clamped to it, or empty
     * when it selects none. Empty for every spec when {@code completeLength} is 0: no inclusive range exists then.
     */
    Optional<ByteRange> resolve(long completeLength);

    /**
     * RFC 9110 §14.1.2: "a valid bytes range-spec is satisfiable if it is either: an int-range with a first-pos
     * that is less than the current length of the selected representation or a suffix-range with a non-zero
     * suffix-length." Differs from {@code resolve(len).isPresent()} only for a zero-length representation, where
     * a non-zero suffix is satisfiable yet selects no byte.
     */
    boolean isSatisfiable(long completeLength);

    /** {@code bytes=first-last}: both offsets inclusive; a last past the end means "to the end". */
    record Closed(long first, long last) implements RangeSpec {
        public Closed {
            // RFC 9110 §14.1.2: "An int-range is invalid if the last-pos value is present and less than the first-pos."
            if (first < 0 || last < first) throw new IllegalArgumentException("invalid int-range " + first + "-" + last);
        }

        @Override
        public Optional<ByteRange> resolve(long completeLength) {
            if (!isSatisfiable(completeLength)) return Optional.empty();
            // RFC 9110 §14.1.2: "If the last-pos value is absent, or if the value is greater than or equal to the
            // current length of the representation data, the byte range is interpreted as the remainder".
            return Optional.of(new ByteRange(first, Math.min(last, completeLength - 1)));
        }

        @Override
        public boolean isSatisfiable(long completeLength) {
            return first < completeLength;
        }

        @Override
        public String toString() {
            return first + "-" + last;
        }
    }

    /** {@code bytes=first-}: from {@code first} to the end. */
    record From(long first) implements RangeSpec {
        public From {
            if (first < 0) throw new IllegalArgumentException("negative first-pos " + first);
        }

        @Override
        public Optional<ByteRange> resolve(long completeLength) {
            return isSatisfiable(completeLength)
                    ? Optional.of(new ByteRange(first, completeLength - 1))
                    : Optional.empty();
        }

        @Override
        public boolean isSatisfiable(long completeLength) {
            return first < completeLength;
        }

        @Override
        public String toString() {
            return first + "-";
        }
    }

    /** {@code bytes=-length}: the last {@code length} bytes. */
    record Suffix(long length) implements RangeSpec {
        public Suffix {
            if (length < 0) throw new IllegalArgumentException("negative suffix-length " + length);
        }

        @Override
        public Optional<ByteRange> resolve(long completeLength) {
            if (length == 0 || completeLength == 0) return Optional.empty();
            // RFC 9110 §14.1.2: "If the selected representation is shorter than the specified suffix-length, the
            // entire representation is used." Math.min first, so no subtraction can go negative.
            return Optional.of(new ByteRange(completeLength - Math.min(length, completeLength), completeLength - 1));
        }

        @Override
        public boolean isSatisfiable(long completeLength) {
            return length > 0;
        }

        @Override
        public String toString() {
            return "-" + length;
        }
    }
}
