package dev.streamlab.stream.fmp4;

import dev.streamlab.mp4.Track;
import dev.streamlab.mp4.TrackKind;

/**
 * One track of a remuxed file: its {@link InitSegment} and its media segments, built on demand.
 *
 * <p>Thread-safe: the plan (which samples each segment holds) is fixed at {@link Fmp4Remuxer#open};
 * {@link #segment(int)} builds a new {@link Segment} on every call (a fresh header and fresh views over the shared
 * read-only mapping), so any number of connections can stream the same track. {@link #sharedSegment(int)} instead
 * keeps the last {@link #RING} segments built in a ring: connections watching the same stretch of the track (a
 * premiere, a popular start) share one header and one set of views, each writing through its own
 * {@link Segment#buffers()} positions — 0 bytes of the segment copied or rebuilt per extra viewer.
 */
public final class Fmp4Track {
    /** Segments kept per track for {@link #sharedSegment}: 16 two-second GOPs, ~30 s of one position range. */
    public static final int RING = 16;

    private final Track source;
    private final MappedMedia media;
    private final InitSegment init;
    private final Cuts.Plan plan;
    private final long decodeShift;
    private final long compositionShift;
    /** Slot {@code i % RING} holds segment {@code i} while no segment {@code RING} further has replaced it. */
    private final java.util.concurrent.atomic.AtomicReferenceArray<Segment> ring =
            new java.util.concurrent.atomic.AtomicReferenceArray<>(RING);
    private final java.util.concurrent.atomic.LongAdder ringHits = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder ringMisses = new java.util.concurrent.atomic.LongAdder();

    /** @param compositionShift ticks added to every composition offset ({@link Fmp4Remuxer#compositionShift}) */
    Fmp4Track(Track source, MappedMedia media, InitSegment init, Cuts.Plan plan, long compositionShift) {
        this.source = source;
        this.media = media;
        this.init = init;
        this.plan = plan;
        // A leading empty edit delays the whole track: shifting every decode time by it is exact (tfdt is ours
        // to choose) and, unlike a two-entry elst, every MSE implementation honours it.
        this.decodeShift = source.edits().delay();
        this.compositionShift = compositionShift;
    }

    public TrackKind kind() {
        return source.kind();
    }

    /** The {@code tkhd} track_ID, the source's; {@link InitSegment} and every {@link Segment} use it. */
    public int trackId() {
        return source.id();
    }

    /** Ticks per second of every time in this track's segments. */
    public long timescale() {
        return source.timescale();
    }

    /** RFC 6381 codecs string, e.g. {@code avc1.64001e}. */
    public String codec() {
        return source.codec();
    }

    /** The type for {@code MediaSource.addSourceBuffer}, e.g. {@code video/mp4; codecs="avc1.64001e"}. */
    public String mimeType() {
        return init.mimeType();
    }

    /**
     * Whether the source file's bytes under this track's segments are still those mapped: false once the file was
     * rewritten or truncated in place, after which a segment would carry other bytes or fault when sent.
     */
    public boolean sourceIntact() {
        return media.intact();
    }

    /** The source track, as phase 1 parsed it. */
    public Track source() {
        return source;
    }

    public InitSegment init() {
        return init;
    }

    public int segmentCount() {
        return plan.segments();
    }

    /**
     * Builds media segment {@code index} (0-based; its {@code mfhd} sequence number is {@code index + 1}).
     *
     * @throws IndexOutOfBoundsException when {@code index} is not in {@code [0, segmentCount())}
     */
    public Segment segment(int index) {
        int[] starts = plan.starts();
        if (index < 0 || index >= plan.segments()) {
            throw new IndexOutOfBoundsException("segment " + index + " of " + plan.segments());
        }
        return FragmentWriter.write(source, media, index + 1, starts[index], starts[index + 1], decodeShift,
                compositionShift);
    }

    /**
     * Segment {@code index} from the ring of recently built ones, built (and put in the ring) when it is not there.
     * Two viewers asking at once may both build it; one of the equal results stays. Same bytes as
     * {@link #segment(int)}.
     */
    public Segment sharedSegment(int index) {
        int slot = Math.floorMod(index, RING);
        Segment s = ring.get(slot);
        if (s != null && s.sequence() == index + 1) {
            ringHits.increment();
            return s;
        }
        ringMisses.increment();
        Segment built = segment(index);
        ring.set(slot, built);
        return built;
    }

    /** {@link #sharedSegment} calls answered from the ring. */
    public long ringHits() {
        return ringHits.sum();
    }

    /** {@link #sharedSegment} calls that built the segment. */
    public long ringMisses() {
        return ringMisses.sum();
    }

    /** Where segment {@code index}'s buffered range starts, in ticks: its earliest presentation time. */
    public long segmentStart(int index) {
        return plan.times()[index];
    }

    public double segmentStartSeconds(int index) {
        return (double) plan.times()[index] / source.timescale();
    }

    /** Samples in segment {@code index}, without building it. */
    public int segmentSamples(int index) {
        return plan.starts()[index + 1] - plan.starts()[index];
    }

    /** True when segment {@code index} starts with a sync sample: a place to start or seek (always, in GOP mode). */
    public boolean independent(int index) {
        return source.samples().isKeyframe(plan.starts()[index]);
    }

    /**
     * The segment to begin with to show time {@code seconds}: the last independent one starting at or before it
     * (the first segment for a time before the start, the last for a time past the end).
     */
    public int segmentAt(double seconds) {
        int i = Cuts.at(plan.times(), Math.round(seconds * source.timescale()));
        while (i > 0 && !independent(i)) i--;
        return i;
    }

    /** Samples of the source left out because they come before the first keyframe (0 for any sane file). */
    public int skippedSamples() {
        return plan.starts()[0];
    }

    /** Presented duration in seconds (edit list applied), as ffprobe reports the stream's. */
    public double durationSeconds() {
        return source.durationSeconds();
    }

    @Override
    public String toString() {
        return source.kind().id() + " track " + source.id() + " (" + codec() + ", " + plan.segments() + " segments)";
    }
}
