package dev.streamlab.stream.fmp4;

import dev.streamlab.mp4.TrackKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;

/**
 * One media segment of one track (MSE ISO BMFF byte stream format §4): a {@code moof} (ISO/IEC 14496-12 §8.8.4)
 * with one {@code traf}, then one {@code mdat} holding the samples the {@code trun} describes.
 *
 * <p>Zero-copy: {@code buffers()[0]} is a fresh heap buffer holding the {@code moof} and the {@code mdat} header
 * (96 bytes plus 12 per sample, 16 with composition offsets); every later element is a {@code slice()} of the
 * memory-mapped source file, one per run of samples that lie back to back in the source. Building a segment
 * allocates the header and one small view object per run, however many bytes the samples hold. Copies per
 * payload byte in user space, from disk to a socket or file: zero (a gathering write hands the mapped pages to the
 * kernel); per header byte: one (the JDK copies a heap buffer into a temporary direct buffer for the system
 * call). Shown by {@code SegmentAllocationTest} (ThreadMXBean allocated bytes) and
 * {@code dev.streamlab.bench.Fmp4Benchmark} ({@code -prof gc}, {@code gc.alloc.rate.norm}).
 *
 * @param sequence       the {@code mfhd} sequence_number: the segment's index in its track, plus one
 * @param kind           video or audio
 * @param trackId        the {@code tfhd} track_ID, matching the track's {@link InitSegment}
 * @param timescale      ticks per second of the times below
 * @param baseDecodeTime the {@code tfdt} baseMediaDecodeTime: decode time of the first sample
 * @param startTime      earliest presentation time of a sample in the segment, edit list applied: where the
 *                       segment's buffered range begins on the media element's timeline
 * @param endTime        latest presentation end (time + duration) of a sample in the segment
 * @param firstSample    index of the first sample in the source track (decode order)
 * @param sampleCount    samples in the segment
 * @param independent    the first sample is a sync sample, so playback can start here (MSE random access point)
 * @param buffers        the gather list: the header, then views of the source's sample bytes
 */
public record Segment(int sequence, TrackKind kind, int trackId, long timescale, long baseDecodeTime,
                      long startTime, long endTime, int firstSample, int sampleCount, boolean independent,
                      ByteBuffer[] buffers) {
    public Segment {
        if (sampleCount < 1) throw new IllegalArgumentException("a segment holds at least one sample");
        buffers = buffers.clone();
    }

    /** Fresh read-only views of the gather list: each caller gets its own positions over the same bytes. */
    @Override
    public ByteBuffer[] buffers() {
        return Gather.views(buffers);
    }

    /** Bytes on the wire: moof + mdat. */
    public long length() {
        return Gather.length(buffers);
    }

    /** Bytes of sample data ({@code mdat} payload), all of them views of the source file. */
    public long payloadLength() {
        return length() - buffers[0].remaining();
    }

    public double startSeconds() {
        return (double) startTime / timescale;
    }

    public double endSeconds() {
        return (double) endTime / timescale;
    }

    /** Writes the segment with gathering writes; returns {@link #length()}. The channel must be blocking. */
    public long writeTo(GatheringByteChannel channel) throws IOException {
        return Gather.write(buffers(), channel);
    }
}
