package dev.streamlab.stream.fmp4;

import java.io.IOException;

/**
 * The file is a well-formed MP4 (phase 1's parser accepted it) but cannot be remuxed into fragments a browser can
 * play. What happens next: nothing is produced for this file — the remuxer refuses it whole at
 * {@link Fmp4Remuxer#open}, before any segment exists, so a client never receives a corrupt segment. The server
 * should answer "unsupported media" and serve the file progressively (phase 2) if at all.
 *
 * <p>Malformed bytes are not this exception: they are phase 1's {@link dev.streamlab.mp4.Mp4FormatException}, which
 * names the box and offset.
 */
public final class RemuxException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why a file cannot be remuxed, one value per rule the remuxer checks. */
    public enum Problem {
        /** Neither a video nor an audio track: nothing MSE could play. */
        NO_PLAYABLE_TRACK,
        /** A track has no samples, so no segment can be cut from it. */
        NO_SAMPLES,
        /** A video track has no sync sample: MSE drops every frame until a random access point (MSE §3.5.8). */
        NO_KEYFRAME,
        /** The sample entry is not one the remuxer can pass through to a browser unchanged (encrypted, QuickTime). */
        UNSUPPORTED_CODEC
    }

    private final Problem problem;
    private final int trackId;

    /**
     * @param problem which rule failed
     * @param trackId the offending track's {@code tkhd} track_ID, or 0 for the file as a whole
     * @param message what is wrong, in words a student can act on
     */
    public RemuxException(Problem problem, int trackId, String message) {
        super((trackId == 0 ? "" : "track " + trackId + ": ") + message);
        this.problem = problem;
        this.trackId = trackId;
    }

    public Problem problem() {
        return problem;
    }

    /** The offending track's id, 0 when the problem concerns the whole file. */
    public int trackId() {
        return trackId;
    }
}
