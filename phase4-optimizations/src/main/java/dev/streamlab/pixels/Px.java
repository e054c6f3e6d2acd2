package dev.streamlab.pixels;

/** The per-pixel arithmetic every variant shares, so their outputs can be compared byte for byte. */
final class Px {
    private Px() {}

    static final int GRAY = 128;
    /** The PIP frame colour: video white (limited range). */
    static final int FRAME = 235;

    /** {@code sum / 9} for sums of nine bytes (0..2295) without a division, exact there (checked by a test). */
    static int div9(int sum) {
        return (sum * 7282) >>> 16;
    }

    static int brightness(int y) {
        int v = (((y - 128) * Filter.CONTRAST_Q8) >> 8) + 128 + Filter.BRIGHTNESS_OFFSET;
        return Math.clamp(v, 0, 255);
    }

    static int mean4(int a, int b, int c, int d) {
        return (a + b + c + d + 2) >> 2;
    }

    /** Output size of a halved dimension: at least 1. */
    static int half(int n) {
        return Math.max(1, n / 2);
    }
}
