package dev.streamlab.stream.fmp4;

import dev.streamlab.mp4.SampleTable;
import dev.streamlab.mp4.Track;
import java.util.Arrays;

/**
 * Decides where each track's segments begin. Pure arithmetic over phase 1's sample tables; no bytes are read.
 *
 * <p>A plan is {@code starts}: the first sample (decode order) of each segment, ascending, plus a sentinel equal to
 * the track's sample count; and {@code times}: each segment's earliest presentation time in the track's ticks,
 * edit list applied — where its buffered range begins on the media element's timeline.
 */
final class Cuts {
    private Cuts() {}

    /** Segment boundaries of one track. {@code starts.length == times.length + 1}. */
    record Plan(int[] starts, long[] times) {
        int segments() {
            return times.length;
        }
    }

    /**
     * Video: a segment at every sync sample ({@link Cut.Gop}), or also every {@code frames} samples after it
     * ({@link Cut.Chunks}). Samples before the first sync sample are left out: MSE drops coded frames until a
     * random access point anyway (MSE §3.5.8 "need random access point flag"), and a decoder could not show them.
     *
     * @throws IllegalArgumentException when the track has no sync sample (the caller checks first)
     */
    static Plan video(Track track, Cut cut) {
        SampleTable t = track.samples();
        int n = t.count();
        int first = t.nextKeyframe(0);
        if (first < 0) throw new IllegalArgumentException("no sync sample");
        IntList starts = new IntList();
        for (int k = first; k >= 0; ) {
            int next = t.nextKeyframe(k + 1);
            int end = next < 0 ? n : next;
            switch (cut) {
                case Cut.Gop g -> starts.add(k);
                case Cut.Chunks c -> {
                    for (int s = k; s < end; s += c.frames()) starts.add(s);
                }
            }
            k = next;
        }
        starts.add(n);
        return withTimes(track, starts.toArray(), true);
    }

    /**
     * Audio that follows video boundaries: audio segment {@code k} begins with the audio sample playing at video
     * segment {@code k}'s start time (the last one presented at or before it), so both tracks' segments cover the
     * same span and a client that starts at video segment {@code k} has audio from that instant on. Boundaries
     * that would leave an audio segment empty (sparse audio, audio ending early) are dropped.
     *
     * @param videoTimes  start times of the video segments, in {@code videoScale} ticks
     */
    static Plan following(Track audio, long[] videoTimes, long videoScale) {
        int n = audio.samples().count();
        long scale = audio.timescale();
        IntList starts = new IntList();
        starts.add(0);
        int j = 0; // last sample presented at or before the boundary, found by a forward merge
        for (int k = 1; k < videoTimes.length; k++) {
            while (j + 1 < n && compare(audio.presentationTime(j + 1), scale, videoTimes[k], videoScale) <= 0) j++;
            if (compare(audio.presentationTime(j), scale, videoTimes[k], videoScale) > 0) continue; // none yet
            if (j > starts.last()) starts.add(j);
        }
        starts.add(n);
        return withTimes(audio, starts.toArray(), false);
    }

    /** A track on its own (audio without video): every {@link Cut#AUDIO_ONLY_SECONDS} s, or every N frames. */
    static Plan alone(Track track, Cut cut) {
        SampleTable t = track.samples();
        int n = t.count();
        IntList starts = new IntList();
        switch (cut) {
            case Cut.Gop g -> {
                // The first frame at or after each multiple of the period (counted from the first frame), so
                // boundaries do not drift by a fraction of a frame per segment; a tail shorter than half a period
                // (the priming frame's worth past 10 s, say) joins the segment before it.
                long every = Cut.AUDIO_ONLY_SECONDS * track.timescale();
                long next = t.decodeTime(0);
                for (int i = 0; i < n; i++) {
                    if (t.decodeTime(i) >= next && (i == 0 || t.totalDuration() - t.decodeTime(i) >= every / 2)) {
                        starts.add(i);
                        while (next <= t.decodeTime(i)) next += every;
                    }
                }
            }
            case Cut.Chunks c -> {
                for (int s = 0; s < n; s += c.frames()) starts.add(s);
            }
        }
        starts.add(n);
        return withTimes(track, starts.toArray(), false);
    }

    /**
     * Start time of each segment. For video, the smallest presentation time from the segment's first sample to
     * the end of the track (a suffix minimum): with B-frames a later segment's frames are never shown before its
     * own start, and for a closed GOP this is its keyframe's time. For audio, the first sample's time.
     */
    private static Plan withTimes(Track track, int[] starts, boolean suffixMinimum) {
        int segments = starts.length - 1;
        long[] times = new long[segments];
        if (suffixMinimum) {
            long min = Long.MAX_VALUE;
            int k = segments - 1;
            for (int i = starts[segments] - 1; i >= starts[0]; i--) {
                min = Math.min(min, track.presentationTime(i));
                if (i == starts[k]) times[k--] = min;
            }
        } else {
            for (int k = 0; k < segments; k++) times[k] = track.presentationTime(starts[k]);
        }
        return new Plan(starts, times);
    }

    /** Compares {@code a / aScale} with {@code b / bScale} exactly (128-bit cross products, no rounding). */
    static int compare(long a, long aScale, long b, long bScale) {
        long hiA = Math.multiplyHigh(a, bScale);
        long hiB = Math.multiplyHigh(b, aScale);
        if (hiA != hiB) return Long.compare(hiA, hiB);
        return Long.compareUnsigned(a * bScale, b * aScale);
    }

    /** The last segment whose start time is at or before {@code t} (the first when {@code t} is before all). */
    static int at(long[] times, long t) {
        int i = Arrays.binarySearch(times, t);
        if (i < 0) i = -i - 2;
        while (i + 1 < times.length && times[i + 1] == t) i++;
        return Math.max(0, i);
    }

    /** A growable int array: the plan is built once per track, without boxing a sample index. */
    private static final class IntList {
        private int[] a = new int[64];
        private int size;

        void add(int v) {
            if (size == a.length) a = Arrays.copyOf(a, size * 2);
            a[size++] = v;
        }

        int last() {
            return a[size - 1];
        }

        int[] toArray() {
            return Arrays.copyOf(a, size);
        }
    }
}
