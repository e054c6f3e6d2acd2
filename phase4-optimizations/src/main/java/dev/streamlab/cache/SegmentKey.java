package dev.streamlab.cache;

import dev.streamlab.mp4.TrackKind;
import java.util.Objects;

/**
 * A remuxed fMP4 segment: segment {@code index} of the {@code track} track of a file, cut with {@code cut} (e.g.
 * "gop" or "chunks-10"); {@link #INIT} for the track's init segment.
 */
public record SegmentKey(FileIdentity file, TrackKind track, String cut, int index) implements CacheKey {
    public static final int INIT = -1;

    public SegmentKey {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(track, "track");
        Objects.requireNonNull(cut, "cut");
        if (index < INIT) throw new IllegalArgumentException("segment index " + index);
    }

    @Override
    public String kind() {
        return "segment";
    }
}
