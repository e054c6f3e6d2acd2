package dev.streamlab.mp4;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One box whose bytes are in memory: its header and its bytes as a <em>view</em> (a {@code slice()} of the
 * mapped {@code moov} or of the caller's buffer). Walking the tree never copies a byte; it creates a few small
 * {@code ByteBuffer} objects that point into the same memory, the way Python's {@code memoryview} does.
 *
 * @param header where the box is and how big it is
 * @param path   slash-separated types from the root, e.g. {@code moov/trak/mdia}
 * @param depth  nesting level, 0 at top level; bounded by {@link #MAX_DEPTH}
 * @param bytes  the whole box, header included ({@code header.size()} bytes)
 */
public record Box(BoxHeader header, String path, int depth, ByteBuffer bytes) {
    /**
     * Real files nest about 9 deep (moov/trak/mdia/minf/stbl/stsd/avc1/avcC). A crafted file could nest boxes
     * thousands deep at 8 bytes each and overflow the stack of a recursive walk, so deeper is rejected.
     */
    public static final int MAX_DEPTH = 32;

    public Box {
        bytes = bytes.slice().asReadOnlyBuffer();
        if (bytes.limit() != header.size()) {
            throw new IllegalArgumentException(bytes.limit() + " bytes for a box of " + header.size());
        }
    }

    /** A fresh view of the whole box (position 0): callers may move it without disturbing anyone. */
    @Override
    public ByteBuffer bytes() {
        return bytes.duplicate();
    }

    /** A fresh view of the payload, the bytes after the header. */
    public ByteBuffer payload() {
        return bytes.slice(header.headerSize(), bytes.limit() - header.headerSize());
    }

    public int type() {
        return header.type();
    }

    public long offset() {
        return header.offset();
    }

    /** A bounds-checked reader over the payload; its errors name this box. */
    public PayloadReader reader() {
        return new PayloadReader(payload(), path, header.payloadOffset());
    }

    /** The boxes inside this one, for container boxes whose payload is nothing but boxes. */
    public List<Box> children() throws Mp4FormatException {
        return childrenAfter(0);
    }

    /**
     * The boxes inside this one starting {@code skip} bytes into the payload: full-box containers such as
     * {@code meta} (4 bytes of version/flags) and sample entries (a fixed preamble) put fields before children.
     */
    public List<Box> childrenAfter(int skip) throws Mp4FormatException {
        ByteBuffer payload = payload();
        if (skip > payload.limit()) {
            throw new Mp4FormatException(path, header.offset(), "payload is " + payload.limit()
                    + " bytes, shorter than its " + skip + "-byte fixed part");
        }
        return parse(payload.slice(skip, payload.limit() - skip), header.payloadOffset() + skip, path, depth + 1);
    }

    /** The first child of {@code type}, if any. */
    public Optional<Box> child(int type) throws Mp4FormatException {
        for (Box b : children()) if (b.type() == type) return Optional.of(b);
        return Optional.empty();
    }

    /** The first child of {@code type}, or a format error saying it is missing. */
    public Box require(int type) throws Mp4FormatException {
        return child(type).orElseThrow(() -> new Mp4FormatException(path, header.offset(),
                "has no " + FourCC.toString(type) + " box inside"));
    }

    /**
     * Splits {@code region} into consecutive boxes.
     *
     * @param region       bytes of the parent's payload (position 0 = {@code regionOffset} in the file)
     * @param regionOffset absolute offset of {@code region}'s first byte
     * @param parentPath   path of the parent ("" at top level)
     * @param depth        nesting level of the boxes found
     */
    public static List<Box> parse(ByteBuffer region, long regionOffset, String parentPath, int depth)
            throws Mp4FormatException {
        if (depth > MAX_DEPTH) {
            throw new Mp4FormatException(parentPath, regionOffset, "boxes are nested deeper than " + MAX_DEPTH
                    + " levels; no real MP4 does that");
        }
        ByteBuffer buf = region.duplicate().order(ByteOrder.BIG_ENDIAN);
        List<Box> boxes = new ArrayList<>();
        int pos = 0;
        int limit = buf.limit();
        // Fewer than 8 bytes left cannot hold a box. QuickTime ends some containers (udta) with a 32-bit zero
        // terminator, so a short all-zero tail is allowed; anything else there is corruption.
        while (limit - pos >= 8) {
            buf.position(pos);
            BoxHeader h = BoxHeader.read(buf, regionOffset + pos, limit - pos, parentPath);
            String path = parentPath.isEmpty() ? h.typeName() : parentPath + "/" + h.typeName();
            int size = (int) h.size(); // size <= limit - pos, checked by read()
            boxes.add(new Box(h, path, depth, buf.slice(pos, size)));
            pos += size;
        }
        for (int i = pos; i < limit; i++) {
            if (buf.get(i) != 0) {
                throw new Mp4FormatException(parentPath, regionOffset + pos, (limit - pos)
                        + " stray bytes after the last box, too few for a box header");
            }
        }
        return boxes;
    }
}
