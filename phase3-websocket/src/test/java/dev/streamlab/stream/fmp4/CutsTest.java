package dev.streamlab.stream.fmp4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.mp4.Track;
import dev.streamlab.testing.ExternalTools;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Where segments begin. The bundled samples have a keyframe exactly every 2 s (60 frames at 30 fps,
 * media/generate.sh), so the expected boundaries are known in advance.
 */
class CutsTest {
    private static final Path S30 = ExternalTools.media().resolve("sample-30s-360p-h264-aac.mp4");
    private static final Path BFRAMES = ExternalTools.media().resolve("sample-10s-360p-bframes.mp4");

    @Test
    void oneVideoSegmentPerGopAndAudioCoveringTheSameSpans() throws Exception {
        Fmp4Remuxer fmp4 = Fmp4Remuxer.open(S30);
        Fmp4Track video = fmp4.video().orElseThrow();
        Fmp4Track audio = fmp4.audio().orElseThrow();
        assertEquals(15, video.segmentCount());
        assertEquals(15, audio.segmentCount());
        int audioSamples = 0;
        for (int k = 0; k < 15; k++) {
            Segment v = video.segment(k);
            assertEquals(60, v.sampleCount());
            assertTrue(v.independent());
            assertEquals(2.0 * k, v.startSeconds(), 1e-9);
            assertEquals(2.0 * k + 2, v.endSeconds(), 1e-9);
            Segment a = audio.segment(k);
            audioSamples += a.sampleCount();
            double frame = 1024.0 / 48000;
            // Audio segment k starts with the frame playing when video segment k starts (k = 0: the priming one).
            boolean covers = a.startSeconds() <= v.startSeconds()
                    && (k == 0 || v.startSeconds() < a.startSeconds() + frame);
            assertTrue(covers, "audio " + a.startSeconds() + " vs video " + v.startSeconds());
            if (k < 14) assertEquals(audio.segment(k + 1).startSeconds(), a.endSeconds(), 1e-9, "no audio gap");
        }
        assertEquals(audio.source().samples().count(), audioSamples, "every audio sample is in one segment");
        assertEquals(-1024, audio.segment(0).startTime(), "AAC priming stays at -1024 ticks");
    }

    @Test
    void chunksSplitGopsAndRestartAtEveryKeyframe() throws Exception {
        Fmp4Track video = Fmp4Remuxer.open(S30, Cut.chunks(25)).video().orElseThrow();
        assertEquals(15 * 3, video.segmentCount(), "60-frame GOPs as 25 + 25 + 10");
        for (int k = 0; k < video.segmentCount(); k++) {
            assertEquals(k % 3 == 0, video.independent(k), "chunk " + k);
            assertEquals(k % 3 == 2 ? 10 : 25, video.segmentSamples(k));
        }
        assertEquals(video.segment(4).startSeconds(), 2 + 25 / 30.0, 1e-9);
    }

    @Test
    void withBFramesChunkStartsNeverGoBackwards() throws Exception {
        Fmp4Track video = Fmp4Remuxer.open(BFRAMES, Cut.chunks(4)).video().orElseThrow();
        for (int k = 1; k < video.segmentCount(); k++) {
            assertTrue(video.segmentStart(k) >= video.segmentStart(k - 1), "chunk " + k);
            assertTrue(video.segment(k - 1).startTime() >= video.segmentStart(k - 1), "chunk " + (k - 1));
        }
    }

    @Test
    void segmentAtFindsTheIndependentSegmentToStartFrom() throws Exception {
        Fmp4Track gop = Fmp4Remuxer.open(S30).video().orElseThrow();
        assertEquals(6, gop.segmentAt(13.99));
        assertEquals(7, gop.segmentAt(14.0));
        assertEquals(7, gop.segmentAt(14.5));
        assertEquals(0, gop.segmentAt(-5));
        assertEquals(14, gop.segmentAt(999));
        Fmp4Track chunks = Fmp4Remuxer.open(S30, Cut.chunks(10)).video().orElseThrow();
        assertEquals(7 * 6, chunks.segmentAt(15.0), "the chunk at 14 s, not the dependent one at 14.67 s");
        Fmp4Track audio = Fmp4Remuxer.open(S30).audio().orElseThrow();
        assertTrue(audio.segmentStartSeconds(audio.segmentAt(14.0)) <= 14.0);
    }

    @Test
    void audioAloneIsCutEveryTwoSecondsOrEveryNFrames() throws Exception {
        Track audio = Fmp4Remuxer.open(BFRAMES).audio().orElseThrow().source();
        Cuts.Plan gop = Cuts.alone(audio, Cut.gop());
        assertEquals(5, gop.segments(), "10 s of audio");
        for (int k = 1; k < gop.segments(); k++) {
            long dts = audio.samples().decodeTime(gop.starts()[k]);
            assertTrue(dts >= 2L * k * 48000 && dts < 2L * k * 48000 + 1024, "segment " + k + " at " + dts);
        }
        Cuts.Plan chunks = Cuts.alone(audio, Cut.chunks(100));
        assertEquals((audio.samples().count() + 99) / 100, chunks.segments());
    }

    @Test
    void timesInDifferentTimescalesCompareExactly() {
        assertEquals(0, Cuts.compare(1, 3, 5120, 15360));
        assertEquals(-1, Cuts.compare(-1024, 48000, 0, 15360));
        assertEquals(1, Cuts.compare(Long.MAX_VALUE / 2, 90000, Long.MAX_VALUE / 2, 90001));
        assertEquals(-1, Cuts.compare(333_333_333, 1_000_000_000, 1, 3));
    }

    @Test
    void aChunkHasAtLeastOneFrame() {
        assertThrows(IllegalArgumentException.class, () -> Cut.chunks(0));
    }
}
