package dev.streamlab.stream.live;

import dev.streamlab.mp4.FourCC;
import dev.streamlab.stream.fmp4.Cut;
import dev.streamlab.stream.fmp4.Fmp4Remuxer;
import dev.streamlab.stream.fmp4.Fmp4Track;
import dev.streamlab.stream.fmp4.InitSegment;
import dev.streamlab.stream.fmp4.Segment;
import dev.streamlab.shared.io.FileStamp;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One live channel: a sample file looped forever as if it were a camera, by one producer virtual thread, into a
 * ring buffer of its most recent segments (the GOP cache) that every viewer reads.
 *
 * <p><b>Timeline.</b> Loop {@code k} of the file is shifted by {@code k × loop} where {@code loop} is the video
 * track's total decode duration, so decode and presentation times run on without a gap or an overlap (each
 * segment's {@code tfdt} is patched; the sample bytes are the file's). Video only: the sample's AAC track is not a
 * whole number of 1024-sample frames long in the video's duration, so a looped audio track would leave a gap or an
 * overlap at every seam, and a gap in any SourceBuffer stalls MSE playback (buffered is the intersection of the
 * tracks' ranges). A real encoder would resample; a teaching server says why it leaves audio out.
 *
 * <p><b>Pacing.</b> Segment {@code s} is published when the wall clock reaches its end time (as an encoder would
 * have it then): {@code t0 + (end(s) - end(0)) / speed}; the first one at once, so the first viewer of a cold
 * channel has a frame within one chunk. The live edge is {@code end(0) + (now - t0) × speed}.
 *
 * <p><b>Ring.</b> {@link LiveConfig#ringSegments()} slots indexed by {@code sequence % size}, written only by the
 * producer under {@link #lock}; viewers wait on {@link #published} and read slots by sequence, so one segment is
 * one set of buffers however many viewers read it (views, not copies). Copies per viewer per segment: 0 bytes of
 * fMP4; 24 bytes of protocol header encoded fresh (it carries the viewer's own sequence and timeline).
 */
final class LiveChannel {
    private static final Logger LOG = Logger.getLogger(LiveChannel.class.getName());
    private final String id;
    /**
     * The looped file and what it was when opened. Segments are views of its mapping: a file truncated under them
     * makes every viewer's write fail, so the producer stops the channel as soon as the file is no longer what it was.
     */
    private final Path file;
    private final FileStamp opened;
    private final LiveConfig config;
    private final Fmp4Track video;
    private final long loopTicks;
    private final long timescale;
    private final int perLoop;
    private final LiveEndpoint.Meters meters;

    final ReentrantLock lock = new ReentrantLock(); // not synchronized: virtual threads wait in it
    final Condition published = lock.newCondition();
    // Guarded by lock.
    private final LiveSegment[] ring;
    private long newest = -1;
    private long newestKeyframe = -1;
    private int viewers;
    private long idleSince;
    private boolean stopped;

    private volatile long t0;            // nanoTime of segment 0's publication
    private final double firstEnd;       // end(0), seconds
    private Thread producer;
    private long lastStallCheck;                                  // producer only
    /**
     * How the producer makes segment {@code s}: {@link #make}. A test sets a failing one (before the first
     * {@link #enter}) to see what the viewers of a producer that died are told.
     */
    LongFunction<LiveSegment> maker = this::make;
    private static final long STALL_CHECK_NANOS = 500_000_000L;

    private LiveChannel(String id, LiveConfig config, Fmp4Track video, LiveEndpoint.Meters meters, Path file,
                        FileStamp opened) {
        this.id = id;
        this.file = file;
        this.opened = opened;
        this.config = config;
        this.video = video;
        this.meters = meters;
        this.timescale = video.timescale();
        this.perLoop = video.segmentCount();
        this.loopTicks = video.source().samples().totalDuration();
        this.ring = new LiveSegment[config.ringSegments()];
        this.firstEnd = endTicks(0) / (double) timescale;
    }

    /**
     * Opens {@code file} for looping: video cut into chunks of about {@link LiveConfig#chunkSeconds()}.
     *
     * @throws IOException when the file cannot be read or remuxed, or has no video track
     */
    static LiveChannel open(String id, Path file, LiveConfig config, LiveEndpoint.Meters meters) throws IOException {
        FileStamp opened = FileStamp.of(Files.readAttributes(file, BasicFileAttributes.class));
        Fmp4Remuxer probe = Fmp4Remuxer.open(file);
        Fmp4Track v = probe.video().orElseThrow(() -> new IOException(id + " has no video track to loop"));
        int count = v.source().samples().count();
        double seconds = (double) v.source().samples().totalDuration() / v.timescale();
        int frames = (int) Math.max(1, Math.round(config.chunkSeconds() * count / seconds));
        Fmp4Track chunked = Fmp4Remuxer.open(file, Cut.chunks(frames)).video().orElseThrow();
        return new LiveChannel(id, config, chunked, meters, file, opened);
    }

    String id() {
        return id;
    }

    Fmp4Track video() {
        return video;
    }

    InitSegment init() {
        return video.init();
    }

    /** GOP length in seconds (the first GOP's; the samples have a fixed GOP). */
    double gopSeconds() {
        for (int i = 1; i < perLoop; i++) {
            if (video.independent(i)) return (video.segmentStart(i) - video.segmentStart(0)) / (double) timescale;
        }
        return loopTicks / (double) timescale;
    }

    /** The live edge: seconds on the channel timeline now. */
    double edgeSeconds() {
        return firstEnd + (System.nanoTime() - t0) / 1e9 * config.speed();
    }

    // ---- viewers ----

    /** Counts a viewer in; starts the producer on the first. Returns false when the channel has stopped. */
    boolean enter() {
        lock.lock();
        try {
            if (stopped) return false;
            viewers++;
            if (producer == null) {
                t0 = System.nanoTime();
                producer = Thread.ofVirtual().name("live-producer-" + id).start(this::produce);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    void leave() {
        lock.lock();
        try {
            if (--viewers == 0) idleSince = System.nanoTime();
        } finally {
            lock.unlock();
        }
    }

    /** Stops the producer now (server shutdown), or marks it stopped once it has ended; wakes every viewer. */
    void stop() {
        lock.lock();
        try {
            stopped = true;
            published.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean stopped() {
        lock.lock();
        try {
            return stopped;
        } finally {
            lock.unlock();
        }
    }

    boolean producerAlive() {
        Thread p = producer;
        return p != null && p.isAlive();
    }

    // Called with lock held.
    long newest() {
        return newest;
    }

    long newestKeyframe() {
        return newestKeyframe;
    }

    long oldest() {
        return Math.max(0, newest - ring.length + 1);
    }

    /** The segment at {@code sequence}, or null if it has left the ring or is not made yet. Lock held. */
    LiveSegment at(long sequence) {
        if (sequence < oldest() || sequence > newest) return null;
        return ring[(int) (sequence % ring.length)];
    }

    // ---- the producer ----

    private void produce() {
        try {
            for (long s = 0; ; s++) {
                LiveSegment seg = maker.apply(s); // built before its time, outside the lock
                long due = t0 + (long) ((seg.endSeconds() - firstEnd) / config.speed() * 1e9);
                lock.lock();
                try {
                    while (!stopped) {
                        long wait = due - System.nanoTime();
                        if (wait <= 0) break;
                        published.awaitNanos(wait);
                    }
                    if (stopped || viewers == 0 && System.nanoTime() - idleSince > config.idleStop().toNanos()
                            || !sourceUnchanged()) {
                        stopped = true;
                        published.signalAll();
                        return;
                    }
                    ring[(int) (s % ring.length)] = seg;
                    newest = s;
                    if (seg.keyframe()) newestKeyframe = s;
                    published.signalAll();
                } finally {
                    lock.unlock();
                }
                meters.published();
                long now = System.nanoTime();
                if (now - lastStallCheck > STALL_CHECK_NANOS) {
                    lastStallCheck = now;
                    meters.abortStalled(now);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            // allocateDirect's OutOfMemoryError when direct memory is used up (phase 4's caches can get it there), or
            // a bug: the channel ends like a stopped one rather than taking its viewers down with it.
            LOG.log(Level.SEVERE, "live channel " + id + ": the producer failed; the channel stops", e);
        } finally {
            // Whatever ended the producer, its viewers wait on `published` for segments that will never come: only
            // `stopped` ends their wait (await returns false, they are closed with 1001) and refuses late joiners.
            stop();
            meters.channelStopped(this);
        }
    }

    /** Whether the looped file is still the one opened (one statx a segment; a deleted file counts as changed). */
    private boolean sourceUnchanged() {
        try {
            if (opened.matches(Files.readAttributes(file, BasicFileAttributes.class))) return true;
        } catch (IOException gone) {
            // deleted or unreadable: changed
        }
        LOG.warning("live channel " + id + ": " + file.getFileName() + " changed or went away; the channel stops");
        return false;
    }

    private long endTicks(long s) {
        int i = (int) (s % perLoop);
        long k = s / perLoop;
        long end = i + 1 < perLoop ? video.segmentStart(i + 1) : video.segmentStart(0) + loopTicks;
        return end + k * loopTicks;
    }

    /** Segment {@code s}: the file's segment {@code s % perLoop}, shifted by whole loops. */
    LiveSegment make(long s) {
        int i = (int) (s % perLoop);
        long shift = s / perLoop * loopTicks;
        Segment seg = video.segment(i);
        ByteBuffer[] parts = seg.buffers();
        // The one copy per segment (not per viewer): the ~1 KB heap moof into a direct buffer, so that no viewer's
        // write copies it again (the JDK copies heap buffers into a temporary direct one per write) and so that the
        // loop shift can be written into its tfdt.
        ByteBuffer header = ByteBuffer.allocateDirect(parts[0].remaining()).put(parts[0]).flip();
        patch(header, seg.baseDecodeTime() + shift, (int) (s + 1));
        parts[0] = header.asReadOnlyBuffer();
        long start = seg.startTime() + shift;
        long end = endTicks(s);
        return new LiveSegment(s, seg.independent(), millis(seg.baseDecodeTime() + shift), millis(start),
                (double) start / timescale, (double) end / timescale, parts, seg.length());
    }

    private int millis(long ticks) {
        return (int) Math.floorDiv(ticks * 1000, timescale);
    }

    /**
     * Writes {@code decodeTime} into the {@code tfdt} (ISO/IEC 14496-12 §8.8.12; v1: 64-bit, v0: 32-bit) and
     * {@code sequence} into the {@code mfhd} (§8.8.5) of the moof at the start of {@code b}, found by walking the
     * boxes rather than by fixed offsets.
     */
    static void patch(ByteBuffer b, long decodeTime, int sequence) {
        int moofEnd = b.getInt(0);
        for (int p = 8; p + 8 <= moofEnd; ) {
            int size = b.getInt(p);
            int type = b.getInt(p + 4);
            if (type == FourCC.of("mfhd")) b.putInt(p + 12, sequence);
            if (type == FourCC.TRAF) {
                for (int q = p + 8; q + 8 <= p + size; ) {
                    int sz = b.getInt(q);
                    if (b.getInt(q + 4) == FourCC.of("tfdt")) {
                        if (b.get(q + 8) == 1) b.putLong(q + 12, decodeTime);
                        else b.putInt(q + 12, (int) decodeTime);
                    }
                    if (sz < 8) break;
                    q += sz;
                }
            }
            if (size < 8) break;
            p += size;
        }
    }

    /** Waits, lock held, until {@code nanos} pass or a segment is published; false when the channel stopped. */
    boolean await(long nanos) throws InterruptedException {
        if (stopped) return false;
        published.awaitNanos(nanos);
        return !stopped;
    }

    long t0() {
        return t0;
    }

    static long nanos(double seconds) {
        return (long) (seconds * TimeUnit.SECONDS.toNanos(1));
    }
}
