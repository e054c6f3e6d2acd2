package dev.streamlab.pixels;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The pixel operations of the processed-live view, by their wire names ({@code ?filter=grayscale}).
 *
 * <p>Every operation is defined by integer arithmetic that the three variants ({@link PixelOps.Variant}) reproduce
 * bit for bit, so tests can demand identical output.
 */
public enum Filter {
    /** The frame as decoded. */
    NONE("none"),
    /** Chroma planes set to 128 (no colour); luma untouched. */
    GRAYSCALE("grayscale"),
    /** Luma {@code clamp(((y - 128) * CONTRAST_Q8 >> 8) + 128 + BRIGHTNESS)}: more contrast, a little brighter. */
    BRIGHTNESS("brightness"),
    /** 3x3 box blur of every plane, edges replicated; the sum of 9 divided as {@code sum * 7282 >>> 16}. */
    BLUR("blur"),
    /** Half width and height: each output pixel the rounded mean of a 2x2 block, {@code (a + b + c + d + 2) >> 2}. */
    DOWNSCALE("downscale"),
    /** Picture-in-picture: a half-size copy of the frame (the 2x2 means of DOWNSCALE) inset in the top-left corner, framed. */
    PIP("pip");

    /** Brightness offset added to luma. */
    public static final int BRIGHTNESS_OFFSET = 16;
    /** Contrast as a Q8 fixed-point factor: 352 / 256 = 1.375. */
    public static final int CONTRAST_Q8 = 352;

    private final String wireName;

    Filter(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Every wire name, comma-separated, for error messages. */
    public static String names() {
        return Arrays.stream(values()).map(Filter::wireName).collect(Collectors.joining(", "));
    }

    /**
     * The filter with this wire name; null or empty means {@link #NONE}.
     *
     * @throws IllegalArgumentException naming the valid filters
     */
    public static Filter parse(String name) {
        if (name == null || name.isEmpty()) return NONE;
        String n = name.toLowerCase(Locale.ROOT);
        for (Filter f : values()) if (f.wireName.equals(n)) return f;
        String shown = name.length() > 40 ? name.substring(0, 40) + "..." : name;
        throw new IllegalArgumentException("unknown filter '" + shown + "'; use one of: " + names());
    }
}
