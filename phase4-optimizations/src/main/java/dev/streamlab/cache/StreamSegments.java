package dev.streamlab.cache;

import dev.streamlab.stream.fmp4.Fmp4Track;
import dev.streamlab.stream.fmp4.Segment;
import dev.streamlab.stream.ws.SegmentSource;
import dev.streamlab.stream.ws.StreamEndpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Phase 3's {@code /ws/stream} segments through the shared {@link ChunkCache}: installed with
 * {@link StreamEndpoint#useSegments} in place of the tracks' 16-segment rings, so every viewer of a segment after
 * the first gets a view of one cached buffer (a hit in {@code streamlab_cache_*{kind="segment"}}), under the same
 * byte bound and LRU as {@code /cached/videos} and {@code /cached/segments}.
 *
 * <p><b>An entry</b> is the segment's wire bytes ({@code moof} + {@code mdat}) preceded by its {@value #DESCRIPTION}
 * byte description (the {@link Segment} record's times and counts): one LRU entry holds both, so they are evicted
 * together and a hit rebuilds nothing. The description counts towards the bound (under 0.3 % of a 21 KB segment).
 *
 * <p><b>Copies per byte.</b> A miss builds the segment ({@link Fmp4Track#segment}) and gathers its {@code moof}
 * (heap) and samples (views of the mapped file) into one direct buffer: 1 user-space copy per byte, once, counted
 * as loaded bytes. Every write, hit or miss, hands that direct buffer to the socket as it is: 0 — so these bytes
 * count as uncopied in {@code streamlab_ws_stream_mapped_bytes_total}, and the load's copy shows in
 * {@code streamlab_cache_copies_per_byte} (loaded ÷ sent) instead. Without the cache a segment costs a fresh
 * {@code moof} per build (1 copy per header byte) and 0 per sample byte; what the cache saves is the building (sample
 * table walk, header allocation, a view per run of samples) for every viewer after the first, and it keeps
 * segments for any number of positions up to its bound, where a ring keeps 16 per track.
 *
 * <p><b>Keys</b> are the {@link Fmp4Track} object and the index: phase 3 remuxes each version of a file once
 * ({@code SharedRemuxers}: path, size, modification time), so a track object stands for one version of one file;
 * a changed file gets a new remux, new keys, and the old entries age out of the LRU.
 */
public final class StreamSegments implements SegmentSource {
    /** Bytes in front of a cached segment: sequence, trackId (ints), 4 times (longs), firstSample, count, sync. */
    static final int DESCRIPTION = 4 + 4 + 8 + 8 + 8 + 8 + 4 + 4 + 1;

    /** Segment {@code index} of one remuxed track, as {@code /ws/stream} sends it. */
    record Key(Fmp4Track track, int index) implements CacheKey {
        Key {
            Objects.requireNonNull(track, "track");
        }

        @Override
        public String kind() {
            return "segment";
        }
    }

    private final ChunkCache<CacheKey> cache;

    public StreamSegments(ChunkCache<CacheKey> cache) {
        this.cache = Objects.requireNonNull(cache, "cache");
    }

    @Override
    public Served segment(Fmp4Track track, int index) {
        if (index < 0 || index >= track.segmentCount()) {
            throw new IndexOutOfBoundsException("segment " + index + " of " + track.segmentCount());
        }
        ByteBuffer entry;
        try {
            entry = cache.get(new Key(track, index), k -> load(k.track().segment(k.index())));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the loader reads only mapped memory; the session closes with 1011
        }
        Segment s = describe(track, entry);
        cache.sent(s.length()); // handed to the sender, which writes it whole (or the connection is gone)
        return new Served(s, s.length());
    }

    /** Description, then the segment's bytes, in one direct buffer: the one copy a cached segment costs. */
    static ByteBuffer load(Segment s) {
        ByteBuffer all = SegmentCache.gather(DESCRIPTION, s.buffers());
        all.putInt(0, s.sequence()).putInt(4, s.trackId()).putLong(8, s.timescale()).putLong(16, s.baseDecodeTime())
                .putLong(24, s.startTime()).putLong(32, s.endTime()).putInt(40, s.firstSample())
                .putInt(44, s.sampleCount()).put(48, (byte) (s.independent() ? 1 : 0));
        return all;
    }

    /** The segment an entry holds: its wire bytes as one read-only view (no copy), its times from the description. */
    static Segment describe(Fmp4Track track, ByteBuffer entry) {
        int p = entry.position();
        ByteBuffer wire = entry.slice(p + DESCRIPTION, entry.limit() - p - DESCRIPTION);
        return new Segment(entry.getInt(p), track.kind(), entry.getInt(p + 4), entry.getLong(p + 8),
                entry.getLong(p + 16), entry.getLong(p + 24), entry.getLong(p + 32), entry.getInt(p + 40),
                entry.getInt(p + 44), entry.get(p + 48) != 0, new ByteBuffer[] {wire});
    }
}
