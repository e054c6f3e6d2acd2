package dev.streamlab.cache;

import dev.streamlab.phase3.Phase3Server;

/**
 * Phase 4's chunk cache on phase 3's server: one {@link ChunkCache} shared by {@code /cached/videos/{id}} (ranges)
 * and {@code /cached/segments/...} (remuxed fMP4), with {@code /remux/segments/...} beside it for comparison.
 */
public final class CacheRoutes {
    /** The default bound: {@code -Dstreamlab.cache.bytes=N} changes it (0 turns the cache off). */
    public static final long DEFAULT_BYTES = 128L << 20;

    private CacheRoutes() {}

    /**
     * Creates the cache (metrics in the server's registry) and installs its routes.
     *
     * @throws IllegalArgumentException when {@code maxBytes} is negative
     */
    public static ChunkCache<CacheKey> install(Phase3Server server, long maxBytes) {
        ChunkCache<CacheKey> cache = new ChunkCache<>(maxBytes, server.metrics());
        CachedRangeRoute ranges = new CachedRangeRoute(server.catalog(), server.openFiles(), cache);
        server.metrics().gauge("streamlab_cache_chunk_buffers_allocated", "1 MiB direct buffers the range route"
                + " allocated; every other miss reused one that left the cache (ChunkCache.lease).",
                ranges::buffersAllocated);
        server.addRoute(CachedRangeRoute.PREFIX, ranges);
        server.addRoute(SegmentRoute.CACHED, SegmentRoute.cached(server.catalog(), cache));
        server.addRoute(SegmentRoute.UNCACHED, SegmentRoute.uncached(server.catalog()));
        return cache;
    }

    /** The bound from {@code -Dstreamlab.cache.bytes}, else {@link #DEFAULT_BYTES}. */
    public static long configuredBytes() {
        String v = System.getProperty("streamlab.cache.bytes");
        if (v == null) return DEFAULT_BYTES;
        try {
            long n = Long.parseLong(v.trim());
            if (n >= 0) return n;
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new IllegalArgumentException("-Dstreamlab.cache.bytes needs a byte count >= 0, not '" + v + "'");
    }
}
