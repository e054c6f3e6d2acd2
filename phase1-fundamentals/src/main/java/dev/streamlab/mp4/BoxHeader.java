package dev.streamlab.mp4;

import java.nio.ByteBuffer;

/**
 * The header every ISO-BMFF box starts with (ISO/IEC 14496-12 §4.2):
 * <pre>
 *   unsigned int(32) size;            // 1 = a 64-bit largesize follows, 0 = box extends to the end of its parent
 *   unsigned int(32) type;
 *   unsigned int(64) largesize;       // only when size == 1
 *   unsigned int(8)[16] usertype;     // only when type == 'uuid'
 * </pre>
 *
 * @param type       the box type as a {@link FourCC}
 * @param offset     absolute byte offset of the box's first byte in the file
 * @param headerSize 8, 16 (largesize), 24 (uuid) or 32 (both)
 * @param size       whole box size in bytes, header included, already resolved for {@code size == 0}
 */
public record BoxHeader(int type, long offset, int headerSize, long size) {
    /** Bytes needed to read any header: 8 + 8 (largesize) + 16 (usertype). */
    public static final int MAX_HEADER_SIZE = 32;

    public BoxHeader {
        if (headerSize < 8 || size < headerSize) throw new IllegalArgumentException("size " + size + " < header");
    }

    public long end() {
        return offset + size;
    }

    public long payloadOffset() {
        return offset + headerSize;
    }

    public long payloadSize() {
        return size - headerSize;
    }

    public String typeName() {
        return FourCC.toString(type);
    }

    /**
     * Reads the header at {@code buf}'s position.
     *
     * @param buf        holds the header bytes from its position (fewer than {@link #MAX_HEADER_SIZE} only when
     *                   the parent ends sooner)
     * @param offset     absolute offset of the header's first byte
     * @param available  bytes from {@code offset} to the end of the parent (or file)
     * @param parentPath path of the parent, for error messages ("" at top level)
     * @throws Mp4FormatException when the header is cut short, its size is smaller than the header or larger than
     *                            what the parent has left
     */
    public static BoxHeader read(ByteBuffer buf, long offset, long available, String parentPath)
            throws Mp4FormatException {
        int p = buf.position();
        String where = parentPath.isEmpty() ? "" : parentPath + "/";
        if (available < 8 || buf.remaining() < 8) {
            throw new Mp4FormatException(where + "?", offset,
                    "a box header needs 8 bytes but only " + Math.min(available, buf.remaining()) + " remain");
        }
        long size = Integer.toUnsignedLong(buf.getInt(p));
        int type = buf.getInt(p + 4);
        String path = where + FourCC.toString(type);
        int headerSize = 8;
        if (size == 1) {
            if (available < 16 || buf.remaining() < 16) {
                throw new Mp4FormatException(path, offset, "a 64-bit box size is announced but the data ends first");
            }
            size = buf.getLong(p + 8);
            headerSize = 16;
            // A largesize with the top bit set would be negative: more than 2^63 bytes is a lie, not a file.
            if (size < 0) throw new Mp4FormatException(path, offset, "64-bit size " + Long.toUnsignedString(size)
                    + " is larger than any file");
        } else if (size == 0) {
            size = available; // §4.2: "box extends to the end of the file" (or of its parent)
        }
        if (type == FourCC.UUID) {
            if (available < headerSize + 16L || buf.remaining() < headerSize + 16) {
                throw new Mp4FormatException(path, offset, "a uuid box needs a 16-byte user type");
            }
            headerSize += 16;
        }
        if (size < headerSize) {
            throw new Mp4FormatException(path, offset, "box size " + size + " is smaller than its "
                    + headerSize + "-byte header");
        }
        if (size > available) {
            throw new Mp4FormatException(path, offset, "box size " + size + " runs past the end of its "
                    + (parentPath.isEmpty() ? "file" : "parent") + " (" + available + " bytes left)"
                    + (parentPath.isEmpty() ? ": truncated file?" : ""));
        }
        return new BoxHeader(type, offset, headerSize, size);
    }
}
