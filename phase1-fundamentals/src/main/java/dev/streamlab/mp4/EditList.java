package dev.streamlab.mp4;

/**
 * What a track's edit list ({@code edts/elst}, ISO/IEC 14496-12 §8.6.6) does to its timeline, reduced to the case
 * every encoder writes: an optional leading empty edit (a delay) and one media edit that starts
 * {@code mediaTime} ticks into the media (skipping B-frame reordering delay or AAC encoder priming).
 *
 * <p>Presentation time = composition time − {@code mediaTime} + {@code delay}. That is what ffprobe reports as
 * {@code pts_time}, and what a player shows.
 *
 * @param delay     leading empty-edit duration, converted to the track's media timescale
 * @param mediaTime media time the first real edit starts at, in media ticks (0 without an edit list)
 * @param duration  sum of the edits' durations in media ticks, or -1 when there is no edit list
 * @param entries   number of edit entries found (more than two is legal but not modelled beyond the first media edit)
 */
public record EditList(long delay, long mediaTime, long duration, int entries) {
    public static final EditList NONE = new EditList(0, 0, -1, 0);

    /** Ticks to add to a composition time to get the presentation time. */
    public long shift() {
        return delay - mediaTime;
    }
}
