package dev.streamlab.stream.fmp4;

import dev.streamlab.mp4.FourCC;
import dev.streamlab.mp4.SampleTable;
import dev.streamlab.mp4.Track;
import java.nio.ByteBuffer;

/**
 * Builds one media segment: {@code moof} + {@code mdat} header in a fresh heap buffer sized to the byte, followed
 * by views of the mapped source for the sample data.
 *
 * <pre>
 * moof                                   ISO/IEC 14496-12 §8.8.4
 *   mfhd  sequence_number                §8.8.5
 *   traf                                 §8.8.6
 *     tfhd  flags default-base-is-moof   §8.8.7: data offsets count from the first byte of this moof
 *     tfdt  v1 baseMediaDecodeTime(64)   §8.8.12: MSE requires it (byte stream format §4)
 *     trun  v0|v1 data_offset, then per sample: duration, size, flags[, composition offset]   §8.8.8
 * mdat                                   §8.1.1: the samples, in trun order
 * </pre>
 */
final class FragmentWriter {
    static final int MOOF = FourCC.MOOF, MFHD = FourCC.of("mfhd"), TRAF = FourCC.TRAF, TFHD = FourCC.of("tfhd"),
            TFDT = FourCC.of("tfdt"), TRUN = FourCC.of("trun"), MDAT = FourCC.MDAT;

    /** tfhd flag 0x020000 (§8.8.7.1): no base_data_offset; offsets are relative to the enclosing moof (iso5). */
    static final int DEFAULT_BASE_IS_MOOF = 0x02_0000;
    /** trun flags (§8.8.8.1): which fields are present. */
    static final int DATA_OFFSET_PRESENT = 0x000001, DURATION_PRESENT = 0x000100, SIZE_PRESENT = 0x000200,
            FLAGS_PRESENT = 0x000400, COMPOSITION_OFFSETS_PRESENT = 0x000800;
    /**
     * Sample flags (§8.8.3.1: is_leading(2) sample_depends_on(2) sample_is_depended_on(2) sample_has_redundancy(2)
     * padding(3) sample_is_non_sync_sample(1) degradation_priority(16), after 4 reserved bits). A sync sample
     * "does not depend on others" (depends_on = 2); any other "depends on others" (1) and is non-sync. Chromium
     * and FFmpeg take a video frame as a keyframe only when it is sync and does not depend on others, so both
     * fields are set, not just the non-sync bit.
     */
    static final int SYNC = 0x0200_0000, NON_SYNC = 0x0101_0000;

    /** Bytes of the moof before the trun's per-sample fields: moof, mfhd, traf, tfhd, tfdt, trun's fixed part. */
    private static final int MOOF_FIXED = 8 + 16 + 8 + 16 + 20 + 20;

    private FragmentWriter() {}

    /** Sample {@code i} starts a new view: the first, one not right after the previous, or the run is long. */
    private static boolean newRun(SampleTable t, int i, int from, long runEnd, int runLength) {
        return i == from || t.offset(i) != runEnd || (long) runLength + t.size(i) > MappedMedia.MAX_RUN;
    }

    /**
     * Segment {@code sequence} of {@code track}: samples {@code [from, to)}.
     *
     * @param decodeShift ticks added to every decode time: the leading empty edit of the source's edit list
     *                    (see {@link Fmp4Remuxer} on edit lists)
     * @param compositionShift ticks added to every composition offset, and to the init segment's media_time
     *                    ({@link Fmp4Remuxer#compositionShift}): presentation times do not change
     */
    static Segment write(Track track, MappedMedia media, int sequence, int from, int to, long decodeShift,
                         long compositionShift) {
        SampleTable t = track.samples();
        int n = to - from;
        boolean offsets = t.hasCompositionOffsets();
        int perSample = offsets ? 16 : 12;
        int moofSize = MOOF_FIXED + n * perSample;
        long payload = 0;
        int runs = 0;
        long runEnd = 0;
        int runLength = 0;
        for (int i = from; i < to; i++) { // first pass: payload size and how many views the samples need
            int size = t.size(i);
            payload += size;
            if (newRun(t, i, from, runEnd, runLength)) {
                runs++;
                runLength = 0;
            }
            runEnd = t.offset(i) + size;
            runLength += size;
        }
        // §8.1.1 / §4.2: a box over 4 GiB - 1 uses size = 1 and a 64-bit largesize after the type.
        int mdatHeader = payload + 8 > 0xFFFF_FFFFL ? 16 : 8;

        BoxWriter w = new BoxWriter(moofSize + mdatHeader);
        w.box(MOOF);
        w.fullBox(MFHD, 0, 0).u32(sequence).end();
        w.box(TRAF);
        w.fullBox(TFHD, 0, DEFAULT_BASE_IS_MOOF).u32(track.id()).end();
        long base = t.decodeTime(from) + decodeShift;
        w.fullBox(TFDT, 1, 0).u64(base).end();
        // Version 1 makes composition offsets signed (§8.8.8.2); after compositionShift none is negative, so v0
        // would read them the same. No offsets at all: v0 and no offset field.
        int trunFlags = DATA_OFFSET_PRESENT | DURATION_PRESENT | SIZE_PRESENT | FLAGS_PRESENT
                | (offsets ? COMPOSITION_OFFSETS_PRESENT : 0);
        w.fullBox(TRUN, offsets ? 1 : 0, trunFlags).u32(n).u32(moofSize + mdatHeader);
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        long trackEnd = t.totalDuration();
        for (int i = from; i < to; i++) {
            long duration = (i + 1 < t.count() ? t.decodeTime(i + 1) : trackEnd) - t.decodeTime(i);
            w.u32(duration).u32(t.size(i)).u32(t.isKeyframe(i) ? SYNC : NON_SYNC);
            if (offsets) w.u32(t.compositionOffset(i) + compositionShift);
            long pts = track.presentationTime(i); // what a player computes: decode time + offset - media_time
            start = Math.min(start, pts);
            end = Math.max(end, pts + duration);
        }
        w.end().end().end(); // trun, traf, moof
        if (mdatHeader == 16) w.u32(1).u32(MDAT).u64(payload + 16);
        else w.u32(payload + 8).u32(MDAT);
        ByteBuffer header = w.finish()[0];

        ByteBuffer[] buffers = new ByteBuffer[1 + runs];
        buffers[0] = header;
        int b = 1;
        long runStart = t.offset(from);
        runLength = 0;
        for (int i = from; i < to; i++) { // second pass: one view per run of back-to-back samples
            if (i > from && newRun(t, i, from, runStart + runLength, runLength)) {
                buffers[b++] = media.slice(runStart, runLength);
                runStart = t.offset(i);
                runLength = 0;
            }
            runLength += t.size(i);
        }
        buffers[b++] = media.slice(runStart, runLength);
        assert b == buffers.length;
        return new Segment(sequence, track.kind(), track.id(), track.timescale(), base, start, end, from, n,
                t.isKeyframe(from), buffers);
    }
}
