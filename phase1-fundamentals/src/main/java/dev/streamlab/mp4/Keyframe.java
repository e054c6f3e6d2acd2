package dev.streamlab.mp4;

/**
 * A sync sample: where a decoder can start, so where a seek lands and a fragment begins.
 *
 * @param sample       index of the sample in decode order (0-based)
 * @param presentation presentation time in media ticks (edit list applied)
 * @param decode       decode time in media ticks
 * @param offset       absolute byte offset of the sample in the file
 * @param timescale    ticks per second
 */
public record Keyframe(int sample, long presentation, long decode, long offset, long timescale) {
    public double seconds() {
        return (double) presentation / timescale;
    }
}
