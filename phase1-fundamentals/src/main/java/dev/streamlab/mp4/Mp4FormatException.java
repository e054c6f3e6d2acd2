package dev.streamlab.mp4;

import java.io.IOException;

/**
 * The input is not a well-formed MP4: the one exception the parser throws for bad bytes, whatever they are.
 *
 * <p>It names the box (as a path such as {@code moov/trak/mdia/minf/stbl/stsz}) and the absolute byte offset
 * where the problem was found, so a student can open the file in a hex viewer at that offset.
 */
public final class Mp4FormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String box;
    private final long offset;

    /**
     * @param box     path of the box the problem was found in ("" for the file itself)
     * @param offset  absolute byte offset of that box (or of the bad field) in the file
     * @param problem what is wrong, in words
     */
    public Mp4FormatException(String box, long offset, String problem) {
        super((box.isEmpty() ? "file" : box) + " at byte " + offset + ": " + problem);
        this.box = box;
        this.offset = offset;
    }

    /** Path of the offending box, e.g. {@code moov/trak/mdia/minf/stbl/stsz}; empty for the file as a whole. */
    public String box() {
        return box;
    }

    /** Absolute byte offset of the offending box or field. */
    public long offset() {
        return offset;
    }
}
