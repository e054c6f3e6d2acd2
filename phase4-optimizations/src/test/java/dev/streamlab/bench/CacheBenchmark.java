package dev.streamlab.bench;

import dev.streamlab.cache.CacheKey;
import dev.streamlab.cache.ChunkCache;
import dev.streamlab.metrics.MetricsRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/*
 * Phase 4's question for the chunk cache's hit path: does a hit cost the same for a 64 KiB chunk as for a 4 MiB one
 * ("views, not copies")?
 *
 *   baseline  the key lookup work without the cache: builds the key (what every get does first)
 *   hit       ChunkCache.get on a cached key: a duplicate() of the read-only entry
 *   copyHit   what a cache handing out copies would do: the hit, then the entry copied into a new heap buffer
 *
 * Read gc.alloc.rate.norm (bytes allocated per op): hit is a small constant (the key, the view object), the same for
 * every chunkSize; copyHit grows with chunkSize. The time per op says the same thing in nanoseconds.
 *
 * How to run: ./lab bench phase4-cache-views (= scripts/bench.sh phase4-cache-views: JMH -f 1 -wi 3 -i 5 -w 1s -r 1s
 * -prof gc, table in phase4-optimizations/bench-results/phase4-cache-views.md; ./lab bench phase4-cache is the load
 * test, not this). `mvn verify` smoke-runs it briefly.
 *
 * Full run (bench-results/phase4-cache-views.md; 2 shared cores with other work running, JDK 25.0.3), bytes per op,
 * which do not depend on the machine's load, and the hit's time, which was steady:
 *   chunkSize   baseline   hit   copyHit     hit ns/op
 *      64 KiB       16     128     65 738    44.3 ± 7.3
 *       1 MiB       16     128  1 048 792    44.8 ± 14.4
 *       4 MiB       16     128  4 194 521    41.9 ± 1.8
 * hit: the key (16 B), the read-only view (~64 B) and the loader lambda: constant. copyHit's times varied 7.5-497 us
 * per iteration for 64 KiB on the loaded machine (see the phase 4 README).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CacheBenchmark {
    record Key(int n) implements CacheKey {
        @Override
        public String kind() {
            return "range";
        }
    }

    @Param({"65536", "1048576", "4194304"})
    int chunkSize;

    ChunkCache<Key> cache;
    int n = 1;

    @Setup
    public void setUp() throws IOException {
        cache = new ChunkCache<>(64L << 20, new MetricsRegistry());
        cache.get(new Key(n), k -> ByteBuffer.allocateDirect(chunkSize));
    }

    @Benchmark
    public Key baseline() {
        return new Key(n);
    }

    @Benchmark
    public ByteBuffer hit() throws IOException {
        return cache.get(new Key(n), k -> { throw new IOException("a hit must not load"); });
    }

    @Benchmark
    public ByteBuffer copyHit() throws IOException {
        ByteBuffer view = cache.get(new Key(n), k -> { throw new IOException("a hit must not load"); });
        return ByteBuffer.allocate(view.remaining()).put(view).flip();
    }
}
