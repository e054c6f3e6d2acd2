package dev.streamlab.stream.fmp4;

/**
 * Where media segments begin: at every keyframe ({@link Gop}), or also every few frames inside a GOP
 * ({@link Chunks}) so a live-ish client can append a fraction of a second at a time.
 *
 * <p>Cuts are decided on the video track, in decode order, and the audio track follows them (see
 * {@link Fmp4Remuxer}). A file without video cuts its audio every {@link #AUDIO_ONLY_SECONDS} seconds
 * ({@link Gop}) or every {@code frames} audio frames ({@link Chunks}).
 */
public sealed interface Cut {
    /** Segment length for an audio-only file in {@link Gop} mode: there are no keyframes to follow. */
    int AUDIO_ONLY_SECONDS = 2;

    /**
     * One segment per GOP: from a keyframe up to (not including) the next one. Every segment starts with a random
     * access point (MSE ISO BMFF byte stream format §5), so a client may start or seek at any of them, and an ABR
     * switch between renditions with aligned keyframes can happen at any segment boundary.
     */
    record Gop() implements Cut {}

    /**
     * Segments of at most {@code frames} video frames, always restarting at a keyframe: a GOP of 60 frames with
     * {@code frames = 10} becomes six chunks, the first independent and five that continue it. Lower latency (a
     * client can append and show the first chunk before the GOP is complete), more moof overhead; only chunks with
     * {@link Segment#independent()} are places to start playback.
     */
    record Chunks(int frames) implements Cut {
        public Chunks {
            if (frames < 1) throw new IllegalArgumentException("a chunk has at least 1 frame, not " + frames);
        }
    }

    static Cut gop() {
        return new Gop();
    }

    static Cut chunks(int frames) {
        return new Chunks(frames);
    }
}
