package dev.streamlab.stream.fmp4;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes ISO/IEC 14496-12 boxes (§4.2: a 32-bit size, a FourCC type, then for a FullBox a version byte and 24 bits
 * of flags) into a fresh heap buffer, big-endian, patching each box's size when it is closed.
 *
 * <p>{@link #view} splices a caller's buffer (the source's sample entry, a mapped file slice) into the output
 * without copying it: the bytes written so far become one element of the gather list, the view the next, and
 * writing continues in a new buffer. Sizes of the boxes around a view include it, so a box may start in one heap
 * buffer and end in another; its size field is patched in the buffer it started in.
 *
 * <p>Capacity is fixed at construction (callers know their sizes to the byte, or a small bound): a writer that
 * would overflow throws {@link java.nio.BufferOverflowException} rather than silently growing, which would mean a
 * size computation is wrong.
 */
final class BoxWriter {
    private final List<ByteBuffer> out = new ArrayList<>(4);
    private ByteBuffer buf;
    private final int capacity;
    private long flushed; // logical bytes in the buffers already in out
    private int heapUsed; // bytes of capacity used by heap buffers already in out
    private ByteBuffer[] openBuffers = new ByteBuffer[8];
    private int[] openPositions = new int[8];
    private long[] openStarts = new long[8];
    private int depth;

    BoxWriter(int capacity) {
        this.capacity = capacity;
        this.buf = ByteBuffer.allocate(capacity);
    }

    /** Logical bytes written so far, views included. */
    long position() {
        return flushed + buf.position();
    }

    /** Opens a plain box; its size is patched by the matching {@link #end()}. */
    BoxWriter box(int type) {
        if (depth == openBuffers.length) {
            openBuffers = Arrays.copyOf(openBuffers, depth * 2);
            openPositions = Arrays.copyOf(openPositions, depth * 2);
            openStarts = Arrays.copyOf(openStarts, depth * 2);
        }
        openBuffers[depth] = buf;
        openPositions[depth] = buf.position();
        openStarts[depth] = position();
        depth++;
        buf.putInt(0).putInt(type);
        return this;
    }

    /** Opens a FullBox (§4.2.2): version(8) and flags(24) follow the header. */
    BoxWriter fullBox(int type, int version, int flags) {
        box(type);
        buf.putInt((version << 24) | (flags & 0xFF_FFFF));
        return this;
    }

    /** Closes the innermost open box, writing its size. Boxes over 4 GiB are not written here (no largesize). */
    BoxWriter end() {
        depth--;
        long size = position() - openStarts[depth];
        if (size > 0xFFFF_FFFFL) throw new IllegalStateException("box of " + size + " bytes needs a 64-bit size");
        openBuffers[depth].putInt(openPositions[depth], (int) size);
        openBuffers[depth] = null;
        return this;
    }

    BoxWriter u8(int v) {
        buf.put((byte) v);
        return this;
    }

    BoxWriter u16(int v) {
        buf.putShort((short) v);
        return this;
    }

    BoxWriter u32(long v) {
        buf.putInt((int) v);
        return this;
    }

    BoxWriter u64(long v) {
        buf.putLong(v);
        return this;
    }

    BoxWriter zeros(int n) {
        for (int i = 0; i < n; i++) buf.put((byte) 0);
        return this;
    }

    BoxWriter bytes(ByteBuffer src) {
        buf.put(src.duplicate());
        return this;
    }

    /** A NUL-terminated UTF-8 string (hdlr's name). */
    BoxWriter cString(String s) {
        buf.put(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)).put((byte) 0);
        return this;
    }

    /**
     * Splices {@code view}'s remaining bytes in without copying them: the output so far is cut off as one gather
     * element, {@code view} (a read-only duplicate) becomes the next, and writing resumes in a fresh buffer of the
     * remaining capacity.
     */
    BoxWriter view(ByteBuffer view) {
        flushHeap();
        ByteBuffer v = view.asReadOnlyBuffer();
        out.add(v);
        flushed += v.remaining();
        buf = ByteBuffer.allocate(capacity - heapUsed);
        return this;
    }

    private void flushHeap() {
        if (buf.position() == 0) return;
        flushed += buf.position();
        heapUsed += buf.position();
        out.add(buf.flip().slice());
    }

    /** The gather list: heap buffers and spliced views in order. Every box must be closed. */
    ByteBuffer[] finish() {
        if (depth != 0) throw new IllegalStateException(depth + " boxes are still open");
        flushHeap();
        buf = null;
        return out.toArray(ByteBuffer[]::new);
    }
}
