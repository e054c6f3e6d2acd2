package dev.streamlab.stream.abr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.catalog.Catalog;
import dev.streamlab.catalog.VideoEntry;
import dev.streamlab.mp4.TrackKind;
import dev.streamlab.testing.ExternalTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which catalog videos form a ladder, and what each rung declares. */
class LadderTest {
    @Test
    void theBundledLadderIsThreeRungsAscendingByBandwidth() throws IOException {
        Catalog catalog = new Catalog(ExternalTools.media());
        for (String id : List.of("ladder-30s-240p", "ladder-30s-360p", "ladder-30s-720p")) {
            Ladder ladder = Ladder.of(catalog, catalog.find(id).orElseThrow());
            assertEquals(List.of("ladder-30s-240p", "ladder-30s-360p", "ladder-30s-720p"),
                    ladder.rungs().stream().map(Ladder.Rung::video).toList(), "from " + id);
            assertEquals(List.of(240, 360, 720), ladder.rungs().stream().map(Ladder.Rung::height).toList());
        }
        Ladder ladder = Ladder.of(catalog, catalog.find("ladder-30s-720p").orElseThrow());
        for (Ladder.Rung r : ladder.rungs()) {
            VideoEntry e = catalog.find(r.video()).orElseThrow();
            long average = e.mp4().movie().first(TrackKind.VIDEO).orElseThrow().bitrate();
            // btrt's declared peak (ffmpeg writes the -maxrate it was given) is at least what the file averages.
            assertTrue(r.videoBandwidth() >= average, r + " vs average " + average);
            assertTrue(r.audioBandwidth() > 0, "" + r);
        }
        assertTrue(ladder.rungs().get(0).videoBandwidth() < ladder.rungs().get(1).videoBandwidth());
        assertTrue(ladder.rungs().get(1).videoBandwidth() < ladder.rungs().get(2).videoBandwidth());
    }

    @Test
    void aVideoWithoutSiblingsIsALadderOfOne() throws IOException {
        Catalog catalog = new Catalog(ExternalTools.media());
        VideoEntry sample = catalog.find("sample-30s-360p-h264-aac").orElseThrow();
        Ladder ladder = Ladder.of(catalog, sample);
        assertEquals(1, ladder.rungs().size(), "30 s, but in another folder than the ladder: " + ladder);
        assertEquals(sample.id(), ladder.rungs().getFirst().video());
        assertTrue(ladder.rungs().getFirst().videoBandwidth() > 0);
    }

    @Test
    void aSiblingWithOtherKeyframeInstantsIsLeftOut(@TempDir Path dir) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("ladder"));
        for (String rung : List.of("240p", "360p")) {
            Files.copy(ExternalTools.media().resolve("ladder/ladder-30s-" + rung + ".mp4"),
                    folder.resolve("ladder-30s-" + rung + ".mp4"));
        }
        // Same content and duration, but a keyframe every 3 s instead of every 2 s: no seamless switch possible.
        ExternalTools.run(120, ExternalTools.ffmpeg().toString(), "-nostdin", "-v", "error", "-y",
                "-f", "lavfi", "-i", "testsrc=size=320x180:rate=30:duration=30",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=30",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "90", "-keyint_min", "90",
                "-sc_threshold", "0", "-c:a", "aac", "-b:a", "64k", "-shortest",
                folder.resolve("ladder-30s-180p.mp4").toString());
        Catalog catalog = new Catalog(dir);
        VideoEntry odd = catalog.find("ladder-30s-180p").orElseThrow();
        assertTrue(Math.abs(odd.mp4().durationSeconds() - 30) <= Ladder.DURATION_TOLERANCE_S, "same duration");
        assertEquals(List.of("ladder-30s-180p"), Ladder.of(catalog, odd).rungs().stream()
                .map(Ladder.Rung::video).toList());
        assertEquals(List.of("ladder-30s-240p", "ladder-30s-360p"),
                Ladder.of(catalog, catalog.find("ladder-30s-360p").orElseThrow()).rungs().stream()
                        .map(Ladder.Rung::video).toList());
    }

    @Test
    void keyframeInstantsCompareWithinHalfAMillisecond() {
        assertTrue(Ladder.sameInstants(new double[] {0, 2, 4}, new double[] {0, 2.0004, 4}));
        assertTrue(!Ladder.sameInstants(new double[] {0, 2, 4}, new double[] {0, 2.002, 4}));
        assertTrue(!Ladder.sameInstants(new double[] {0, 2, 4}, new double[] {0, 2}));
    }
}
