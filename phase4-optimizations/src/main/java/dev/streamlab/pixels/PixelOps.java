package dev.streamlab.pixels;

/**
 * Applies a {@link Filter} to a picture. Three variants compute the same bytes in different ways — the subject of
 * {@code PixelBenchmark}:
 *
 * <ul>
 *   <li>{@link Variant#NAIVE}: reads every plane pixel by pixel into a fresh array (copy 1), computes into another
 *       fresh array (copy 2), returns a new picture: two full-frame allocations per frame;</li>
 *   <li>{@link Variant#IN_PLACE}: writes the result over the input buffer, scalar loops, row scratch reused across
 *       frames: no allocation per frame (blur copies each row once into a reused scratch row, because a row's new
 *       values must not feed its neighbours);</li>
 *   <li>{@link Variant#VECTOR}: the in-place algorithm with {@code jdk.incubator.vector} lanes (needs
 *       {@code --add-modules jdk.incubator.vector}).</li>
 * </ul>
 *
 * <p>An instance keeps scratch rows between calls: one per stream, not shared between threads.
 */
public sealed interface PixelOps permits NaiveOps, InPlaceOps {

    /**
     * The filtered picture: for the in-place variants, views of {@code image}'s own buffers (which must be
     * writable); {@link Filter#DOWNSCALE} returns a smaller picture packed at the start of the same buffers.
     */
    YuvImage apply(Filter filter, YuvImage image);

    Variant variant();

    enum Variant {
        NAIVE, IN_PLACE, VECTOR;

        /** A fresh instance (its own scratch). */
        public PixelOps create() {
            return switch (this) {
                case NAIVE -> new NaiveOps();
                case IN_PLACE -> new InPlaceOps();
                case VECTOR -> {
                    if (!vectorApiAvailable()) {
                        throw new IllegalStateException("the Vector API is not in this JVM: run java with "
                                + "--add-modules jdk.incubator.vector");
                    }
                    yield new VectorOps();
                }
            };
        }

        /** The fastest variant this JVM runs: VECTOR when the incubator module is loaded and works, else IN_PLACE. */
        public static Variant best() {
            return BestVariant.VARIANT;
        }
    }

    /** Whether {@code jdk.incubator.vector} is in the boot layer (it is only with {@code --add-modules}). */
    static boolean vectorApiAvailable() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }
}
