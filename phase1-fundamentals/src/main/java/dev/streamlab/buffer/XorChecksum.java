package dev.streamlab.buffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;

/**
 * A consumer that touches every byte as cheaply as Java allows: it XORs the chunk's bytes eight at a time as
 * big-endian {@code long}s ({@link ByteBuffer#getLong(int)}), then the last 0 to 7 bytes one by one.
 *
 * <p>Benchmarks and notebooks need it because a consumer that ignores the bytes would flatter the mapped
 * reader: an untouched mapping never faults its pages in, so it would look free. With this consumer every
 * strategy really reads the data.
 *
 * <p>It is not a hash (swapping two 8-byte words goes unnoticed); it is a cheap witness that all strategies
 * delivered the same bytes. The value is the XOR of the data's big-endian 8-byte words, the last one padded
 * with zeros, so splitting the data into chunks whose sizes are multiples of 8 does not change it.
 *
 * <p>Reads use absolute indexes: the buffers' positions are left alone. Not thread-safe.
 */
public final class XorChecksum implements Consumer<ByteBuffer> {
    private long value;

    /** XORs the bytes between {@code chunk}'s position and limit into this checksum. */
    @Override
    public void accept(ByteBuffer chunk) {
        value ^= of(chunk);
    }

    /** The checksum of every chunk accepted so far (0 before the first). */
    public long value() {
        return value;
    }

    /** Starts over, so one instance can serve many passes without allocating. */
    public void reset() {
        value = 0;
    }

    /** The checksum of the bytes between {@code buf}'s position and limit; does not move the position. */
    public static long of(ByteBuffer buf) {
        boolean bigEndian = buf.order() == ByteOrder.BIG_ENDIAN;
        int i = buf.position();
        int end = buf.limit();
        long h = 0;
        for (; i <= end - Long.BYTES; i += Long.BYTES) {
            long word = buf.getLong(i);
            h ^= bigEndian ? word : Long.reverseBytes(word);
        }
        // The tail as the first bytes of a big-endian word padded with zeros.
        for (int shift = 56; i < end; i++, shift -= 8) {
            h ^= (buf.get(i) & 0xFFL) << shift;
        }
        return h;
    }

    @Override
    public String toString() {
        return String.format("XorChecksum[%016x]", value);
    }
}
