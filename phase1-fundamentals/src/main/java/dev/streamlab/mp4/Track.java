package dev.streamlab.mp4;

/**
 * One {@code trak}: identity, timing, codec and every sample.
 *
 * @param id        {@code tkhd} track_ID
 * @param kind      video, audio or other, from {@code hdlr}
 * @param handler   the raw {@code hdlr} handler type
 * @param timescale media ticks per second ({@code mdhd})
 * @param mediaDuration {@code mdhd} duration in media ticks
 * @param language  ISO-639-2/T code from {@code mdhd} ("und" when unset)
 * @param entry     the codec ({@code stsd}'s first sample entry)
 * @param edits     the edit list, reduced to its effect on timestamps
 * @param samples   every sample's offset, size, times and keyframe flag
 */
public record Track(int id, TrackKind kind, int handler, long timescale, long mediaDuration, String language,
                    SampleEntry entry, EditList edits, SampleTable samples) {

    /**
     * Presentation duration in media ticks: the edit list's when there is one (that is what players and ffprobe
     * report; it hides AAC priming and B-frame delay), else {@code mdhd}'s.
     */
    public long duration() {
        return edits.duration() >= 0 ? edits.duration() : mediaDuration;
    }

    public double durationSeconds() {
        return (double) duration() / timescale;
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
     * ({@code mdhd}, priming included), as ffprobe computes it.
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
