package dev.streamlab.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.metrics.MetricsRegistry;
import dev.streamlab.testing.Await;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ChunkCacheTest {
    /** A test key: its number is also the byte its entry is filled with. */
    record Key(int n, String kind) implements CacheKey {
        Key(int n) {
            this(n, "range");
        }
    }

    final MetricsRegistry registry = new MetricsRegistry();
    final AtomicInteger loads = new AtomicInteger();

    ByteBuffer filled(Key k, int size) {
        loads.incrementAndGet();
        ByteBuffer b = ByteBuffer.allocateDirect(size);
        while (b.hasRemaining()) b.put((byte) k.n());
        return b.flip();
    }

    ByteBuffer get(ChunkCache<Key> cache, int n, int size) throws IOException {
        return cache.get(new Key(n), k -> filled(k, size));
    }

    @Test
    void evictsTheLeastRecentlyUsedEntryFirst() throws IOException {
        ChunkCache<Key> cache = new ChunkCache<>(300, registry);
        get(cache, 1, 100);
        get(cache, 2, 100);
        get(cache, 3, 100);
        get(cache, 1, 100); // 1 is now the most recent; 2 the least
        get(cache, 4, 100); // evicts 2
        assertEquals(4, loads.get());
        get(cache, 1, 100);
        get(cache, 3, 100);
        get(cache, 4, 100);
        assertEquals(4, loads.get(), "1, 3 and 4 stayed");
        get(cache, 2, 100);
        assertEquals(5, loads.get(), "2 was evicted");
        assertEquals(2, cache.stats().evictions());
    }

    @Test
    void residentBytesNeverExceedTheBound() throws IOException {
        ChunkCache<Key> cache = new ChunkCache<>(1000, registry);
        for (int i = 0; i < 200; i++) {
            get(cache, i % 37, 1 + (i * 97) % 400);
            assertTrue(cache.residentBytes() <= 1000, "resident " + cache.residentBytes());
        }
        assertTrue(cache.stats().evictions() > 0);
        assertTrue(cache.stats().entries() > 1);
    }

    @Test
    void anEntryLargerThanTheWholeBoundIsReturnedButNotKept() throws IOException {
        ChunkCache<Key> cache = new ChunkCache<>(100, registry);
        get(cache, 1, 60);
        ByteBuffer big = get(cache, 2, 101);
        assertEquals(101, big.remaining());
        assertEquals(2, big.get(100));
        get(cache, 2, 101);
        assertEquals(3, loads.get(), "the large entry is loaded each time");
        assertEquals(60, cache.residentBytes(), "and did not push the small one out");
        assertEquals(2, cache.stats().bypasses());
        assertEquals(0, cache.stats().evictions());
    }

    @Test
    void aZeroBoundTurnsCachingOff() throws IOException {
        ChunkCache<Key> cache = new ChunkCache<>(0, registry);
        get(cache, 1, 10);
        get(cache, 1, 10);
        assertEquals(2, loads.get());
        assertEquals(0, cache.stats().hits());
        assertEquals(0, cache.residentBytes());
    }

    @Test
    void concurrentMissesForOneKeyWaitForASingleLoad() throws Exception {
        ChunkCache<Key> cache = new ChunkCache<>(1 << 20, registry);
        CountDownLatch gate = new CountDownLatch(1);
        int threads = 50;
        List<Thread> started = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<ByteBuffer>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    synchronized (started) {
                        started.add(Thread.currentThread());
                    }
                    return cache.get(new Key(7), k -> {
                        try {
                            gate.await(); // hold the load open until every caller is waiting
                        } catch (InterruptedException e) {
                            throw new IOException(e);
                        }
                        return filled(k, 1000);
                    });
                }));
            }
            assertTrue(Await.until(Duration.ofSeconds(10), () -> {
                synchronized (started) {
                    return started.size() == threads
                            && started.stream().allMatch(t -> t.getState() == Thread.State.WAITING);
                }
            }), "all callers waiting");
            gate.countDown();
            for (Future<ByteBuffer> f : results) {
                ByteBuffer b = f.get();
                assertEquals(1000, b.remaining());
                assertEquals(7, b.get(999));
            }
        }
        assertEquals(1, loads.get(), "one load for " + threads + " concurrent misses");
        assertEquals(1, cache.stats().misses());
        assertEquals(threads - 1, cache.stats().hits());
    }

    @Test
    void aFailedLoadReachesEveryWaiterAndTheNextGetTriesAgain() throws Exception {
        ChunkCache<Key> cache = new ChunkCache<>(1 << 20, registry);
        IOException thrown = assertThrows(IOException.class,
                () -> cache.get(new Key(1), k -> { throw new IOException("disk on fire"); }));
        assertEquals("disk on fire", thrown.getMessage());
        assertEquals(0, cache.stats().entries());
        assertEquals(5, get(cache, 1, 5).remaining(), "retried after the failure");
    }

    @Test
    void viewsShareTheCachedMemoryAndAreReadOnly() throws IOException {
        ChunkCache<Key> cache = new ChunkCache<>(1 << 20, registry);
        ByteBuffer original = ByteBuffer.allocateDirect(64);
        ByteBuffer first = cache.get(new Key(1), k -> original);
        ByteBuffer second = cache.get(new Key(1), k -> { throw new AssertionError("a hit must not load"); });
        assertNotSame(first, second);
        assertTrue(first.isReadOnly() && second.isReadOnly() && first.isDirect());
        assertThrows(ReadOnlyBufferException.class, () -> second.put(0, (byte) 1));
        // Same memory: a byte changed through the loader's own (writable) buffer shows in every view handed out.
        original.put(10, (byte) 42);
        assertEquals(42, first.get(10));
        assertEquals(42, second.get(10));
        // Independent positions: moving one view does not move the other or the cached entry.
        first.position(30);
        assertEquals(0, second.position());
        assertEquals(0, cache.get(new Key(1), k -> original).position());
    }

    @Test
    void aHitAllocatesAViewNotACopyOfTheEntry() throws IOException {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ChunkCache<Key> cache = new ChunkCache<>(8 << 20, registry);
        get(cache, 1, 4 << 20);
        for (int i = 0; i < 1000; i++) get(cache, 1, 4 << 20); // warm up: JIT, the counters' cells
        long before = threads.getCurrentThreadAllocatedBytes();
        int hits = 100;
        for (int i = 0; i < hits; i++) get(cache, 1, 4 << 20);
        long perHit = (threads.getCurrentThreadAllocatedBytes() - before) / hits;
        assertTrue(perHit < 1024, perHit + " bytes allocated per hit of a 4 MiB entry");
    }

    @Test
    void metricsCountHitsMissesEvictionsAndBytesSavedByKind() throws IOException {
        ChunkCache<Key> cache = new ChunkCache<>(250, registry);
        cache.get(new Key(1, "segment"), k -> filled(k, 100));
        cache.get(new Key(1, "segment"), k -> filled(k, 100));
        get(cache, 2, 100);
        get(cache, 3, 100); // evicts the segment
        cache.sent(400);
        String text = registry.scrape();
        assertTrue(text.contains("streamlab_cache_hits_total{kind=\"segment\"} 1\n"), text);
        assertTrue(text.contains("streamlab_cache_hits_total{kind=\"range\"} 0\n"), text);
        assertTrue(text.contains("streamlab_cache_misses_total{kind=\"range\"} 2\n"), text);
        assertTrue(text.contains("streamlab_cache_evictions_total{kind=\"segment\"} 1\n"), text);
        assertTrue(text.contains("streamlab_cache_bytes_saved_total{kind=\"segment\"} 100\n"), text);
        assertTrue(text.contains("streamlab_cache_resident_bytes 200\n"), text);
        assertTrue(text.contains("streamlab_cache_capacity_bytes 250\n"), text);
        assertTrue(text.contains("streamlab_cache_hit_ratio 0.25\n"), text);
        assertTrue(text.contains("streamlab_cache_copies_per_byte 0.75\n"), text); // 300 loaded / 400 sent
        assertFalse(text.contains("NaN"), text);
    }

    @Test
    void aLeaseForPartOfAnEntryCountsOnlyThatPartAsSaved() throws IOException {
        ChunkCache<Key> cache = new ChunkCache<>(1000, registry);
        lease(cache, 1, 100).close(); // a miss: nothing saved
        assertEquals(0, cache.stats().bytesSaved());
        try (ChunkCache<Key>.Lease two = cache.lease(new Key(1), k -> filled(k, 100), this::recycle, 10, 12)) {
            assertEquals(2, cache.stats().bytesSaved(), "a 2-byte range from a cached 100-byte entry saved 2 bytes");
            assertEquals(10, two.view().position());
            assertEquals(12, two.view().limit());
        }
        try (ChunkCache<Key>.Lease tail = cache.lease(new Key(1), k -> filled(k, 100), this::recycle, 90, 1 << 20)) {
            assertEquals(2 + 10, cache.stats().bytesSaved(), "a span past the end stops at the entry's end");
            assertEquals(100, tail.view().limit());
        }
        lease(cache, 1, 100).close();
        assertEquals(2 + 10 + 100, cache.stats().bytesSaved(), "a lease of the whole entry: all of it");
        assertThrows(IllegalArgumentException.class,
                () -> cache.lease(new Key(1), k -> filled(k, 100), this::recycle, 5, 4));
        assertThrows(IllegalArgumentException.class,
                () -> cache.lease(new Key(1), k -> filled(k, 100), this::recycle, -1, 4));
        assertEquals(2 + 10 + 100, cache.stats().bytesSaved(), "a refused span counts nothing");
        assertEquals(3, cache.stats().hits());
    }

    // ---- leases: buffers reused once nothing holds them ----

    /** Collects what the cache hands back, after scribbling over it the way the next miss will. */
    final List<ByteBuffer> recycled = new ArrayList<>();

    void recycle(ByteBuffer b) {
        synchronized (recycled) {
            for (int i = 0; i < b.capacity(); i++) b.put(i, (byte) 0xEE);
            recycled.add(b);
        }
    }

    ChunkCache<Key>.Lease lease(ChunkCache<Key> cache, int n, int size) throws IOException {
        return cache.lease(new Key(n), k -> filled(k, size), this::recycle);
    }

    @Test
    void anEvictedEntryGoesBackToItsRecyclerOnlyWhenItsLastLeaseCloses() throws IOException {
        ChunkCache<Key> cache = new ChunkCache<>(200, registry);
        ChunkCache<Key>.Lease first = lease(cache, 1, 100);
        ChunkCache<Key>.Lease again = lease(cache, 1, 100); // a hit: a second lease of the same entry
        first.close();
        lease(cache, 2, 100).close();
        lease(cache, 3, 100).close(); // evicts 1, still leased
        assertEquals(List.of(), recycled, "leased: not reused");
        assertEquals(1, again.view().get(99), "the open lease still sees its bytes");
        again.close();
        assertEquals(1, recycled.size(), "evicted and no lease open: handed back");
        again.close(); // twice: nothing more
        lease(cache, 4, 100).close(); // evicts 2, no lease open: at once
        assertEquals(2, recycled.size());
        assertTrue(registry.scrape().contains("streamlab_cache_recycled_total{kind=\"range\"} 2\n"));
    }

    @Test
    void withTheCacheOffALeasedBufferIsReusedWhenTheLeaseCloses() throws IOException {
        ChunkCache<Key> cache = new ChunkCache<>(0, registry);
        try (ChunkCache<Key>.Lease l = lease(cache, 5, 64)) {
            assertEquals(5, l.view().get(63));
            assertEquals(List.of(), recycled);
        }
        assertEquals(1, recycled.size());
        assertEquals(1, cache.stats().bypasses());
    }

    @Test
    void anEntryEverHandedOutByGetIsNeverReused() throws IOException {
        ChunkCache<Key> cache = new ChunkCache<>(100, registry);
        lease(cache, 1, 100).close();
        ByteBuffer forever = get(cache, 1, 100); // a view with no end of use
        lease(cache, 2, 100).close(); // evicts 1
        cache.clear(); // and 2, reused: only leases held it
        assertEquals(1, recycled.size(), "2 alone was reused");
        assertEquals(1, forever.get(99), "1's memory is untouched (reusing scribbles over it)");
    }

    @Test
    void underConcurrentLeasesNoViewEverSeesAReusedBuffer() throws Exception {
        // Many threads lease random keys of a cache that holds four of sixteen, through a pool: entries are evicted,
        // reused and waited for all the time. A buffer reused while still leased would show the pool's scribble
        // (0xEE) or another key's bytes in some view; every view is checked whole before its lease closes.
        ChunkCache<Key> cache = new ChunkCache<>(4 * 256, registry);
        java.util.concurrent.ConcurrentLinkedQueue<ByteBuffer> pool = new java.util.concurrent.ConcurrentLinkedQueue<>();
        AtomicInteger bad = new AtomicInteger();
        AtomicInteger checked = new AtomicInteger();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                long seed = t;
                done.add(threads.submit(() -> {
                    java.util.Random random = new java.util.Random(seed);
                    for (int i = 0; i < 2_000; i++) {
                        int n = random.nextInt(16);
                        try (ChunkCache<Key>.Lease l = cache.lease(new Key(n), k -> {
                            ByteBuffer b = pool.poll();
                            if (b == null) b = ByteBuffer.allocateDirect(256);
                            b.clear();
                            while (b.hasRemaining()) b.put((byte) k.n());
                            return b.flip();
                        }, b -> {
                            for (int j = 0; j < b.capacity(); j++) b.put(j, (byte) 0xEE);
                            pool.offer(b);
                        })) {
                            if (i % 7 == 0) Thread.yield(); // hold some leases across other threads' work
                            ByteBuffer v = l.view();
                            for (int j = 0; j < v.limit(); j++) if (v.get(j) != (byte) n) { bad.incrementAndGet(); break; }
                            checked.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
        }
        assertEquals(16 * 2_000, checked.get());
        assertEquals(0, bad.get(), "views that saw a reused buffer");
        assertTrue(cache.stats().evictions() > 100, "the test evicted: " + cache.stats());
        assertTrue(pool.size() <= 16 + 4, "buffers in use stayed bounded by the leases and entries: " + pool.size());
    }

    @Test
    void aNegativeBoundIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ChunkCache<Key>(-1, registry));
    }
}
