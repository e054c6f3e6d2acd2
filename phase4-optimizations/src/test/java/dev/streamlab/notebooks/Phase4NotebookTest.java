package dev.streamlab.notebooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.testing.ExternalTools;
import dev.streamlab.testing.Notebooks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Notebook 05 (a .y4m frame, plane views, in-place grayscale, allocations, DEFLATE ratios) runs and its computed
 * numbers say what its conclusions claim: a video segment does not compress, a raw frame does, in place allocates
 * nothing. Run twice: on a frame ffmpeg decodes, and on the frame it synthesizes when ffmpeg is missing.
 */
class Phase4NotebookTest {
    /** The notebook's line choosing ffmpeg; the no-ffmpeg run replaces it. */
    private static final String FFMPEG_LINE = "String ffmpegProgram = System.getProperty(\"streamlab.ffmpeg\", \"ffmpeg\");";
    private static final Pattern RATIO_ROW = Pattern.compile(
            "(?m)^(\\S.*?)\\s+([\\d,]+) bytes  ratio L1 ([\\d.]+)x  L6 ([\\d.]+)x  L9 ([\\d.]+)x$");

    @TempDir
    Path tmp;

    @Test
    void realFrameDecodedByFfmpegShowsViewsInPlaceGrayscaleAndRatios() throws Exception {
        ExternalTools.ffmpeg(); // the notebook finds it on the same PATH
        String out = run(notebook());
        assertTrue(out.contains("frame source: decoded by ffmpeg from sample-30s-360p-h264-aac.mp4"), out);
        checkShowsWhatItPromises(out);
    }

    @Test
    void withoutFfmpegTheNotebookSynthesizesAFrameAndStillShowsEverything() throws Exception {
        String source = Files.readString(notebook());
        assertTrue(source.contains(FFMPEG_LINE), "notebook 05 no longer has the line this test replaces: " + FFMPEG_LINE);
        Path copy = Files.writeString(tmp.resolve("05-without-ffmpeg.jsh"),
                source.replace(FFMPEG_LINE, "String ffmpegProgram = \"none\";"));
        String out = run(copy);
        assertTrue(out.contains("frame source: synthesized in Java"), out);
        checkShowsWhatItPromises(out);
    }

    private static Path notebook() throws IOException {
        return Notebooks.matching("05-.*\\.jsh").getFirst();
    }

    private static String run(Path nb) throws IOException {
        String out = Notebooks.run(nb, Notebooks.classpath("shared", "phase1-fundamentals", "phase2-http-server",
                "phase3-websocket", "phase4-optimizations"));
        System.out.println(out);
        return out;
    }

    private static void checkShowsWhatItPromises(String out) {
        assertTrue(out.contains("header: 640x360, 30:1 fps, interlacing 'p'"), out);
        int frameBytes = number(group(out, "frame: ([\\d,]+) bytes = Y 230,400 \\+ U 57,600 \\+ V 57,600", 1));
        assertEquals(640 * 360 * 3 / 2, frameBytes);

        // A plane is a view of the file: a byte written through another mapping is read through it.
        assertTrue(out.contains("Y plane: direct=true, read-only=true, 230400 bytes"), out);
        group(out, "Y plane byte 10: \\d+ -> 42", 0);

        // Grayscale in place: Y as it was, U and V all 128 (0x80) — and they were not 128 before.
        String gray = "80 80 80 80 80 80 80 80";
        Matcher before = find(out, "before  Y: ([0-9a-f ]+?)   U: ([0-9a-f ]+?)   V: ([0-9a-f ]+)\\R");
        Matcher after = find(out, "after   Y: ([0-9a-f ]+?)   U: ([0-9a-f ]+?)   V: ([0-9a-f ]+)\\R");
        assertEquals(before.group(1), after.group(1), "luma must not change");
        assertEquals(gray, after.group(2));
        assertEquals(gray, after.group(3));
        assertNotEquals(gray, before.group(2), "the bytes shown should show a change");
        assertTrue(out.contains("same image returned: true"), out);

        // Naive: the planes read into new arrays, then new output arrays: at least two frames; in place: ~nothing.
        Matcher alloc = find(out, "naive ([\\d,]+) bytes \\([\\d.]+ frames\\), in place ([\\d,]+) bytes");
        long naive = number(alloc.group(1)), inPlace = number(alloc.group(2));
        assertTrue(naive >= 2L * frameBytes, "naive allocated " + naive + " bytes for a " + frameBytes + "-byte frame");
        assertTrue(inPlace < frameBytes / 100, "in place allocated " + inPlace + " bytes for one frame");

        // Level-6 ratios, as computed: H.264 does not compress again, raw pixels do, a 42-byte message does not.
        Map<String, Double> ratio = new LinkedHashMap<>();
        Matcher rows = RATIO_ROW.matcher(out);
        while (rows.find()) ratio.put(rows.group(1), Double.parseDouble(rows.group(4)));
        assertEquals(5, ratio.size(), "ratio rows: " + ratio);
        double segment = ratio.get("fMP4 media segment 1 (video, 2 s)"), frame = ratio.get("raw YUV frame");
        assertTrue(segment > 0.9 && segment < 1.2, "segment ratio " + segment);
        assertTrue(frame > 2, "raw frame ratio " + frame);
        assertTrue(ratio.get("meta JSON message") > 1.2, "meta ratio " + ratio);
        assertTrue(ratio.get("stats JSON message") < ratio.get("meta JSON message"), "stats vs meta " + ratio);
        // Each conclusion quotes the number it concludes from.
        assertTrue(out.contains(String.format(java.util.Locale.ROOT, "segment %.2fx: ", segment)), out);
        assertTrue(out.contains(String.format(java.util.Locale.ROOT, "raw frame %.2fx: ", frame)), out);
    }

    private static Matcher find(String out, String regex) {
        Matcher m = Pattern.compile(regex).matcher(out);
        assertTrue(m.find(), "no match for /" + regex + "/ in the notebook's output:\n" + out);
        return m;
    }

    private static String group(String out, String regex, int group) {
        return find(out, regex).group(group);
    }

    private static int number(String digits) {
        return Integer.parseInt(digits.replace(",", ""));
    }
}
