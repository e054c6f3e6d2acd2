package dev.streamlab.mp4;

import java.util.List;
import java.util.Optional;

/**
 * The {@code moov} box, parsed: the movie header's clock and the tracks.
 *
 * @param timescale movie ticks per second ({@code mvhd}), the clock of edit lists and {@code tkhd} durations
 * @param duration  {@code mvhd} duration in movie ticks
 * @param tracks    every track, in file order
 */
public record Movie(long timescale, long duration, List<Track> tracks) {
    public Movie {
        tracks = List.copyOf(tracks);
    }

    public double durationSeconds() {
        return timescale == 0 ? 0 : (double) duration / timescale;
    }

    /** The first track of {@code kind}, if any. */
    public Optional<Track> first(TrackKind kind) {
        return tracks.stream().filter(t -> t.kind() == kind).findFirst();
    }
}
