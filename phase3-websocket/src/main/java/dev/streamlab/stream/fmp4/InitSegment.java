package dev.streamlab.stream.fmp4;

import dev.streamlab.mp4.TrackKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;

/**
 * One track's initialization segment (MSE ISO BMFF byte stream format §3): {@code ftyp} then {@code moov}
 * describing the track with empty sample tables and an {@code mvex} announcing that the samples come in movie
 * fragments. Append it to a SourceBuffer created with {@link #mimeType()} before any {@link Segment} of the track.
 *
 * <p>Copies per byte: the boxes are built fresh (about 700 bytes); the sample entry (the codec configuration,
 * {@code avc1}+{@code avcC} or {@code mp4a}+{@code esds}) is not copied at all — {@code buffers()[1]} is a view of
 * the source file's {@code stsd} entry, byte for byte the source's.
 *
 * @param kind      video or audio
 * @param trackId   the {@code tkhd} track_ID, the source's
 * @param timescale ticks per second of every time in this track's segments ({@code mdhd}, the source's)
 * @param codec     the RFC 6381 codecs string, e.g. {@code avc1.64001e}, {@code mp4a.40.2}
 * @param buffers   the gather list: heap-built boxes around a view of the source sample entry
 */
public record InitSegment(TrackKind kind, int trackId, long timescale, String codec, ByteBuffer[] buffers) {
    public InitSegment {
        buffers = Gather.views(buffers);
    }

    /** Fresh read-only views of the gather list: each caller gets its own positions over the same bytes. */
    @Override
    public ByteBuffer[] buffers() {
        return Gather.views(buffers);
    }

    /** The type for {@code MediaSource.addSourceBuffer}, e.g. {@code video/mp4; codecs="avc1.64001e"} (RFC 6381). */
    public String mimeType() {
        return (kind == TrackKind.VIDEO ? "video" : "audio") + "/mp4; codecs=\"" + codec + "\"";
    }

    public long length() {
        return Gather.length(buffers);
    }

    /** Writes the segment with gathering writes; returns {@link #length()}. The channel must be blocking. */
    public long writeTo(GatheringByteChannel channel) throws IOException {
        return Gather.write(buffers(), channel);
    }
}
