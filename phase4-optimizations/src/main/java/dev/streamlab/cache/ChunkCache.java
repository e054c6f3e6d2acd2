package dev.streamlab.cache;

import dev.streamlab.metrics.Counter;
import dev.streamlab.metrics.MetricsRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A byte-bounded LRU of read-only buffers shared by every client: file chunks for range requests, remuxed fMP4
 * segments for streams. {@link #get} hands out a <em>view</em> ({@code duplicate()} of a read-only buffer: its own
 * position and limit over the same memory), never a copy, so a hit allocates one small buffer object however large
 * the entry is ({@code ChunkCacheTest.viewsShareTheCachedMemoryAndAreReadOnly} and {@code aHitAllocatesAViewNotACopyOfTheEntry}, JMH
 * {@code CacheBenchmark} with {@code -prof gc}: ~128 bytes per hit for 64 KiB and 4 MiB entries alike).
 *
 * <p><b>Copies per byte on the way to the socket.</b> A miss: the loader fills a direct buffer once (for a file
 * chunk, {@code read(2)} from the page cache: 1 user-space copy per byte; for a segment, the moof and the mapped
 * samples gathered into it: 1). A hit: 0 — the cached direct buffer is handed to {@code write(2)} as it is (a heap
 * buffer would cost one more, the JDK's copy into a temporary direct buffer, which is why the loaders allocate
 * direct). So a byte served {@code n} times costs {@code 1/n} copies; {@code streamlab_cache_copies_per_byte} shows it.
 * What a hit cannot avoid: the kernel's copy from our memory into the socket buffer, the one {@code sendfile} also
 * makes from the page cache. A cache of file chunks therefore competes with the page cache plus {@code sendfile}
 * (0 user-space copies, no heap, no direct memory) and can at best tie; it pays where the bytes are computed.
 *
 * <p><b>Concurrency.</b> One {@link ReentrantLock} guards the LRU map (never {@code synchronized}, and never held
 * during a load or any I/O, so a virtual thread waiting for it does not pin its carrier). Concurrent misses for one
 * key wait for a single load, as Caffeine's {@code compute} does: the first caller loads, the others wait on its
 * future; if the load fails, each waiter gets the failure and the next {@code get} tries again.
 *
 * <p><b>Bound.</b> The sum of cached entries' lengths stays at or below {@code maxBytes}; least recently used entries
 * are evicted first. An entry larger than the whole bound is loaded, returned and not kept ("bypass"); with
 * {@code maxBytes = 0} the cache is off and every get is a bypass — the benchmark's "cache off" cell.
 *
 * <p><b>What the bound does not bound.</b> An evicted direct buffer is freed only when the garbage collector finds
 * it (and every view handed out) unreachable; it cannot be reused earlier, because a slow client may still be
 * writing a view of it (reuse would need reference counting). A server that allocates little heap runs few GCs, so
 * under a stream of misses direct memory grows far past {@code maxBytes} — up to {@code -XX:MaxDirectMemorySize},
 * where the JDK forces a GC before allocating more (a {@code CacheBench} smoke run: a 4 MiB cache, over 1 GiB of
 * direct memory). Watch {@code streamlab_jvm_direct_buffer_bytes}; size the cache for a high hit ratio and cap
 * direct memory explicitly.
 *
 * @param <K> the key type: records with value equality
 */
public final class ChunkCache<K extends CacheKey> {
    /** Loads the bytes of a key on a miss. The buffer's remaining bytes are the entry; it must not be changed after. */
    @FunctionalInterface
    public interface Loader<K> {
        ByteBuffer load(K key) throws IOException;
    }

    /** The numbers {@code /metrics} exports, read at once. */
    public record Stats(long hits, long misses, long bypasses, long evictions, long bytesSaved, long loadedBytes,
                        long residentBytes, int entries) {
        /** Hits per lookup, 0 before the first. */
        public double hitRatio() {
            long all = hits + misses + bypasses;
            return all == 0 ? 0 : (double) hits / all;
        }
    }

    private final long maxBytes;
    private final ReentrantLock lock = new ReentrantLock();
    /** Access order: iteration starts at the least recently used entry. Guarded by {@link #lock}. */
    private final LinkedHashMap<K, ByteBuffer> entries = new LinkedHashMap<>(64, 0.75f, true);
    /** Loads in progress, one per key. Guarded by {@link #lock}. */
    private final Map<K, CompletableFuture<ByteBuffer>> loading = new HashMap<>();
    private long resident; // guarded by lock

    private final Counter hits;
    private final Counter misses;
    private final Counter bypasses;
    private final Counter evictions;
    private final Counter bytesSaved;
    private final Counter loadedBytes;
    private final LongAdder sentBytes = new LongAdder();

    /**
     * An empty cache whose metrics ({@code streamlab_cache_*}) are registered in {@code registry}; one cache per
     * registry.
     *
     * @param maxBytes the bound on the cached bytes; 0 turns caching off (every get loads)
     * @throws IllegalArgumentException if {@code maxBytes} is negative or the registry already has a cache
     */
    public ChunkCache(long maxBytes, MetricsRegistry registry) {
        if (maxBytes < 0) throw new IllegalArgumentException("maxBytes " + maxBytes + " < 0");
        this.maxBytes = maxBytes;
        hits = registry.counter("streamlab_cache_hits_total",
                "Chunk cache lookups answered from memory, by kind (range: file chunks, segment: remuxed fMP4).",
                "kind");
        misses = registry.counter("streamlab_cache_misses_total",
                "Chunk cache lookups that loaded the entry (concurrent misses for one key count once).", "kind");
        bypasses = registry.counter("streamlab_cache_bypasses_total",
                "Lookups for entries larger than the whole cache (or with the cache off): loaded, not kept.", "kind");
        evictions = registry.counter("streamlab_cache_evictions_total",
                "Entries evicted, least recently used first, to stay within the byte bound.", "kind");
        bytesSaved = registry.counter("streamlab_cache_bytes_saved_total",
                "Bytes answered from the cache: reads (range) or remuxing (segment) that did not happen.", "kind");
        loadedBytes = registry.counter("streamlab_cache_loaded_bytes_total",
                "Bytes loaded into the cache (or for a bypass): 1 user-space copy each.", "kind");
        for (String kind : new String[] {"range", "segment"}) {
            // Present from the start, so a dashboard shows 0 rather than "no data".
            for (Counter c : new Counter[] {hits, misses, bypasses, evictions, bytesSaved, loadedBytes}) {
                c.labels(kind).add(0);
            }
        }
        registry.gauge("streamlab_cache_capacity_bytes", "The chunk cache's byte bound (0: off).", () -> maxBytes);
        registry.gauge("streamlab_cache_resident_bytes", "Bytes held by cached entries now.", this::residentBytes);
        registry.gauge("streamlab_cache_entries", "Entries cached now.", () -> stats().entries());
        registry.gauge("streamlab_cache_hit_ratio", "Hits per lookup since the start, all kinds.",
                () -> stats().hitRatio());
        registry.gauge("streamlab_cache_copies_per_byte", "User-space copies per byte sent from the cache: bytes"
                + " loaded (1 copy each) over bytes sent; a hit adds none.", () -> {
                    long sent = sentBytes.sum();
                    return sent == 0 ? 0 : (double) loadedBytes.total() / sent;
                });
    }

    /**
     * The entry for {@code key}: a read-only view positioned at 0 over the cached bytes, loading it first on a miss
     * (once, however many threads ask at the same time).
     *
     * @throws IOException when the loader fails (also thrown to every thread that waited for that load)
     */
    public <T extends K> ByteBuffer get(T key, Loader<? super T> loader) throws IOException {
        Objects.requireNonNull(key, "key");
        CompletableFuture<ByteBuffer> mine;
        CompletableFuture<ByteBuffer> theirs;
        lock.lock();
        try {
            ByteBuffer hit = entries.get(key);
            if (hit != null) {
                hits.labels(key.kind()).increment();
                bytesSaved.labels(key.kind()).add(hit.remaining());
                return hit.duplicate();
            }
            theirs = loading.get(key);
            mine = theirs == null ? new CompletableFuture<>() : null;
            if (mine != null) loading.put(key, mine);
        } finally {
            lock.unlock();
        }
        if (theirs != null) return awaitLoad(key, theirs);
        return load(key, loader, mine);
    }

    /** Counts body bytes a route sent from cached views: the denominator of copies per byte. */
    public void sent(long bytes) {
        sentBytes.add(bytes);
    }

    /** Drops every entry (loads in progress finish and are kept). */
    public void clear() {
        lock.lock();
        try {
            entries.clear();
            resident = 0;
        } finally {
            lock.unlock();
        }
    }

    public long maxBytes() {
        return maxBytes;
    }

    public long residentBytes() {
        lock.lock();
        try {
            return resident;
        } finally {
            lock.unlock();
        }
    }

    public Stats stats() {
        int n;
        long r;
        lock.lock();
        try {
            n = entries.size();
            r = resident;
        } finally {
            lock.unlock();
        }
        return new Stats(hits.total(), misses.total(), bypasses.total(), evictions.total(), bytesSaved.total(),
                loadedBytes.total(), r, n);
    }

    /** Loads outside the lock, then inserts and evicts under it, then wakes the waiters. */
    private <T extends K> ByteBuffer load(T key, Loader<? super T> loader, CompletableFuture<ByteBuffer> mine)
            throws IOException {
        ByteBuffer stored;
        try {
            ByteBuffer loaded = Objects.requireNonNull(loader.load(key), "the loader returned null");
            // slice: position 0 over exactly the entry; read-only: no holder of a view can change what others see.
            stored = loaded.slice().asReadOnlyBuffer();
        } catch (IOException | RuntimeException | Error e) {
            lock.lock();
            try {
                loading.remove(key, mine);
            } finally {
                lock.unlock();
            }
            mine.completeExceptionally(e);
            throw e;
        }
        long size = stored.remaining();
        boolean keep = size <= maxBytes;
        loadedBytes.labels(key.kind()).add(size);
        (keep ? misses : bypasses).labels(key.kind()).increment();
        lock.lock();
        try {
            loading.remove(key, mine);
            if (keep) {
                ByteBuffer old = entries.put(key, stored);
                resident += size - (old == null ? 0 : old.remaining());
                evictOverBound();
            }
        } finally {
            lock.unlock();
        }
        mine.complete(stored);
        return stored.duplicate();
    }

    private ByteBuffer awaitLoad(K key, CompletableFuture<ByteBuffer> theirs) throws IOException {
        try {
            ByteBuffer b = theirs.get(); // parks a virtual thread without pinning it
            // Served by someone else's load: for this caller it is a hit (no bytes read or remuxed on its behalf).
            hits.labels(key.kind()).increment();
            bytesSaved.labels(key.kind()).add(b.remaining());
            return b.duplicate();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for another thread's load of " + key);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) throw new IOException("loading " + key + " failed: " + io.getMessage(), io);
            if (cause instanceof RuntimeException re) throw re;
            if (cause instanceof Error err) throw err;
            throw new UncheckedIOException(new IOException(cause));
        }
    }

    /** Guarded by {@link #lock}. */
    private void evictOverBound() {
        Iterator<Map.Entry<K, ByteBuffer>> it = entries.entrySet().iterator();
        while (resident > maxBytes && it.hasNext()) {
            Map.Entry<K, ByteBuffer> eldest = it.next();
            resident -= eldest.getValue().remaining();
            evictions.labels(eldest.getKey().kind()).increment();
            it.remove();
        }
    }

    @Override
    public String toString() {
        Stats s = stats();
        return "ChunkCache[" + s.entries() + " entries, " + s.residentBytes() + "/" + maxBytes + " bytes, hit ratio "
                + String.format(java.util.Locale.ROOT, "%.3f", s.hitRatio()) + "]";
    }
}
