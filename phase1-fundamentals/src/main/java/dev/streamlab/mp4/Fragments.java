package dev.streamlab.mp4;

import java.io.IOException;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The samples of a fragmented MP4 (ISO/IEC 14496-12 §8.8): {@code ffmpeg -movflags frag_keyframe+empty_moov},
 * CMAF and DASH files, Smooth Streaming ({@code ismv}), screen recorders that write as they go. Their {@code moov}
 * describes the tracks with empty (or partial) sample tables; the samples are in {@code moof} boxes, each
 * followed by its {@code mdat}:
 * <pre>
 *   moov/mvex/trex   per track: default sample duration, size and flags            §8.8.3
 *   moof
 *     traf           one per track in this fragment                                 §8.8.6
 *       tfhd         track_ID, where the data is (base_data_offset, or the moof),  §8.8.7
 *                    defaults overriding trex's
 *       tfdt         decode time of the fragment's first sample (optional)         §8.8.12
 *       trun...      sample_count, data_offset, then per sample (each optional):   §8.8.8
 *                    duration, size, flags, composition offset
 * </pre>
 * Each sample's fields are the trun's, else tfhd's default, else trex's. A sample is a sync sample when its flags
 * say neither "non-sync" nor "depends on others" (§8.8.3.1), the reading FFmpeg and Chromium share.
 *
 * <p>The fragments' samples are appended to whatever the track's own tables hold (a "hybrid" file, {@code
 * -movflags frag_keyframe} without {@code empty_moov}, keeps its first fragment in moov), and the result is an
 * ordinary {@link SampleTable}: the rest of the project cannot tell a fragmented file from a progressive one.
 *
 * <p>Bounds, as for sample tables: a trun's count is checked against the bytes of its per-sample fields, or (when
 * every field is a default, which no table backs) against what the file can hold, before any array grows; every
 * sample lies inside the file; all samples of all tracks together fit in it.
 */
final class Fragments {
    /** tfhd flags (§8.8.7.1). */
    private static final int BASE_DATA_OFFSET = 0x1, DESCRIPTION_INDEX = 0x2, DEFAULT_DURATION = 0x8,
            DEFAULT_SIZE = 0x10, DEFAULT_FLAGS = 0x20, DEFAULT_BASE_IS_MOOF = 0x2_0000;
    /** trun flags (§8.8.8.1). */
    private static final int DATA_OFFSET = 0x1, FIRST_SAMPLE_FLAGS = 0x4, DURATION = 0x100, SIZE = 0x200,
            FLAGS = 0x400, COMPOSITION_OFFSET = 0x800;
    /** Sample flags (§8.8.3.1): sample_is_non_sync_sample, and sample_depends_on == 1 ("depends on others"). */
    private static final int NON_SYNC = 0x1_0000, DEPENDS_ON_MASK = 0x0300_0000, DEPENDS_ON_OTHERS = 0x0100_0000;

    private static final int TFHD = FourCC.of("tfhd"), TFDT = FourCC.of("tfdt"), TRUN = FourCC.of("trun"),
            TREX = FourCC.of("trex");

    private Fragments() {}

    /** Reads one {@code moof} box's bytes; the parser asks for them one at a time, so only one is in memory. */
    @FunctionalInterface
    interface MoofReader {
        Box read(BoxHeader moof) throws IOException;
    }

    /** trex's defaults for one track (§8.8.3). */
    private record Defaults(long duration, long size, int flags) {
        static final Defaults NONE = new Defaults(0, 0, 0);
    }

    /**
     * Reads every {@code moof} and returns each track's samples, by track_ID.
     *
     * @param moovParts the tables each track already has in moov, by track_ID (fragments continue them)
     * @param room      bytes of the file the moov tables leave: all fragment samples together fit in it
     */
    static Map<Integer, TrackSamples> read(Box moov, List<BoxHeader> moofs, MoofReader reader,
                                           Map<Integer, SampleTable> moovParts, long fileSize, long room)
            throws IOException {
        Map<Integer, Defaults> defaults = new HashMap<>();
        var mvex = moov.child(FourCC.MVEX);
        if (mvex.isPresent()) {
            for (Box trex : mvex.get().children()) {
                if (trex.type() != TREX) continue;
                PayloadReader r = trex.reader();
                r.fullBoxVersion(0);
                int id = (int) r.u32("track_ID");
                r.u32("default_sample_description_index");
                defaults.put(id, new Defaults(r.u32("default_sample_duration"), r.u32("default_sample_size"),
                        r.i32("default_sample_flags")));
            }
        }
        // Two passes: the first counts each track's samples (and checks every count against the bytes behind
        // it), the second fills arrays of exactly that size. Growing arrays as truns come would allocate several
        // times what the samples need; the moofs, small, are read twice instead.
        Map<Integer, TrackSamples> counted = walk(moofs, reader, defaults, moovParts, null, fileSize, room);
        Map<Integer, TrackSamples> out = walk(moofs, reader, defaults, moovParts, counted, fileSize, room);
        for (TrackSamples t : out.values()) t.checkCompositionOffsets();
        return out;
    }

    /** One pass over the fragments: counting when {@code counted} is null, else filling arrays of those sizes. */
    private static Map<Integer, TrackSamples> walk(List<BoxHeader> moofs, MoofReader reader,
                                                   Map<Integer, Defaults> defaults,
                                                   Map<Integer, SampleTable> moovParts,
                                                   Map<Integer, TrackSamples> counted, long fileSize,
                                                   long room) throws IOException {
        Map<Integer, TrackSamples> out = new HashMap<>();
        long[] left = {room};
        for (BoxHeader h : moofs) {
            Box moof = reader.read(h);
            long previousTrafEnd = moof.offset();
            boolean firstTraf = true;
            for (Box traf : moof.children()) {
                if (traf.type() != FourCC.TRAF) continue;
                previousTrafEnd = traf(moof, traf, firstTraf, previousTrafEnd, defaults, moovParts, counted, out,
                        fileSize, left);
                firstTraf = false;
            }
        }
        return out;
    }

    /** One track fragment; returns where its data ends (where the next traf's data starts by default). */
    private static long traf(Box moof, Box traf, boolean firstTraf, long previousTrafEnd,
                             Map<Integer, Defaults> defaults, Map<Integer, SampleTable> moovParts,
                             Map<Integer, TrackSamples> counted, Map<Integer, TrackSamples> out,
                             long fileSize, long[] room) throws Mp4FormatException {
        Box tfhdBox = traf.require(TFHD);
        PayloadReader tfhd = tfhdBox.reader();
        tfhd.fullBoxVersion(0);
        int tf = tfhd.flags();
        int id = (int) tfhd.u32("track_ID");
        SampleTable moovPart = moovParts.get(id);
        if (moovPart == null) {
            throw tfhd.error("track_ID " + Integer.toUnsignedString(id) + " is not a trak of the moov");
        }
        // §8.8.7.1: an explicit base; else the moof (default-base-is-moof); else the moof for the first traf
        // and the end of the previous traf's data for the others.
        long base;
        if ((tf & BASE_DATA_OFFSET) != 0) base = tfhd.u64("base_data_offset");
        else if ((tf & DEFAULT_BASE_IS_MOOF) != 0 || firstTraf) base = moof.offset();
        else base = previousTrafEnd;
        if ((tf & DESCRIPTION_INDEX) != 0) tfhd.u32("sample_description_index");
        Defaults trex = defaults.getOrDefault(id, Defaults.NONE);
        long duration = (tf & DEFAULT_DURATION) != 0 ? tfhd.u32("default_sample_duration") : trex.duration();
        long size = (tf & DEFAULT_SIZE) != 0 ? tfhd.u32("default_sample_size") : trex.size();
        int flags = (tf & DEFAULT_FLAGS) != 0 ? tfhd.i32("default_sample_flags") : trex.flags();

        TrackSamples track = out.computeIfAbsent(id, k -> new TrackSamples(moovPart,
                counted == null ? -1 : counted.containsKey(k) ? counted.get(k).count() : 0));
        var tfdt = traf.child(TFDT);
        if (tfdt.isPresent()) {
            PayloadReader r = tfdt.get().reader();
            int v = r.fullBoxVersion(1);
            long t = r.u32or64(v, "baseMediaDecodeTime");
            // A gap is legal (the sample before it lasts longer); going back would give two samples one time.
            if (t < track.end) {
                throw r.error("baseMediaDecodeTime " + t + " is before the end of the track's previous samples ("
                        + track.end + "): the fragments overlap");
            }
            track.end = t;
        }
        long data = base;
        boolean firstRun = true;
        for (Box b : traf.children()) {
            if (b.type() != TRUN) continue;
            data = trun(b, firstRun, base, data, duration, size, flags, track, fileSize, room);
            firstRun = false;
        }
        return data;
    }

    /** One track run; returns where its data ends. */
    private static long trun(Box trun, boolean firstRun, long base, long previousEnd, long defaultDuration,
                             long defaultSize, int defaultFlags, TrackSamples track, long fileSize, long[] room)
            throws Mp4FormatException {
        PayloadReader r = trun.reader();
        r.fullBoxVersion(1);
        int tf = r.flags();
        long countField = r.u32("sample_count");
        // §8.8.8.3: without data_offset, the run's data follows the previous run's (the base for the first run).
        long pos = (tf & DATA_OFFSET) != 0 ? base + r.i32("data_offset") : firstRun ? base : previousEnd;
        boolean hasFirstFlags = (tf & FIRST_SAMPLE_FLAGS) != 0;
        int firstFlags = hasFirstFlags ? r.i32("first_sample_flags") : 0;
        int perSample = 4 * Integer.bitCount(tf & (DURATION | SIZE | FLAGS | COMPOSITION_OFFSET));
        int count;
        if (perSample > 0) {
            count = r.entries(countField, perSample);
        } else {
            // Nothing backs the count: bound it by what the file can hold (a sample is at least a byte).
            if (countField > room[0] || countField > SampleTable.MAX_SAMPLES) {
                throw r.error(countField + " samples cannot fit in what the file has left (" + room[0] + " bytes)");
            }
            count = (int) countField;
        }
        if ((long) track.moovCount + track.n + count > SampleTable.MAX_SAMPLES) {
            throw r.error("the track would have more than the " + SampleTable.MAX_SAMPLES + " samples supported");
        }
        for (int i = 0; i < count; i++) {
            long duration = (tf & DURATION) != 0 ? r.u32("sample_duration") : defaultDuration;
            long size = (tf & SIZE) != 0 ? r.u32("sample_size") : defaultSize;
            int flags = (tf & FLAGS) != 0 ? r.i32("sample_flags") : i == 0 && hasFirstFlags ? firstFlags
                    : defaultFlags;
            int cto = (tf & COMPOSITION_OFFSET) != 0 ? r.i32("sample_composition_time_offset") : 0;
            // Not pos + size > fileSize: a base_data_offset near 2^63 would overflow to a negative sum.
            if (pos < 0 || size > fileSize || pos > fileSize - size) {
                throw r.error("sample " + (i + 1) + " (" + size + " bytes at " + pos + ") lies outside the "
                        + fileSize + "-byte file: truncated file?");
            }
            if (size > Integer.MAX_VALUE) throw r.error("sample " + (i + 1) + " is " + size + " bytes; no sample is"
                    + " 2 GiB or more");
            room[0] -= Math.max(1, size);
            if (room[0] < 0) {
                throw r.error("the fragments' samples add up to more bytes than the file has: a sample is stored"
                        + " once, in at least a byte");
            }
            track.add(pos, (int) size, duration, cto, (flags & NON_SYNC) == 0
                    && (flags & DEPENDS_ON_MASK) != DEPENDS_ON_OTHERS, trun, r);
            pos += size;
        }
        return pos;
    }

    /**
     * One track's samples: on the counting pass only how many the fragments hold; on the filling pass the
     * track's whole table, moov's samples first, in arrays of exactly the counted size.
     */
    static final class TrackSamples {
        private final SampleTable moovPart;
        private final int moovCount;
        private final long[] offsets;             // null on the counting pass
        private final int[] sizes;
        private final long[] dts;
        private int[] cto;                        // null until a sample has an offset
        private final BitSet nonSync = new BitSet();
        private int n;                            // fragment samples so far
        private long end;                         // decode time after the last sample
        private long worstOffset;                 // the largest |composition offset|, and where it was
        private String worstBox = "";
        private long worstAt;

        /** @param capacity fragment samples counted by the first pass, or -1 on that pass */
        TrackSamples(SampleTable moovPart, int capacity) {
            this.moovPart = moovPart;
            this.moovCount = moovPart.count();
            this.end = moovPart.totalDuration();
            if (capacity < 0) {
                offsets = null;
                sizes = null;
                dts = null;
                return;
            }
            int all = moovCount + capacity;
            offsets = new long[all];
            sizes = new int[all];
            dts = new long[all];
            for (int i = 0; i < moovCount; i++) {
                offsets[i] = moovPart.offset(i);
                sizes[i] = moovPart.size(i);
                dts[i] = moovPart.decodeTime(i);
                if (!moovPart.isKeyframe(i)) nonSync.set(i);
            }
            if (moovPart.hasCompositionOffsets()) cto = compositionOffsets(all);
        }

        private int[] compositionOffsets(int length) {
            int[] c = new int[length];
            for (int i = 0; i < moovCount; i++) c[i] = moovPart.compositionOffset(i);
            return c;
        }

        private void add(long offset, int size, long duration, int compositionOffset, boolean sync, Box trun,
                         PayloadReader r) throws Mp4FormatException {
            if (offsets != null) {
                int i = moovCount + n;
                if (i == sizes.length) throw r.error("more samples than the first reading found: the file changed"
                        + " while it was read");
                offsets[i] = offset;
                sizes[i] = size;
                dts[i] = end;
                if (compositionOffset != 0 && cto == null) cto = compositionOffsets(sizes.length);
                if (cto != null) cto[i] = compositionOffset;
                if (!sync) nonSync.set(i);
            }
            if (Math.abs((long) compositionOffset) > worstOffset) {
                worstOffset = Math.abs((long) compositionOffset);
                worstBox = trun.path();
                worstAt = r.fileOffset();
            }
            end = Math.min(end + duration, Long.MAX_VALUE / 4); // 10^7 samples of 2^32 ticks: no overflow anyway
            n++;
        }

        /** As for ctts: an offset longer than the whole track would present its sample outside it. */
        private void checkCompositionOffsets() throws Mp4FormatException {
            if (worstOffset > end) {
                throw new Mp4FormatException(worstBox, worstAt, "sample_composition_time_offset of " + worstOffset
                        + " ticks is longer than the whole " + end + "-tick track: it would present the sample"
                        + " outside it");
            }
        }

        /** Samples read from fragments. */
        int count() {
            return n;
        }

        /** The track's table: moov's samples, then the fragments' (filling pass only). */
        SampleTable table() {
            int all = moovCount + n;
            if (all != sizes.length) throw new IllegalStateException(all + " samples in arrays of " + sizes.length);
            BitSet sync = null;
            if (!nonSync.isEmpty()) {
                sync = new BitSet(all);
                sync.set(0, all);
                sync.andNot(nonSync);
            }
            return SampleTable.of(offsets, sizes, dts, cto, sync, end);
        }
    }
}
