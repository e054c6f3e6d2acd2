package dev.streamlab.pixels;

/** Decided once per JVM: whether the vector variant can run here ({@link PixelOps.Variant#best()}). */
final class BestVariant {
    private BestVariant() {}

    static final PixelOps.Variant VARIANT = decide();

    private static PixelOps.Variant decide() {
        if (!PixelOps.vectorApiAvailable()) return PixelOps.Variant.IN_PLACE;
        try {
            new VectorOps(); // initialises its species: fails on a JVM whose Vector API cannot provide them
            return PixelOps.Variant.VECTOR;
        } catch (RuntimeException | LinkageError e) {
            return PixelOps.Variant.IN_PLACE;
        }
    }
}
