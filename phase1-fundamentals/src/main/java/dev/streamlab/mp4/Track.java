package dev.streamlab.mp4;

/**
 * One {@code trak}: identity, timing, codec and every sample.
 *
 * @param id        {@code tkhd} track_ID
 * @param kind      video, audio or other, from {@code hdlr}
 * @param handler   the raw {@code hdlr} handler type
 * @param timescale media ticks per second ({@code mdhd})
 * @param mediaDuration {@code mdhd} duration in media ticks (0 when unknown: fragmented files, or all 1s)
 * @param language  ISO-639-2/T code from {@code mdhd} ("und" when unset)
 * @param entry     the codec ({@code stsd}'s first sample entry)
 * @param edits     the edit list, reduced to its effect on timestamps
 * @param samples   every sample's offset, size, times and keyframe flag
 */
public record Track(int id, TrackKind kind, int handler, long timescale, long mediaDuration, String language,
                    SampleEntry entry, EditList edits, SampleTable samples) {

    /**
     * The track's duration as {@code tkhd} has it (ISO/IEC 14496-12 §8.3.2.3), in media ticks: the edit list's total
     * duration when there is one (it hides AAC priming and B-frame delay, and counts a leading empty edit), else
     * {@code mdhd}'s, the sum of the sample durations, else (0: unknown, as fragmented and Smooth Streaming files
     * say) the samples' own. With an edit list, or without one and without B-frames, this is where the track ends on
     * the movie timeline: for a track that starts at 0, how long it plays, what players and ffprobe report; for a
     * delayed one, about {@link #start()} + {@link #playDuration()}.
     *
     * <p>B-frames without an edit list are the exception. Without one, the media timeline maps one to one onto the
     * presentation (§8.6.6.1), so the first frame is shown at its composition offset and the last frame ends that
     * much after the sum of the sample durations: 10 s at 24 fps with two B-frames plays from 0.083 to 10.083 s.
     * This still says 10 s, on purpose: §8.3.2.3 defines a track without an edit list to last the sum of its
     * sample durations, §8.2.2.3 makes the movie's duration the longest track's, and ffprobe reports 10 s for the
     * stream and for the file. Where such a track ends is {@link #start()} + {@link #playDuration()}.
     */
    public long duration() {
        if (edits.duration() >= 0) return edits.duration();
        return mediaDuration > 0 ? mediaDuration : samples.totalDuration();
    }

    public double durationSeconds() {
        return (double) duration() / timescale;
    }

    /**
     * Where the track starts on the movie timeline, in media ticks: the presentation time of its first shown
     * instant, ffprobe's stream {@code start_time}. A leading empty edit delays it (ffmpeg {@code -itsoffset 0.5}
     * writes one of 0.5 s); without an edit list, a first composition offset (B-frames) does. Media the edit list
     * skips ({@code media_time}: B-frame delay, AAC priming) starts at the delay, not before it.
     */
    public long start() {
        if (samples.count() == 0) return edits.delay(); // fragmented: the media is in moof boxes
        return Math.max(edits.delay(), samples.compositionStart() + edits.shift());
    }

    public double startSeconds() {
        return (double) start() / timescale;
    }

    /**
     * How long the track plays from {@link #start()}, in media ticks: ffprobe's stream {@code duration}. Without an
     * edit list, {@code mdhd}'s duration; with one, the edits after the leading empty edit, but no more than the
     * media there is from {@code media_time} on (an edit a muxer rounded up to the movie's millisecond clock shows
     * no extra media). For a track with an edit list and no empty edit, that is {@link #duration()}, give or take
     * that rounding.
     */
    public long playDuration() {
        if (edits.duration() < 0) return mediaDuration > 0 ? mediaDuration : samples.totalDuration();
        long shown = edits.duration() - edits.delay();
        long media = samples.compositionEnd() - edits.mediaTime();
        return Math.max(0, Math.min(shown, media));
    }

    public double playDurationSeconds() {
        return (double) playDuration() / timescale;
    }

    /** Presentation time of sample {@code i} in media ticks, edit list applied. */
    public long presentationTime(int i) {
        return samples.compositionTime(i) + edits.shift();
    }

    public double presentationSeconds(int i) {
        return (double) presentationTime(i) / timescale;
    }

    /**
     * Average bitrate in bits per second: every sample's bytes over the media duration that all the samples span
     * ({@code mdhd}, priming included), as ffprobe computes it. A leading empty edit is not media: a track delayed
     * by 0.5 s still divides by its own duration, not by where it ends on the timeline.
     */
    public long bitrate() {
        long d = mediaDuration > 0 ? mediaDuration : samples.totalDuration();
        return d <= 0 ? 0 : Math.round(samples.totalBytes() * 8.0 * timescale / d);
    }

    /** A new index over this track's keyframes; callers that seek often keep it. */
    public KeyframeIndex keyframes() {
        return new KeyframeIndex(samples, edits, timescale);
    }

    public String codec() {
        return entry.codec();
    }
}
