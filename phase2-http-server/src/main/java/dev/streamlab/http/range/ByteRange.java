package dev.streamlab.http.range;

/**
 * A satisfiable byte range of one representation: offsets {@code start..end}, both inclusive, as HTTP writes
 * them (RFC 9110 §14.1.2: "the byte positions specified are inclusive. Byte offsets start at zero").
 *
 * <p>Only {@link RangeSpec#resolve(long)} and {@link Ranges} make these from client input, so by construction
 * {@code 0 <= start <= end < completeLength}: a body writer can pass {@code start} and {@link #length()} straight
 * to {@code FileChannel.transferTo} without re-checking.
 *
 * @param start offset of the first byte
 * @param end   offset of the last byte (inclusive)
 */
public record ByteRange(long start, long end) {
    public ByteRange {
        // end < Long.MAX_VALUE keeps length() positive: no representation has more than Long.MAX_VALUE bytes,
        // so its last offset is at most Long.MAX_VALUE - 1 (the nginx CVE-2017-7529 lesson: never a negative length).
        if (start < 0 || end < start || end == Long.MAX_VALUE) {
            throw new IllegalArgumentException("not a byte range: " + start + "-" + end);
        }
    }

    /** Number of bytes in the range, at least 1. */
    public long length() {
        return end - start + 1;
    }

    /** Whether this range and {@code next} overlap or touch, so one range could carry both (RFC 9110 §15.3.7.2). */
    boolean overlapsOrAdjoins(ByteRange next) {
        return next.start <= end + 1 && start <= next.end + 1; // end + 1 cannot overflow: end < Long.MAX_VALUE
    }

    /**
     * The {@code Content-Range} field value for this range (RFC 9110 §14.4: {@code bytes first-last/complete}).
     *
     * @throws IllegalArgumentException if the range ends at or past {@code completeLength}
     */
    public String contentRange(long completeLength) {
        requireWithin(completeLength);
        return "bytes " + start + "-" + end + "/" + completeLength;
    }

    /**
     * Checks that this range lies inside a representation of {@code completeLength} bytes.
     *
     * @throws IllegalArgumentException if the range ends at or past {@code completeLength}
     */
    void requireWithin(long completeLength) {
        if (end >= completeLength) {
            throw new IllegalArgumentException("range " + this + " is outside a " + completeLength + "-byte representation");
        }
    }

    /** The {@code Content-Range} of a 416 response (RFC 9110 §14.4 {@code unsatisfied-range}: <code>bytes &#42;/LEN</code>). */
    public static String unsatisfiedContentRange(long completeLength) {
        if (completeLength < 0) throw new IllegalArgumentException("negative length " + completeLength);
        return "bytes */" + completeLength;
    }

    @Override
    public String toString() {
        return start + "-" + end;
    }
}
