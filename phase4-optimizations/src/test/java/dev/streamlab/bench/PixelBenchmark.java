package dev.streamlab.bench;

import dev.streamlab.pixels.Filter;
import dev.streamlab.pixels.PixelOps;
import dev.streamlab.pixels.YuvImage;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/*
 * Phase 4's frame-processing question: for a pixel operation on a 4:2:0 frame, what do per-pixel code with copies
 * (naive), a scalar loop over the frame buffer (inPlace) and SIMD lanes (vector, jdk.incubator.vector) cost, in
 * time and in bytes allocated per frame?
 *
 * One op = one frame: the source frame (random pixels, fixed seed) is copied into a work buffer — the copy the
 * processed stream makes from its read-only mapping, identical for every variant and measured alone by baseline()
 * — then the filter runs. naive returns fresh arrays (expect ~2 frames of gc.alloc.rate.norm: 1.5 bytes/pixel
 * each); inPlace and vector should allocate ~0.
 *
 * How to run: ./lab bench phase4-pixels   (-prof gc is on; mvn verify runs a 320x180 smoke pass)
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms512m", "-Xmx512m"})
public class PixelBenchmark {
    /** The source frame and the work buffer; baseline() uses only this, so it is not repeated per op and variant. */
    @State(Scope.Thread)
    public static class Frames {
        /** The proxies' size, and 720p. */
        @Param({"320x180", "1280x720"})
        public String frame;

        YuvImage source;
        ByteBuffer work;

        @Setup(Level.Trial)
        public void setUp() {
            String[] wh = frame.split("x");
            int w = Integer.parseInt(wh[0]), h = Integer.parseInt(wh[1]);
            source = YuvImage.allocate(w, h);
            Random r = new Random(42);
            for (ByteBuffer p : new ByteBuffer[] {source.y(), source.u(), source.v()}) {
                byte[] b = new byte[p.capacity()];
                r.nextBytes(b);
                p.put(0, b);
            }
            work = ByteBuffer.allocate(YuvImage.frameBytes(w, h));
        }
    }

    @State(Scope.Thread)
    public static class Ops {
        @Param({"grayscale", "brightness", "blur", "downscale", "pip"})
        public String op;

        @Param({"naive", "inPlace", "vector"})
        public String variant;

        Filter filter;
        PixelOps ops;

        @Setup(Level.Trial)
        public void setUp() {
            filter = Filter.parse(op);
            ops = switch (variant) {
                case "naive" -> PixelOps.Variant.NAIVE.create();
                case "inPlace" -> PixelOps.Variant.IN_PLACE.create();
                case "vector" -> PixelOps.Variant.VECTOR.create();
                default -> throw new IllegalArgumentException("variant " + variant);
            };
        }
    }

    /** The frame copy alone: subtract it from apply's time to see the filter's own cost. */
    @Benchmark
    public YuvImage baseline(Frames f) {
        return f.source.copyInto(f.work);
    }

    @Benchmark
    public YuvImage apply(Frames f, Ops o) {
        return o.ops.apply(o.filter, f.source.copyInto(f.work));
    }
}
