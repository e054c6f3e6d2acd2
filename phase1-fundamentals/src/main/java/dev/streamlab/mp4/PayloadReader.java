package dev.streamlab.mp4;

import java.nio.ByteBuffer;

/**
 * Reads a box's fields in order. Every read is bounds-checked and a short box becomes an
 * {@link Mp4FormatException} naming the box and the absolute offset of the missing field, never a
 * {@code BufferUnderflowException}.
 *
 * <p>Tables are the dangerous part of a hostile file: a 32-bit entry count can claim four billion entries.
 * {@link #entries(long, int)} checks the count against the bytes actually present <em>before</em> anyone
 * allocates an array of that size.
 */
public final class PayloadReader {
    private final ByteBuffer buf;
    private final String box;
    private final long base;
    private int flags;

    PayloadReader(ByteBuffer buf, String box, long base) {
        this.buf = buf;
        this.box = box;
        this.base = base;
    }

    public int remaining() {
        return buf.remaining();
    }

    public int position() {
        return buf.position();
    }

    /** Absolute file offset of the next byte to read. */
    public long fileOffset() {
        return base + buf.position();
    }

    private void need(int n, String what) throws Mp4FormatException {
        if (buf.remaining() < n) {
            throw new Mp4FormatException(box, fileOffset(), "box ends before its " + what + " (needs " + n
                    + " bytes, " + buf.remaining() + " left)");
        }
    }

    public int u8(String what) throws Mp4FormatException {
        need(1, what);
        return buf.get() & 0xFF;
    }

    public int u16(String what) throws Mp4FormatException {
        need(2, what);
        return buf.getShort() & 0xFFFF;
    }

    public int u24(String what) throws Mp4FormatException {
        need(3, what);
        return ((buf.get() & 0xFF) << 16) | (buf.getShort() & 0xFFFF);
    }

    public long u32(String what) throws Mp4FormatException {
        need(4, what);
        return Integer.toUnsignedLong(buf.getInt());
    }

    public int i32(String what) throws Mp4FormatException {
        need(4, what);
        return buf.getInt();
    }

    /** An unsigned 64-bit field that must fit a signed long (offsets, durations): larger is a lie. */
    public long u64(String what) throws Mp4FormatException {
        need(8, what);
        long at = fileOffset();
        long v = buf.getLong();
        if (v < 0) throw new Mp4FormatException(box, at, what + " " + Long.toUnsignedString(v) + " is out of range");
        return v;
    }

    public long i64(String what) throws Mp4FormatException {
        need(8, what);
        return buf.getLong();
    }

    /** A 32-bit field in version 0 of a full box, 64-bit in version 1 (mvhd, tkhd, mdhd, elst). */
    public long u32or64(int version, String what) throws Mp4FormatException {
        return version == 1 ? u64(what) : u32(what);
    }

    /**
     * The duration field of {@code mvhd}, {@code tkhd} or {@code mdhd}: 32-bit in version 0, 64-bit in version 1.
     * All 1s is the spec's "the duration cannot be determined" (§8.2.2.3, §8.3.2.3, §8.4.2.3; Smooth Streaming
     * and live muxers write it), returned as 0, what fragmented files write for the same thing.
     */
    public long duration(int version, String what) throws Mp4FormatException {
        if (version == 1) {
            need(8, what);
            if (buf.getLong(buf.position()) == -1L) {
                buf.position(buf.position() + 8);
                return 0;
            }
            return u64(what);
        }
        long d = u32(what);
        return d == 0xFFFF_FFFFL ? 0 : d;
    }

    public void skip(int n, String what) throws Mp4FormatException {
        need(n, what);
        buf.position(buf.position() + n);
    }

    /** Version and flags of a full box (§4.2 FullBox); returns the version. Flags via {@link #flags()}. */
    public int fullBoxVersion(int maxVersion) throws Mp4FormatException {
        long at = fileOffset();
        int v = u8("version");
        flags = u24("flags");
        if (v > maxVersion) throw new Mp4FormatException(box, at, "unsupported version " + v);
        return v;
    }

    public int flags() {
        return flags;
    }

    /**
     * Reads an entry count and checks that {@code count * entrySize} bytes really follow.
     *
     * @return the count, safe to size an array with
     */
    public int entries(long count, int entrySize) throws Mp4FormatException {
        long need = count * entrySize; // count <= 2^32 and entrySize <= 32: no overflow
        if (need > buf.remaining()) {
            throw new Mp4FormatException(box, fileOffset(), "claims " + count + " entries of " + entrySize
                    + " bytes (" + need + " bytes) but the box has " + buf.remaining() + " bytes left");
        }
        return (int) count;
    }

    /** A view of the next {@code n} bytes (no copy); the reader moves past them. */
    public ByteBuffer view(int n, String what) throws Mp4FormatException {
        need(n, what);
        ByteBuffer v = buf.slice(buf.position(), n);
        buf.position(buf.position() + n);
        return v;
    }

    /** A format error at the reader's current position. */
    public Mp4FormatException error(String problem) {
        return new Mp4FormatException(box, fileOffset(), problem);
    }

    public String box() {
        return box;
    }
}
