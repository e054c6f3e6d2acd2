package dev.streamlab.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.testing.ExternalTools;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProbeMainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return ProbeMain.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void jsonHasTheDocumentedShape() {
        Path f = ExternalTools.media().resolve("sample-30s-360p-h264-aac.mp4");
        assertEquals(0, run(f.toString(), "--json"));
        String json = out();
        for (String key : new String[] {"\"format\"", "\"duration_s\": 30", "\"size\": 692874",
                "\"major_brand\": \"isom\"", "\"tracks\"", "\"id\": 1", "\"kind\": \"video\"",
                "\"codec\": \"avc1.64001e\"", "\"width\": 640", "\"height\": 360", "\"timescale\": 15360",
                "\"sample_count\": 900", "\"bitrate\"", "\"keyframes_s\": [0, 2, 4, 6,", "\"kind\": \"audio\"",
                "\"codec\": \"mp4a.40.2\""}) {
            assertTrue(json.contains(key), key + " missing in\n" + json);
        }
    }

    @Test
    void textSummaryWarnsWhenMoovIsAtTheEnd() {
        assertEquals(0, run(ExternalTools.media().resolve("sample-10s-360p-moov-at-end.mp4").toString()));
        assertTrue(out().contains("moov AFTER mdat"), out());
    }

    @Test
    void boxesOptionPrintsTheTreeWithOffsets() {
        assertEquals(0, run(ExternalTools.media().resolve("sample-10s-360p-video-only.mp4").toString(), "--boxes"));
        assertTrue(out().contains("stbl") && out().contains("avcC") && out().contains("offset"), out());
    }

    @Test
    void badFilesGetOneClearLineAndExitCodeOne(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("notes.mp4"), "hello, this is text");
        assertEquals(1, run(text.toString(), dir.resolve("missing.mp4").toString(), dir.toString()));
        assertTrue(err().contains("notes.mp4: not a valid MP4: file at byte 0: not an MP4"), err());
        assertTrue(err().contains("missing.mp4: no such file"), err());
        assertTrue(err().contains("is a directory"), err());
        assertEquals("", out());
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(2, run());
        assertEquals(2, run("--bogus", "x.mp4"));
        assertTrue(err().contains("usage: probe"), err());
    }
}
