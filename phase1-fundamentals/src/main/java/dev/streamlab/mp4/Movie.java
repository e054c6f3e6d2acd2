package dev.streamlab.mp4;

import java.util.List;
import java.util.Optional;

/**
 * The {@code moov} box, parsed: the movie header's clock and the tracks.
 *
 * @param timescale movie ticks per second ({@code mvhd}), the clock of edit lists and {@code tkhd} durations
 * @param duration  {@code mvhd} duration in movie ticks
 * @param tracks    every track, in file order
 * @param fragments {@code moof} boxes whose samples the tracks include (0 for a progressive file); when there are
 *                  some, {@code duration} covers at most the samples in {@code moov}
 */
public record Movie(long timescale, long duration, List<Track> tracks, int fragments) {
    public Movie {
        tracks = List.copyOf(tracks);
    }

    /** A progressive movie: no fragments. */
    public Movie(long timescale, long duration, List<Track> tracks) {
        this(timescale, duration, tracks, 0);
    }

    public double durationSeconds() {
        return timescale == 0 ? 0 : (double) duration / timescale;
    }

    /** The first track of {@code kind}, if any. */
    public Optional<Track> first(TrackKind kind) {
        return tracks.stream().filter(t -> t.kind() == kind).findFirst();
    }
}
