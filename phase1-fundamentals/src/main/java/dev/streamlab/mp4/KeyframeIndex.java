package dev.streamlab.mp4;

import java.util.Arrays;

/**
 * "Which keyframe is at or before time t?" in O(log n): the question behind every seek and every fragment cut.
 *
 * <p>Keyframes are kept sorted by presentation time (for sync samples decode and presentation order agree in
 * practice, but the index does not rely on it).
 */
public final class KeyframeIndex {
    private final SampleTable table;
    private final long shift;
    private final long timescale;
    private final int[] samples;   // sync sample indexes, sorted by presentation time
    private final long[] times;    // their presentation times, ascending

    KeyframeIndex(SampleTable table, EditList edits, long timescale) {
        this.table = table;
        this.shift = edits.shift();
        this.timescale = timescale;
        int n = table.keyframeCount();
        int[] s = new int[n];
        long[] t = new long[n];
        boolean sorted = true;
        int k = 0;
        for (int i = table.nextKeyframe(0); i >= 0; i = table.nextKeyframe(i + 1), k++) {
            s[k] = i;
            t[k] = time(i);
            if (k > 0 && t[k] < t[k - 1]) sorted = false;
        }
        if (!sorted) { // rare: reorder by time, keeping the pairs together
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) order[i] = i;
            Arrays.sort(order, (a, b) -> Long.compare(t[a], t[b]));
            int[] s2 = new int[n];
            long[] t2 = new long[n];
            for (int i = 0; i < n; i++) {
                s2[i] = s[order[i]];
                t2[i] = t[order[i]];
            }
            samples = s2;
            times = t2;
        } else {
            samples = s;
            times = t;
        }
    }

    private long time(int sample) {
        return table.compositionTime(sample) + shift;
    }

    public int size() {
        return samples.length;
    }

    public Keyframe get(int i) {
        int s = samples[i];
        return new Keyframe(s, times[i], table.decodeTime(s), table.offset(s), timescale);
    }

    /**
     * The last keyframe whose presentation time is at or before {@code ticks}; the first keyframe when
     * {@code ticks} is before it (a seek to before the start plays from the start).
     *
     * @throws IllegalStateException when the track has no keyframe at all
     */
    public Keyframe atOrBefore(long ticks) {
        if (samples.length == 0) throw new IllegalStateException("the track has no keyframes");
        int i = Arrays.binarySearch(times, ticks);
        if (i < 0) i = -i - 2; // insertion point - 1: the last time below ticks
        if (i < 0) i = 0;
        // Equal times are legal (two sync samples at one instant); binarySearch may land on either: take the last.
        while (i + 1 < times.length && times[i + 1] == times[i] && times[i + 1] <= ticks) i++;
        return get(i);
    }

    /** {@link #atOrBefore(long)} for a time in seconds. */
    public Keyframe atOrBefore(double seconds) {
        return atOrBefore(Math.round(seconds * timescale));
    }

    /** Presentation times of all keyframes in seconds, ascending. */
    public double[] seconds() {
        double[] out = new double[times.length];
        for (int i = 0; i < times.length; i++) out[i] = (double) times[i] / timescale;
        return out;
    }
}
