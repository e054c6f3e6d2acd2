package dev.streamlab.mp4;

import java.util.Arrays;
import java.util.BitSet;

/**
 * Every sample of one track, expanded from the compact tables of {@code stbl} (ISO/IEC 14496-12 §8.5–8.7) into
 * flat arrays indexed by sample number (decode order, 0-based):
 * <pre>
 *   stsz / stz2  → size            stco / co64 + stsc → offset (chunk offset + sizes of earlier samples in it)
 *   stts         → decode time     ctts               → composition offset (B-frames)
 *   stss         → keyframe (absent: every sample is one)
 * </pre>
 * Flat primitive arrays cost 24 bytes a sample and make every question (where is sample i, which keyframe is
 * before t) an index or a binary search. Every count is checked against the bytes that back it before an array is
 * sized, and {@link #MAX_SAMPLES} bounds what no table can back (a constant {@code stsz} sample size).
 */
public final class SampleTable {
    /** 10 M samples: a 24 h video at 60 fps is 5.2 M. Beyond it, the file is refused, not allocated for. */
    public static final int MAX_SAMPLES = 10_000_000;

    private final long[] offsets;
    private final int[] sizes;
    private final long[] decodeTimes;
    private final int[] compositionOffsets; // null when the track has no ctts
    private final BitSet keyframes; // null when every sample is a keyframe (no stss)
    private final long totalDuration;
    // Derived once here, in one pass, rather than by a loop over every sample each time a duration is asked for.
    private final long compositionStart;
    private final long compositionEnd;

    private SampleTable(long[] offsets, int[] sizes, long[] decodeTimes, int[] compositionOffsets, BitSet keyframes,
                        long totalDuration) {
        this.offsets = offsets;
        this.sizes = sizes;
        this.decodeTimes = decodeTimes;
        this.compositionOffsets = compositionOffsets;
        this.keyframes = keyframes;
        this.totalDuration = totalDuration;
        long start = sizes.length == 0 ? 0 : Long.MAX_VALUE;
        long end = totalDuration;
        for (int i = 0; i < sizes.length; i++) {
            long offset = compositionOffsets == null ? 0 : compositionOffsets[i];
            long next = i + 1 < sizes.length ? decodeTimes[i + 1] : totalDuration;
            start = Math.min(start, decodeTimes[i] + offset);
            end = Math.max(end, next + offset); // decode time + offset + duration
        }
        this.compositionStart = start;
        this.compositionEnd = end;
    }

    public int count() {
        return sizes.length;
    }

    /** Absolute byte offset of sample {@code i} in the file. */
    public long offset(int i) {
        return offsets[i];
    }

    public int size(int i) {
        return sizes[i];
    }

    /** Decode time of sample {@code i} in media ticks. */
    public long decodeTime(int i) {
        return decodeTimes[i];
    }

    /** Composition offset ({@code ctts}) of sample {@code i}; 0 for tracks without B-frames. */
    public int compositionOffset(int i) {
        return compositionOffsets == null ? 0 : compositionOffsets[i];
    }

    /** Composition time (decode time + composition offset) in media ticks, before the edit list. */
    public long compositionTime(int i) {
        return decodeTimes[i] + compositionOffset(i);
    }

    public boolean isKeyframe(int i) {
        return keyframes == null || keyframes.get(i);
    }

    public boolean hasCompositionOffsets() {
        return compositionOffsets != null;
    }

    /** True when {@code stss} is absent, so every sample is a sync sample (typical for audio). */
    public boolean allKeyframes() {
        return keyframes == null;
    }

    public int keyframeCount() {
        return keyframes == null ? count() : keyframes.cardinality();
    }

    /** Sum of all sample durations in media ticks (the decode timeline's length). */
    public long totalDuration() {
        return totalDuration;
    }

    /**
     * Where the media ends on the composition timeline, in media ticks: the latest composition time plus duration
     * of any sample (the decode timeline's length when there are no B-frames). An edit starting later shows nothing.
     */
    long compositionEnd() {
        return compositionEnd;
    }

    /**
     * Where the media starts on the composition timeline, in media ticks: the earliest composition time of any
     * sample (0 when there are none). With B-frames and no negative offsets it is the first frame's ctts offset.
     */
    long compositionStart() {
        return compositionStart;
    }

    /** Sum of all sample sizes in bytes. */
    public long totalBytes() {
        long sum = 0;
        for (int s : sizes) sum += s;
        return sum;
    }

    /** The index of the next keyframe at or after sample {@code from}, or -1. */
    public int nextKeyframe(int from) {
        if (from >= count()) return -1;
        if (keyframes == null) return from;
        return keyframes.nextSetBit(from);
    }

    /**
     * Expands a track's sample tables.
     *
     * @param stbl     the {@code stbl} box
     * @param fileSize every sample must lie inside the file; a table pointing past its end is refused here rather
     *                 than discovered by the server mid-response
     * @param room     bytes of the file that earlier tracks' samples leave (the file size for the first track):
     *                 a sample is stored once, so all tracks' samples together fit in the file. This bounds a
     *                 constant-size {@code stsz}, which no table backs, across tracks: otherwise each of a
     *                 thousand tiny traks could claim the whole file and the parser would allocate it a thousand
     *                 times over
     * @param mediaDuration {@code mdhd} duration in media ticks: with the decode timeline's length, the bound on a
     *                 composition offset
     */
    static SampleTable read(Box stbl, long fileSize, long room, long mediaDuration) throws Mp4FormatException {
        int[] sizes = readSizes(stbl, fileSize, room);
        int n = sizes.length;
        long[] offsets = readOffsets(stbl, sizes, fileSize);
        long[] dts = new long[n];
        long total = readDecodeTimes(stbl.require(FourCC.STTS), dts);
        int[] cto = null;
        var ctts = stbl.child(FourCC.CTTS);
        if (ctts.isPresent()) cto = readCompositionOffsets(ctts.get(), n, Math.max(total, mediaDuration));
        BitSet sync = null;
        var stss = stbl.child(FourCC.STSS);
        if (stss.isPresent()) sync = readSyncSamples(stss.get(), n);
        return new SampleTable(offsets, sizes, dts, cto, sync, total);
    }

    private static int[] readSizes(Box stbl, long fileSize, long room) throws Mp4FormatException {
        var stsz = stbl.child(FourCC.STSZ);
        if (stsz.isPresent()) {
            PayloadReader r = stsz.get().reader();
            r.fullBoxVersion(0);
            long constant = r.u32("sample_size");
            long countField = r.u32("sample_count");
            if (constant != 0) {
                // No table backs the count, so bound it: MAX_SAMPLES, and all samples must fit in what is left of
                // the file.
                if (countField > MAX_SAMPLES || constant * countField > room) {
                    throw r.error(countField + " samples of " + constant + " bytes cannot fit in a " + fileSize
                            + "-byte file" + (room < fileSize ? " whose earlier tracks' samples leave " + room
                            + " bytes" : ""));
                }
                if (constant > Integer.MAX_VALUE) throw r.error("sample size " + constant + " is absurd");
                int[] sizes = new int[(int) countField];
                Arrays.fill(sizes, (int) constant);
                return sizes;
            }
            int count = checkCount(r, r.entries(countField, 4));
            int[] sizes = new int[count];
            for (int i = 0; i < count; i++) {
                long s = r.u32("entry_size");
                if (s > fileSize) throw r.error("sample " + (i + 1) + " is " + s + " bytes, larger than the file");
                // Only a file over 2 GiB gets here; the int cast below would make the size negative.
                if (s > Integer.MAX_VALUE) throw r.error("sample " + (i + 1) + " is " + s + " bytes; no sample"
                        + " is 2 GiB or more");
                sizes[i] = (int) s;
            }
            return fits(r, sizes, fileSize, room);
        }
        var stz2 = stbl.child(FourCC.STZ2);
        if (stz2.isEmpty()) {
            throw new Mp4FormatException(stbl.path(), stbl.offset(), "has neither stsz nor stz2 (sample sizes)");
        }
        PayloadReader r = stz2.get().reader();
        r.fullBoxVersion(0);
        r.skip(3, "reserved");
        int fieldSize = r.u8("field_size");
        if (fieldSize != 4 && fieldSize != 8 && fieldSize != 16) throw r.error("field_size " + fieldSize
                + " is not 4, 8 or 16");
        long countField = r.u32("sample_count");
        // Checked first: in a moov over 1 GiB, doubling the byte count of 4-bit fields back would overflow an int.
        checkCount(r, countField);
        // 4-bit fields pack two samples a byte: count bytes = ceil(count / 2).
        int count = checkCount(r, fieldSize == 4
                ? 2 * r.entries((countField + 1) / 2, 1) - (int) (countField & 1)
                : r.entries(countField, fieldSize / 8));
        // Before allocating: 4-bit fields back two samples with one byte, so the table alone does not bound them.
        if (count > room) throw r.error(count + " samples cannot fit in " + where(fileSize, room) + SAMPLE_RULE);
        int[] sizes = new int[count];
        for (int i = 0; i < count; i++) {
            sizes[i] = switch (fieldSize) {
                case 16 -> r.u16("entry_size");
                case 8 -> r.u8("entry_size");
                default -> {
                    if ((i & 1) == 0) {
                        int b = r.u8("entry_size");
                        if (i + 1 < count) sizes[i + 1] = b & 0x0F;
                        yield b >>> 4;
                    }
                    yield sizes[i];
                }
            };
        }
        return fits(r, sizes, fileSize, room);
    }

    /**
     * A table built elsewhere ({@link Fragments}: moov's samples and the fragments'), taking the arrays over.
     *
     * @param compositionOffsets null when no sample has one
     * @param keyframes          null when every sample is a sync sample
     * @param totalDuration      decode time after the last sample
     */
    static SampleTable of(long[] offsets, int[] sizes, long[] decodeTimes, int[] compositionOffsets,
                          BitSet keyframes, long totalDuration) {
        return new SampleTable(offsets, sizes, decodeTimes, compositionOffsets, keyframes, totalDuration);
    }

    private static final String SAMPLE_RULE = ": a sample is stored once, in at least a byte";

    /**
     * The track's samples together fit in what earlier tracks leave of the file, at least a byte each. A table that
     * says otherwise describes overlapping or empty samples: 300 samples of 200 KB at one offset of a 232 KB file
     * once made a 60 MB segment, and 10 million 0-byte samples in a 5 MB file 240 MB of tables and an 846 MB
     * {@code /boxes} answer (a black-box audit, 2026-12-07).
     */
    private static int[] fits(PayloadReader r, int[] sizes, long fileSize, long room) throws Mp4FormatException {
        long total = 0;
        for (int size : sizes) total += size; // at most 10^7 x 2^31: no overflow
        if (sizes.length > room || total > room) {
            throw r.error(sizes.length + " samples of " + total + " bytes in all cannot fit in "
                    + where(fileSize, room) + SAMPLE_RULE);
        }
        return sizes;
    }

    private static String where(long fileSize, long room) {
        return "a " + fileSize + "-byte file" + (room < fileSize ? " whose earlier tracks' samples leave " + room
                + " bytes" : "");
    }

    private static int checkCount(PayloadReader r, long count) throws Mp4FormatException {
        if (count > MAX_SAMPLES) throw r.error(count + " samples is more than the " + MAX_SAMPLES + " supported");
        return (int) count;
    }

    /** Chunk offsets (stco/co64) and the sample-to-chunk runs (stsc) place every sample in the file. */
    private static long[] readOffsets(Box stbl, int[] sizes, long fileSize) throws Mp4FormatException {
        long[] chunkOffsets;
        Box co = stbl.child(FourCC.STCO).orElse(null);
        if (co != null) {
            PayloadReader r = co.reader();
            r.fullBoxVersion(0);
            chunkOffsets = new long[r.entries(r.u32("entry_count"), 4)];
            for (int i = 0; i < chunkOffsets.length; i++) chunkOffsets[i] = r.u32("chunk_offset");
        } else {
            co = stbl.child(FourCC.CO64).orElseThrow(() -> new Mp4FormatException(stbl.path(), stbl.offset(),
                    "has neither stco nor co64 (chunk offsets)"));
            PayloadReader r = co.reader();
            r.fullBoxVersion(0);
            chunkOffsets = new long[r.entries(r.u32("entry_count"), 8)];
            for (int i = 0; i < chunkOffsets.length; i++) chunkOffsets[i] = r.u64("chunk_offset");
        }
        Box stsc = stbl.require(FourCC.STSC);
        PayloadReader r = stsc.reader();
        r.fullBoxVersion(0);
        int runs = r.entries(r.u32("entry_count"), 12);
        long[] firstChunk = new long[runs];
        long[] perChunk = new long[runs];
        for (int i = 0; i < runs; i++) {
            firstChunk[i] = r.u32("first_chunk");
            perChunk[i] = r.u32("samples_per_chunk");
            r.u32("sample_description_index");
            if (firstChunk[i] < 1 || (i > 0 && firstChunk[i] <= firstChunk[i - 1])) {
                throw new Mp4FormatException(stsc.path(), stsc.offset(), "entry " + (i + 1) + " has first_chunk "
                        + firstChunk[i] + "; chunks are numbered from 1 and must increase");
            }
        }
        int n = sizes.length;
        long[] offsets = new long[n];
        int sample = 0;
        // The loop is bounded by the chunk table (backed by bytes) and by n: a lying samples_per_chunk of four
        // billion stops at the last sample instead of spinning.
        for (int run = 0; run < runs && sample < n; run++) {
            long endChunk = run + 1 < runs ? firstChunk[run + 1] - 1 : chunkOffsets.length;
            for (long chunk = firstChunk[run]; chunk <= endChunk && sample < n; chunk++) {
                if (chunk > chunkOffsets.length) break;
                long pos = chunkOffsets[(int) chunk - 1];
                for (long k = 0; k < perChunk[run] && sample < n; k++, sample++) {
                    // Not pos + size > fileSize: a co64 offset near 2^63 would overflow to a negative sum.
                    if (pos > fileSize - sizes[sample]) {
                        throw new Mp4FormatException(co.path(), co.offset(), "sample " + (sample + 1) + " ("
                                + sizes[sample] + " bytes at " + pos + ") lies past the end of the " + fileSize
                                + "-byte file: truncated file?");
                    }
                    offsets[sample] = pos;
                    pos += sizes[sample];
                }
            }
        }
        if (sample < n) {
            throw new Mp4FormatException(stsc.path(), stsc.offset(), "stsc and " + co.header().typeName()
                    + " place only " + sample + " of the " + n + " samples");
        }
        return offsets;
    }

    /** stts: runs of (sample_count, sample_delta). Returns the total duration. */
    private static long readDecodeTimes(Box stts, long[] dts) throws Mp4FormatException {
        PayloadReader r = stts.reader();
        r.fullBoxVersion(0);
        int runs = r.entries(r.u32("entry_count"), 8);
        int i = 0;
        long t = 0;
        for (int run = 0; run < runs; run++) {
            long count = r.u32("sample_count");
            long delta = r.u32("sample_delta");
            for (long k = 0; k < count && i < dts.length; k++) {
                dts[i++] = t;
                t += delta;
            }
        }
        if (i < dts.length) {
            throw new Mp4FormatException(stts.path(), stts.offset(), "gives times for " + i + " samples but stsz has "
                    + dts.length);
        }
        return t;
    }

    /**
     * ctts: runs of (sample_count, sample_offset). The spec makes version 0 unsigned and version 1 signed, but
     * muxers have written negative offsets in version 0 for years, so ffmpeg and browsers read both as signed;
     * so do we, or our timestamps would disagree with theirs.
     *
     * <p>An offset is a reordering delay of a few frames. One longer than the whole track ({@code trackDuration},
     * the longer of mdhd's and the decode timeline's) would present its sample outside the track: ±2^31 once
     * made phase 3 stream nothing and report "ended". ffmpeg drops such a table ("CTTS invalid", above 2^28);
     * we refuse the file, naming the offset.
     */
    private static int[] readCompositionOffsets(Box ctts, int n, long trackDuration) throws Mp4FormatException {
        PayloadReader r = ctts.reader();
        r.fullBoxVersion(1);
        int runs = r.entries(r.u32("entry_count"), 8);
        int[] cto = new int[n];
        int i = 0;
        for (int run = 0; run < runs && i < n; run++) {
            long count = r.u32("sample_count");
            int off = r.i32("sample_offset");
            if (Math.abs((long) off) > trackDuration && count > 0) { // long: abs(Integer.MIN_VALUE) is negative
                throw r.error("sample_offset " + off + " of sample " + (i + 1) + " is longer than the whole "
                        + trackDuration + "-tick track: it would present the sample outside it");
            }
            for (long k = 0; k < count && i < n; k++) cto[i++] = off;
        }
        if (i < n) {
            throw new Mp4FormatException(ctts.path(), ctts.offset(), "covers " + i + " of " + n + " samples");
        }
        return cto;
    }

    private static BitSet readSyncSamples(Box stss, int n) throws Mp4FormatException {
        PayloadReader r = stss.reader();
        r.fullBoxVersion(0);
        int count = r.entries(r.u32("entry_count"), 4);
        BitSet sync = new BitSet(n);
        for (int i = 0; i < count; i++) {
            long s = r.u32("sample_number");
            if (s < 1 || s > n) throw r.error("sync sample " + s + " is not a sample number (1.." + n + ")");
            sync.set((int) s - 1);
        }
        return sync;
    }
}
