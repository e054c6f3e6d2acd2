package dev.streamlab.stream.fmp4;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.testing.ExternalTools;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The zero-copy claim, measured: bytes this thread allocates ({@link com.sun.management.ThreadMXBean}) to build one
 * 60-frame GOP segment. A gather list allocates per sample (16 trun bytes, one view object per run of samples),
 * never per payload byte, so a GOP of the 360p rung, of the 720p rung and of a noisy 720p encode 40 times bigger
 * all cost the same few kilobytes; copying the samples into one array costs the payload itself.
 *
 * <p>The ladder rungs alone make a weak case (ffmpeg's test pattern compresses so well that a 720p GOP is only
 * ~10% bigger than a 360p one), hence the noisy encode, made here with ffmpeg in a second.
 *
 * <p>Numbers are printed to {@code target/surefire-reports/*-output.txt}; the bounds are loose so a JIT that keeps
 * every small object still passes. {@code dev.streamlab.bench.Fmp4Benchmark} measures the same with JMH.
 */
class SegmentAllocationTest {
    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int ROUNDS = 20;

    /** Bytes allocated per segment and payload bytes per segment, averaged over every GOP of a file's video. */
    private record Cost(String what, long allocated, long payload) {
        @Override
        public String toString() {
            return what + ": " + allocated + " bytes allocated per segment of " + payload + " payload bytes";
        }
    }

    private static Cost measure(Path file, boolean copy) throws Exception {
        Fmp4Track video = Fmp4Remuxer.open(file).video().orElseThrow();
        int segments = video.segmentCount();
        long sink = 0;
        for (int r = 0; r < ROUNDS; r++) { // warm-up: let the JIT compile the writer first
            for (int k = 0; k < segments; k++) sink += build(video, k, copy);
        }
        long payload = 0;
        for (int k = 0; k < segments; k++) payload += video.segment(k).payloadLength();
        long before = MX.getCurrentThreadAllocatedBytes();
        for (int r = 0; r < ROUNDS; r++) {
            for (int k = 0; k < segments; k++) sink += build(video, k, copy);
        }
        long allocated = MX.getCurrentThreadAllocatedBytes() - before;
        assertTrue(sink > 0);
        Cost c = new Cost(file.getFileName() + (copy ? ", copied into a byte[]" : ", gather list"),
                allocated / ((long) ROUNDS * segments), payload / segments);
        System.out.println(c);
        return c;
    }

    /** Builds segment k and touches its bytes: as a gather list, or copied into one array the naive way. */
    private static long build(Fmp4Track video, int k, boolean copy) {
        Segment s = video.segment(k);
        if (!copy) return s.length();
        byte[] all = new byte[(int) s.length()];
        int at = 0;
        for (ByteBuffer b : s.buffers()) {
            int n = b.remaining();
            b.get(all, at, n);
            at += n;
        }
        return all[all.length - 1] + all.length;
    }

    private static Path rung(String name) {
        return ExternalTools.media().resolve("ladder/ladder-30s-" + name + ".mp4");
    }

    @Test
    void aGatherListCostsTheSameForA360pAndA720pGopAndFarLessThanItsPayload() throws Exception {
        Cost small = measure(rung("360p"), false);
        Cost large = measure(rung("720p"), false);
        Cost copied = measure(rung("720p"), true);
        assertTrue(large.payload() > small.payload(), "the 720p GOPs are the bigger ones");
        assertTrue(large.allocated() < 1.1 * small.allocated() + 256, small + " vs " + large);
        assertTrue(large.allocated() < large.payload() / 10, "headers and views only: " + large);
        assertTrue(copied.allocated() >= copied.payload(), "the naive copy allocates the payload: " + copied);
    }

    @Test
    void aFortyTimesBiggerGopCostsNoMore(@TempDir Path dir) throws Exception {
        Path noisy = dir.resolve("noisy-720p.mp4");
        // Film-grain-like noise defeats the encoder: ~3 MB per 2 s GOP instead of ~80 KB; same 60 frames a GOP.
        ExternalTools.run(60, ExternalTools.ffmpeg().toString(), "-nostdin", "-v", "error", "-f", "lavfi", "-i",
                "testsrc=size=1280x720:rate=30:duration=4", "-vf", "noise=alls=12:allf=t+u", "-c:v", "libx264",
                "-preset", "ultrafast", "-crf", "23", "-g", "60", "-keyint_min", "60", "-sc_threshold", "0",
                "-bf", "0", "-pix_fmt", "yuv420p", noisy.toString());
        Cost ladder = measure(rung("720p"), false);
        Cost big = measure(noisy, false);
        assertTrue(big.payload() > 20 * ladder.payload(), big + " vs " + ladder);
        assertTrue(big.allocated() < 1.1 * ladder.allocated() + 256, "allocation must not grow with the payload: "
                + ladder + " vs " + big);
    }
}
