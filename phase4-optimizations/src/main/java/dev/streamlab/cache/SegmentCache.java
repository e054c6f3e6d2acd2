package dev.streamlab.cache;

import dev.streamlab.stream.fmp4.Fmp4Remuxer;
import dev.streamlab.stream.fmp4.Fmp4Track;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Remuxed fMP4 segments through the shared {@link ChunkCache}: the bytes phase 3's remuxer computes per request
 * (a {@code moof} built from the sample table, then the samples) kept as one direct buffer per segment, so the
 * next viewer of the same segment gets a view instead of a remux.
 *
 * <p><b>Copies per byte.</b> Uncached, phase 3 writes a segment as a gather list: the {@code moof} in a fresh heap
 * buffer (1 copy per header byte, the JDK's into a temporary direct buffer) and the samples as views of the mapped
 * file (0). Cached, the load gathers header and samples into one direct buffer (1 copy per byte, once), and every
 * hit writes that buffer as it is (0). What the cache saves is the remux work and its garbage — sample-table walks,
 * the header allocation, a view object per run of samples — not copies; {@code CacheBench}'s segment cells measure
 * whether that is worth the memory.
 *
 * <p>How phase 3 would use it: {@code StreamSession} asks {@code segments.segment(identity, track, index)} where it
 * now calls {@code track.segment(index).buffers()}, and writes the returned view (one buffer, not a gather list).
 */
public final class SegmentCache {
    private final ChunkCache<CacheKey> cache;

    public SegmentCache(ChunkCache<CacheKey> cache) {
        this.cache = cache;
    }

    /** The init segment of {@code track} (of {@code remuxer}, which was opened on {@code file}), as a view. */
    public ByteBuffer init(FileIdentity file, Fmp4Remuxer remuxer, Fmp4Track track) throws IOException {
        SegmentKey key = new SegmentKey(file, track.kind(), remuxer.cut().toString(), SegmentKey.INIT);
        return cache.get(key, k -> gather(track.init().buffers()));
    }

    /**
     * Media segment {@code index} of {@code track}, as a view.
     *
     * @throws IndexOutOfBoundsException when the track has no such segment
     */
    public ByteBuffer segment(FileIdentity file, Fmp4Remuxer remuxer, Fmp4Track track, int index)
            throws IOException {
        if (index < 0 || index >= track.segmentCount()) {
            throw new IndexOutOfBoundsException("segment " + index + " of " + track.segmentCount());
        }
        SegmentKey key = new SegmentKey(file, track.kind(), remuxer.cut().toString(), index);
        return cache.get(key, k -> gather(track.segment(index).buffers()));
    }

    /** Counts body bytes written from cached segment views (see {@link ChunkCache#sent}). */
    public void sent(long bytes) {
        cache.sent(bytes);
    }

    /** One direct buffer holding a gather list's bytes: the single copy a cached segment costs. */
    static ByteBuffer gather(ByteBuffer[] parts) {
        return gather(0, parts);
    }

    /**
     * {@link #gather(ByteBuffer[])} after {@code headroom} bytes left for the caller to fill with absolute puts
     * (a description in front of the bytes, as {@link StreamSegments} keeps). The parts' positions do not move.
     */
    static ByteBuffer gather(int headroom, ByteBuffer[] parts) {
        long n = headroom;
        for (ByteBuffer p : parts) n += p.remaining();
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("a segment of " + (n - headroom) + " bytes");
        ByteBuffer all = ByteBuffer.allocateDirect((int) n).position(headroom);
        for (ByteBuffer p : parts) all.put(p.duplicate());
        return all.flip();
    }
}
