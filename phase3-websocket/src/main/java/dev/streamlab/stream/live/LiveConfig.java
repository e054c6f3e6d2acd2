package dev.streamlab.stream.live;

import java.time.Duration;

/**
 * How a live channel runs; {@link #DEFAULT} is what {@code ./lab run phase3} uses, tests shorten the times.
 *
 * @param chunkSeconds   target length of a media segment: the GOP is cut into chunks of about this long
 *                       ({@code Cut.Chunks}), so a joiner gets its first frame from the cache at once and the live
 *                       edge moves every chunk, not every GOP
 * @param ringSegments   segments kept per channel (the GOP cache); must cover a few GOPs
 * @param maxBehind      a viewer whose cursor is this many segments behind the newest is skipped to the newest
 *                       keyframe (its queued media dropped, never a partial GOP sent after the skip)
 * @param maxSkips       more skips than this within {@code skipWindow} closes the viewer with 1008
 * @param skipWindow     see {@code maxSkips}
 * @param speed          media seconds produced per wall-clock second (1 = real time; tests run faster)
 * @param idleStop       a channel without viewers for this long stops its producer (restarts on the next viewer)
 * @param copyPerViewer  the naive variant for the benchmark: copy every segment into a fresh buffer per viewer
 * @param stallClose     a write to a viewer blocked this long (it reads nothing at all) aborts the connection: no
 *                       Close frame can get through a full socket, and the sender cannot skip while it is blocked
 */
public record LiveConfig(double chunkSeconds, int ringSegments, int maxBehind, int maxSkips, Duration skipWindow,
                         double speed, Duration idleStop, boolean copyPerViewer, Duration stallClose) {
    /** Half-second chunks, 64 segments (32 s at 0.5 s), skip past 8 behind (4 s), close past 5 skips a minute. */
    public static final LiveConfig DEFAULT = new LiveConfig(0.5, 64, 8, 5, Duration.ofSeconds(60), 1.0,
            Duration.ofSeconds(30), false, Duration.ofSeconds(10));

    public LiveConfig {
        if (!(chunkSeconds > 0 && chunkSeconds <= 10)) throw new IllegalArgumentException("chunkSeconds " + chunkSeconds);
        if (ringSegments < 4 || ringSegments > 4096) throw new IllegalArgumentException("ringSegments " + ringSegments);
        if (maxBehind < 1 || maxBehind >= ringSegments) {
            throw new IllegalArgumentException("maxBehind must be in [1, ringSegments): " + maxBehind);
        }
        if (maxSkips < 0) throw new IllegalArgumentException("maxSkips " + maxSkips);
        if (!(speed > 0 && speed <= 1000)) throw new IllegalArgumentException("speed " + speed);
    }

    /**
     * {@link #DEFAULT}, except {@code -Dstreamlab.live.naive=true} turns on {@link #copyPerViewer} (the benchmark's
     * server switch; a system property so the launcher's arguments stay as they are).
     */
    public static LiveConfig fromSystemProperties() {
        return Boolean.getBoolean("streamlab.live.naive") ? DEFAULT.withCopyPerViewer(true) : DEFAULT;
    }

    public LiveConfig withSpeed(double s) {
        return new LiveConfig(chunkSeconds, ringSegments, maxBehind, maxSkips, skipWindow, s, idleStop, copyPerViewer, stallClose);
    }

    public LiveConfig withIdleStop(Duration d) {
        return new LiveConfig(chunkSeconds, ringSegments, maxBehind, maxSkips, skipWindow, speed, d, copyPerViewer, stallClose);
    }

    public LiveConfig withCopyPerViewer(boolean c) {
        return new LiveConfig(chunkSeconds, ringSegments, maxBehind, maxSkips, skipWindow, speed, idleStop, c, stallClose);
    }

    public LiveConfig withStallClose(Duration d) {
        return new LiveConfig(chunkSeconds, ringSegments, maxBehind, maxSkips, skipWindow, speed, idleStop,
                copyPerViewer, d);
    }

    public LiveConfig withSkips(int behind, int skips) {
        return new LiveConfig(chunkSeconds, ringSegments, behind, skips, skipWindow, speed, idleStop, copyPerViewer, stallClose);
    }
}
