package dev.streamlab.mp4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.testing.ExternalTools;
import org.junit.jupiter.api.Test;

/** Seeking lands on the keyframe at or before the target: the rule every later phase relies on. */
class KeyframeIndexTest {
    private static Track video(String name) throws Exception {
        return Mp4File.open(ExternalTools.media().resolve(name)).movie().first(TrackKind.VIDEO).orElseThrow();
    }

    @Test
    void seekLandsOnTheKeyframeAtOrBeforeTheTarget() throws Exception {
        KeyframeIndex keys = video("sample-30s-360p-h264-aac.mp4").keyframes();
        assertEquals(15, keys.size());
        assertEquals(6.0, keys.atOrBefore(7.3).seconds(), 1e-9);
        assertEquals(180, keys.atOrBefore(7.3).sample());
        assertEquals(8.0, keys.atOrBefore(8.0).seconds(), 1e-9, "exactly on a keyframe stays there");
        assertEquals(6.0, keys.atOrBefore(7.999).seconds(), 1e-9);
        assertEquals(28.0, keys.atOrBefore(1e6).seconds(), 1e-9, "past the end: the last keyframe");
    }

    @Test
    void seekBeforeTheFirstKeyframePlaysFromTheStart() throws Exception {
        KeyframeIndex keys = video("sample-30s-360p-h264-aac.mp4").keyframes();
        assertEquals(0, keys.atOrBefore(-5.0).sample());
    }

    @Test
    void keyframeCarriesItsByteOffsetSoAServerCanJumpThere() throws Exception {
        Track v = video("sample-30s-360p-h264-aac.mp4");
        Keyframe k = v.keyframes().atOrBefore(12.5);
        assertTrue(v.samples().isKeyframe(k.sample()));
        assertEquals(v.samples().offset(k.sample()), k.offset());
        assertEquals(v.presentationTime(k.sample()), k.presentation());
    }

    @Test
    void bFramePresentationTimesUseCttsAndTheEditList() throws Exception {
        Track v = video("sample-10s-360p-bframes.mp4");
        assertTrue(v.samples().hasCompositionOffsets());
        assertEquals(0, v.presentationTime(0), "the edit list hides the reordering delay");
        // Decode order differs from presentation order: some later-decoded frame is shown earlier.
        boolean reordered = false;
        for (int i = 1; i < 30; i++) reordered |= v.presentationTime(i) < v.presentationTime(i - 1);
        assertTrue(reordered, "B-frames reorder presentation");
        assertEquals(4.0, v.keyframes().atOrBefore(5.0).seconds(), 1e-9);
    }
}
