package dev.streamlab.cache;

import dev.streamlab.metrics.Counter;
import dev.streamlab.metrics.MetricsRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

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
 * <p><b>Reuse: leases.</b> A buffer handed out by {@link #get} may be written by a slow client long after its entry
 * was evicted, so its memory can only be freed by the garbage collector once nothing refers to it. A caller that
 * knows when it is done — a route whose blocking write has returned — takes a {@link Lease} instead
 * ({@link #lease}): the entry counts its open leases, and once it is out of the cache (evicted, or a bypass that was
 * never kept) and the last lease is closed, its buffer goes to the recycler the loader named, to be filled by the
 * next miss. Why it matters: with a fresh {@code allocateDirect} per miss, a profile of the miss-heavy benchmark cells
 * spent ~60 % of the CPU on new memory (the kernel zeroing fresh pages, the JDK zeroing them again, {@code munmap}
 * shooting down TLB entries) and direct memory grew far past the bound, to {@code -XX:MaxDirectMemorySize}, between
 * GCs (README, "Chunk cache"). An entry any {@link #get} handed out is never recycled: its views have no end. So
 * where entries go out through {@code get} (the segments of {@code /ws/stream}, whose views wait in WebSocket send
 * queues), a stream of misses can still hold far more direct memory than {@code maxBytes} until a GC, up to
 * {@code -XX:MaxDirectMemorySize}: watch {@code streamlab_jvm_direct_buffer_bytes} and cap direct memory explicitly.
 *
 * @param <K> the key type: records with value equality
 */
public final class ChunkCache<K extends CacheKey> {
    /** Loads the bytes of a key on a miss. The buffer's remaining bytes are the entry; it must not be changed after. */
    @FunctionalInterface
    public interface Loader<K> {
        ByteBuffer load(K key) throws IOException;
    }

    /**
     * A view of a cached entry that says when it is no longer used: {@link #close} after the last write of the view
     * has returned (a blocking write has handed every byte to the kernel by then). Closing twice does nothing.
     */
    public final class Lease implements AutoCloseable {
        private final Entry entry;
        private final ByteBuffer view;
        private boolean closed;

        private Lease(Entry entry, int from, int to) {
            this.entry = entry;
            int size = entry.stored.remaining();
            this.view = entry.stored.duplicate().limit(Math.min(to, size)).position(Math.min(from, size));
        }

        /**
         * A read-only view over the part of the entry the lease was taken for (the whole entry unless
         * {@link #lease(CacheKey, Loader, Consumer, int, int)} said less); its position and limit are the holder's to
         * move.
         */
        public ByteBuffer view() {
            return view;
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            boolean free;
            lock.lock();
            try {
                entry.holds--;
                free = entry.reusable();
                if (free) entry.recycled = true;
            } finally {
                lock.unlock();
            }
            if (free) giveBack(entry);
        }
    }

    /**
     * A loaded buffer, its read-only form and who holds it. Mutable fields are guarded by {@link #lock}. It is
     * recycled once: when it is out of the cache, no lease is open, no {@link #get} ever handed it out, and the
     * loader gave a recycler.
     */
    private static final class Entry {
        final String kind;
        final ByteBuffer loaded;
        final ByteBuffer stored;
        final Consumer<ByteBuffer> recycler;
        int holds;
        boolean cached;
        boolean escaped;
        boolean recycled;

        Entry(String kind, ByteBuffer loaded, Consumer<ByteBuffer> recycler) {
            this.kind = kind;
            this.loaded = loaded;
            // slice: position 0 over exactly the entry; read-only: no holder of a view can change what others see.
            this.stored = loaded.slice().asReadOnlyBuffer();
            this.recycler = recycler;
        }

        boolean reusable() {
            return recycler != null && !recycled && !cached && !escaped && holds == 0;
        }
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
    private final LinkedHashMap<K, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);
    /** Loads in progress, one per key. Guarded by {@link #lock}. */
    private final Map<K, CompletableFuture<Entry>> loading = new HashMap<>();
    private long resident; // guarded by lock

    private final Counter hits;
    private final Counter misses;
    private final Counter bypasses;
    private final Counter evictions;
    private final Counter bytesSaved;
    private final Counter loadedBytes;
    private final Counter recycled;
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
                "Bytes of cached entries a hit's caller used (the part of a chunk a range needed, not the whole"
                        + " chunk): reads (range) or remuxing (segment) that did not happen.", "kind");
        loadedBytes = registry.counter("streamlab_cache_loaded_bytes_total",
                "Bytes loaded into the cache (or for a bypass): 1 user-space copy each.", "kind");
        recycled = registry.counter("streamlab_cache_recycled_total",
                "Loaded buffers handed back for reuse: out of the cache and no lease open (ChunkCache.lease).", "kind");
        for (String kind : new String[] {"range", "segment"}) {
            // Present from the start, so a dashboard shows 0 rather than "no data".
            for (Counter c : new Counter[] {hits, misses, bypasses, evictions, bytesSaved, loadedBytes, recycled}) {
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
     * (once, however many threads ask at the same time). The view has no end of use, so its buffer is never recycled;
     * a caller that can say when it is done takes a {@link #lease} instead.
     *
     * @throws IOException when the loader fails (also thrown to every thread that waited for that load)
     */
    public <T extends K> ByteBuffer get(T key, Loader<? super T> loader) throws IOException {
        return acquire(key, loader, null, false, 0, Integer.MAX_VALUE).stored.duplicate();
    }

    /**
     * Like {@link #get}, as a {@link Lease}: once the entry is out of the cache and every lease of it is closed, the
     * buffer the loader returned goes to {@code recycler} (a pool the loader takes its next buffer from). Close the
     * lease when the view's last write has returned; a lease never closed only keeps its buffer from being reused.
     *
     * @throws IOException when the loader fails (also thrown to every thread that waited for that load)
     */
    public <T extends K> Lease lease(T key, Loader<? super T> loader, Consumer<ByteBuffer> recycler)
            throws IOException {
        return lease(key, loader, recycler, 0, Integer.MAX_VALUE);
    }

    /**
     * Like {@link #lease(CacheKey, Loader, Consumer)}, for bytes {@code [from, to)} of the entry alone (a {@code to}
     * past the entry's end means its end): the lease's view covers just them, and a hit counts just them in
     * {@code streamlab_cache_bytes_saved_total}. A 2-byte range answered from a cached 1 MiB chunk saved a read of 2
     * bytes, not of the chunk; counting the chunk made the metric grow by 1 MiB per tiny request.
     *
     * @throws IllegalArgumentException if {@code from < 0} or {@code to < from}
     * @throws IOException when the loader fails (also thrown to every thread that waited for that load)
     */
    public <T extends K> Lease lease(T key, Loader<? super T> loader, Consumer<ByteBuffer> recycler, int from,
            int to) throws IOException {
        if (from < 0 || to < from) throw new IllegalArgumentException("bytes [" + from + ", " + to + ") of an entry");
        return new Lease(acquire(key, loader, Objects.requireNonNull(recycler, "recycler"), true, from, to), from, to);
    }

    /**
     * The entry for {@code key}, held by a lease ({@code lease}) or marked handed out for good; a hit counts bytes
     * {@code [from, to)} of it (clamped to the entry) as saved.
     */
    private <T extends K> Entry acquire(T key, Loader<? super T> loader, Consumer<ByteBuffer> recycler,
            boolean lease, int from, int to) throws IOException {
        Objects.requireNonNull(key, "key");
        while (true) {
            CompletableFuture<Entry> mine;
            CompletableFuture<Entry> theirs;
            lock.lock();
            try {
                Entry hit = entries.get(key);
                if (hit != null) {
                    hits.labels(key.kind()).increment();
                    bytesSaved.labels(key.kind()).add(used(hit, from, to));
                    return hold(hit, lease);
                }
                theirs = loading.get(key);
                mine = theirs == null ? new CompletableFuture<>() : null;
                if (mine != null) loading.put(key, mine);
            } finally {
                lock.unlock();
            }
            if (theirs == null) return load(key, loader, recycler, lease, mine);
            Entry loaded = awaitLoad(key, theirs);
            lock.lock();
            try {
                // Another thread's load, but maybe a bypass whose leases were all closed (and recycled) before this
                // thread woke up: then its buffer holds someone else's bytes by now, and this thread asks again.
                if (!loaded.recycled) {
                    // Served by someone else's load: for this caller it is a hit (nothing read on its behalf).
                    hits.labels(key.kind()).increment();
                    bytesSaved.labels(key.kind()).add(used(loaded, from, to));
                    return hold(loaded, lease);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** How many of bytes {@code [from, to)} the entry has. */
    private static long used(Entry e, int from, int to) {
        int size = e.stored.remaining();
        return Math.min(to, size) - Math.min(from, size);
    }

    /** Guarded by {@link #lock}. */
    private static Entry hold(Entry e, boolean lease) {
        if (lease) {
            e.holds++;
        } else {
            e.escaped = true;
        }
        return e;
    }

    /** Counts body bytes a route sent from cached views: the denominator of copies per byte. */
    public void sent(long bytes) {
        sentBytes.add(bytes);
    }

    /** Drops every entry (loads in progress finish and are kept). */
    public void clear() {
        List<Entry> free = new ArrayList<>();
        lock.lock();
        try {
            for (Entry e : entries.values()) drop(e, free);
            entries.clear();
        } finally {
            lock.unlock();
        }
        recycle(free);
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
    private <T extends K> Entry load(T key, Loader<? super T> loader, Consumer<ByteBuffer> recycler, boolean lease,
            CompletableFuture<Entry> mine) throws IOException {
        Entry e;
        try {
            e = new Entry(key.kind(), Objects.requireNonNull(loader.load(key), "the loader returned null"), recycler);
        } catch (IOException | RuntimeException | Error failure) {
            lock.lock();
            try {
                loading.remove(key, mine);
            } finally {
                lock.unlock();
            }
            mine.completeExceptionally(failure);
            throw failure;
        }
        long size = e.stored.remaining();
        boolean keep = size <= maxBytes;
        loadedBytes.labels(key.kind()).add(size);
        (keep ? misses : bypasses).labels(key.kind()).increment();
        List<Entry> free = new ArrayList<>(2);
        lock.lock();
        try {
            loading.remove(key, mine);
            hold(e, lease);
            if (keep) {
                e.cached = true;
                Entry old = entries.put(key, e);
                resident += size;
                if (old != null) drop(old, free); // not expected (one load per key), but resident stays exact
                evictOverBound(free);
            }
        } finally {
            lock.unlock();
        }
        recycle(free);
        mine.complete(e);
        return e;
    }

    private Entry awaitLoad(K key, CompletableFuture<Entry> theirs) throws IOException {
        try {
            return theirs.get(); // parks a virtual thread without pinning it
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

    /** Guarded by {@link #lock}: least recently used entries out until the bound holds. */
    private void evictOverBound(List<Entry> free) {
        Iterator<Map.Entry<K, Entry>> it = entries.entrySet().iterator();
        while (resident > maxBytes && it.hasNext()) {
            Map.Entry<K, Entry> eldest = it.next();
            evictions.labels(eldest.getKey().kind()).increment();
            it.remove();
            drop(eldest.getValue(), free);
        }
    }

    /** Guarded by {@link #lock}: an entry leaves the cache; its buffer is free now if no lease holds it. */
    private void drop(Entry e, List<Entry> free) {
        resident -= e.stored.remaining();
        e.cached = false;
        if (e.reusable()) {
            e.recycled = true;
            free.add(e);
        }
    }

    /** Outside the lock: the recyclers may do anything, and take their time. */
    private void recycle(List<Entry> free) {
        for (Entry e : free) giveBack(e);
    }

    /** Outside the lock: an entry marked recycled hands its buffer to its recycler. */
    private void giveBack(Entry e) {
        recycled.labels(e.kind).increment();
        e.recycler.accept(e.loaded);
    }

    @Override
    public String toString() {
        Stats s = stats();
        return "ChunkCache[" + s.entries() + " entries, " + s.residentBytes() + "/" + maxBytes + " bytes, hit ratio "
                + String.format(java.util.Locale.ROOT, "%.3f", s.hitRatio()) + "]";
    }
}
