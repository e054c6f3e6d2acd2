package dev.streamlab.stream.ws;

import java.nio.ByteBuffer;

/**
 * The fixed 24-byte header in front of every binary message of {@code /ws/stream} (PROTOCOL.md, "Binary
 * messages"); the fMP4 bytes follow it in the same message. Big-endian, like ISO BMFF:
 *
 * <pre>
 * offset size field
 *  0     2    magic 0x534C ("SL")
 *  2     1    version (1)
 *  3     1    track: 0 video, 1 audio
 *  4     1    kind: 0 init segment, 1 media segment
 *  5     1    flags: bit 0 keyframe (the segment starts with a sync sample); bit 1 back-to-back (written right
 *             after the previous binary message, no pacing pause between: the arrival gap measures throughput)
 *  6     2    rung: index into meta's "rungs" (the bitrate ladder)
 *  8     4    sequence: per connection, +1 for every binary message
 * 12     4    timeline: changes on open and seek; data of another timeline is stale
 * 16     4    decode time of the first sample, ms (signed)
 * 20     4    presentation time of the earliest sample, ms (signed: AAC priming starts before 0)
 * </pre>
 */
public record SegmentHeader(Track track, Kind kind, boolean keyframe, int rung, int sequence, int timeline,
                            int decodeMs, int presentationMs) {
    public static final int LENGTH = 24;
    public static final short MAGIC = 0x534C;
    public static final byte VERSION = 1;
    /** Flags bit 1, set by the sender on the encoded header (see the table above). */
    public static final byte BACK_TO_BACK = 2;

    public enum Track { VIDEO, AUDIO }

    public enum Kind { INIT, MEDIA }

    public SegmentHeader {
        if (rung < 0 || rung > 0xFFFF) throw new IllegalArgumentException("rung " + rung + " not in [0, 65535]");
    }

    /** A fresh 24-byte buffer holding this header, ready to write. */
    public ByteBuffer encode() {
        return ByteBuffer.allocate(LENGTH)
                .putShort(MAGIC).put(VERSION).put((byte) track.ordinal()).put((byte) kind.ordinal())
                .put((byte) (keyframe ? 1 : 0)).putShort((short) rung)
                .putInt(sequence).putInt(timeline).putInt(decodeMs).putInt(presentationMs)
                .flip();
    }

    /**
     * Reads the header at {@code in}'s position (which is left unchanged).
     *
     * @throws IllegalArgumentException if fewer than 24 bytes remain, or the magic, version, track or kind is wrong
     */
    public static SegmentHeader decode(ByteBuffer in) {
        if (in.remaining() < LENGTH) throw new IllegalArgumentException(in.remaining() + " bytes, a header has 24");
        int p = in.position();
        if (in.getShort(p) != MAGIC) throw new IllegalArgumentException("bad magic");
        if (in.get(p + 2) != VERSION) throw new IllegalArgumentException("unknown version " + in.get(p + 2));
        int track = in.get(p + 3);
        int kind = in.get(p + 4);
        if (track < 0 || track > 1 || kind < 0 || kind > 1) throw new IllegalArgumentException("bad track/kind");
        return new SegmentHeader(Track.values()[track], Kind.values()[kind], (in.get(p + 5) & 1) != 0,
                Short.toUnsignedInt(in.getShort(p + 6)), in.getInt(p + 8), in.getInt(p + 12), in.getInt(p + 16),
                in.getInt(p + 20));
    }

    /** True when the header at {@code in}'s position has the back-to-back flag. */
    public static boolean backToBack(ByteBuffer in) {
        return (in.get(in.position() + 5) & BACK_TO_BACK) != 0;
    }

    /** Seconds in a track's timescale → whole milliseconds, rounded down. */
    static int millis(long ticks, long timescale) {
        return (int) Math.floorDiv(ticks * 1000, timescale);
    }
}
