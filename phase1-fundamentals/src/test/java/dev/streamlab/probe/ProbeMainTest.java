package dev.streamlab.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.shared.json.JsonParser;
import dev.streamlab.testing.ExternalTools;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
    void jsonForOneFileIsTheReportObjectAlone() throws Exception {
        assertEquals(0, run(ExternalTools.media().resolve("sample-10s-360p-video-only.mp4").toString(), "--json"));
        Map<String, Object> report = JsonParser.parseObject(out(), Integer.MAX_VALUE);
        assertEquals(List.of("format", "tracks"), List.copyOf(report.keySet()), "the shape scripts already parse");
    }

    @Test
    void jsonForSeveralFilesIsOneArrayOfReports() throws Exception {
        Path a = ExternalTools.media().resolve("sample-10s-360p-video-only.mp4");
        Path b = ExternalTools.media().resolve("sample-10s-360p-bframes.mp4");
        assertEquals(0, run(a.toString(), "--json", b.toString()));
        List<?> reports = assertInstanceOf(List.class, JsonParser.parse(out(), Integer.MAX_VALUE), out());
        assertEquals(2, reports.size());
        for (int i = 0; i < 2; i++) {
            Map<?, ?> report = assertInstanceOf(Map.class, reports.get(i));
            assertEquals((i == 0 ? a : b).toString(), report.get("file"));
            assertTrue(report.containsKey("format") && report.containsKey("tracks"), report.toString());
        }
    }

    @Test
    void jsonWithBoxesPutsTheBoxTreeInTheDocument() throws Exception {
        assertEquals(0, run(ExternalTools.media().resolve("sample-10s-360p-video-only.mp4").toString(), "--json",
                "--boxes"));
        Map<String, Object> report = JsonParser.parseObject(out(), Integer.MAX_VALUE);
        assertTrue(report.containsKey("tracks"), out());
        List<?> top = assertInstanceOf(List.class, report.get("boxes"));
        Map<?, ?> moov = top.stream().map(Map.class::cast).filter(m -> "moov".equals(m.get("type"))).findFirst()
                .orElseThrow(() -> new AssertionError("no moov in " + top));
        assertInstanceOf(Long.class, moov.get("offset"));
        assertInstanceOf(Long.class, moov.get("size"));
        List<?> children = assertInstanceOf(List.class, moov.get("children"));
        assertTrue(children.stream().map(Map.class::cast).anyMatch(m -> "trak".equals(m.get("type"))), moov.toString());
    }

    @Test
    void filesThatCannotBeProbedAreErrorEntriesInTheJsonAndExitOne(@TempDir Path dir) throws Exception {
        Path good = ExternalTools.media().resolve("sample-10s-360p-video-only.mp4");
        Path text = Files.writeString(dir.resolve("notes.mp4"), "hello, this is text");
        Path missing = dir.resolve("missing.mp4");
        assertEquals(1, run("--json", good.toString(), text.toString(), missing.toString()));
        List<?> reports = assertInstanceOf(List.class, JsonParser.parse(out(), Integer.MAX_VALUE), out());
        assertEquals(3, reports.size());
        assertTrue(((Map<?, ?>) reports.get(0)).containsKey("tracks"), out());
        Map<?, ?> notMp4 = assertInstanceOf(Map.class, reports.get(1));
        assertEquals(List.of("file", "error"), List.copyOf(notMp4.keySet()), out());
        assertEquals(text.toString(), notMp4.get("file"));
        assertTrue(notMp4.get("error").toString().startsWith("not a valid MP4: file at byte 0: not an MP4"), out());
        assertEquals(Map.of("file", missing.toString(), "error", "no such file"), reports.get(2));
        assertTrue(err().contains("notes.mp4: not a valid MP4") && err().contains("missing.mp4: no such file"), err());

        out.reset();
        assertEquals(1, run(text.toString(), "--json"));
        Map<String, Object> alone = JsonParser.parseObject(out(), Integer.MAX_VALUE);
        assertEquals(text.toString(), alone.get("file"), out());
        assertTrue(alone.get("error").toString().startsWith("not a valid MP4"), out());
    }

    /**
     * The student's comparison: {@code ffmpeg -itsoffset 0.5 -i plain.mp4 -c copy delayed.mp4}, then ffprobe says
     * start_time 0.5, duration 10 (format 10.5). The probe says the same, and why, instead of a bare "10.500 s".
     * {@code DelayedTracksAgreeWithFfprobeTest} checks the numbers against ffprobe itself.
     */
    @Test
    void aDelayedTrackSaysWhereItStartsAndHowLongItPlays(@TempDir Path dir) throws Exception {
        String ffmpeg = ExternalTools.ffmpeg().toString();
        Path plain = dir.resolve("plain.mp4");
        Path delayed = dir.resolve("delayed.mp4");
        ExternalTools.run(120, ffmpeg, "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                "testsrc=size=160x96:rate=24", "-t", "10", "-c:v", "libx264", "-pix_fmt", "yuv420p", plain.toString());
        ExternalTools.run(120, ffmpeg, "-nostdin", "-v", "error", "-y", "-itsoffset", "0.5", "-i", plain.toString(),
                "-c", "copy", delayed.toString());

        assertEquals(0, run(delayed.toString()));
        assertTrue(out().startsWith("delayed.mp4: ") && out().contains(" 10.500 s, brand"), "the file: " + out());
        assertTrue(out().matches("(?s).*\\n  track 1 video .* 10\\.000 s +240 samples .* starts at 0\\.500 s "
                + "\\(after a 0\\.500 s empty edit\\), ends at 10\\.500 s, .*"), out());

        out.reset();
        assertEquals(0, run(delayed.toString(), "--json"));
        Map<?, ?> track = assertInstanceOf(Map.class, assertInstanceOf(List.class,
                JsonParser.parseObject(out(), Integer.MAX_VALUE).get("tracks")).getFirst());
        assertEquals(10.5, track.get("duration_s"), "where it ends on the timeline, as before");
        assertEquals(0.5, track.get("start_s"), out());
        assertEquals(10.0, ((Number) track.get("media_duration_s")).doubleValue(), out());
        long bitsPerSecondOver10s = Math.round(mediaBytes(delayed) * 8 / 10.0);
        assertEquals(bitsPerSecondOver10s, ((Number) track.get("bitrate")).doubleValue(), 1,
                "the bitrate divides by the 10 s of media, not by the 10.5 s timeline");
        assertEquals(List.of(0.5), track.get("keyframes_s"), out());

        out.reset();
        assertEquals(0, run(plain.toString(), "--json"));
        Map<?, ?> notDelayed = assertInstanceOf(Map.class, assertInstanceOf(List.class,
                JsonParser.parseObject(out(), Integer.MAX_VALUE).get("tracks")).getFirst());
        assertEquals(0L, notDelayed.get("start_s"), out());
        assertEquals(10L, notDelayed.get("duration_s"), out());
        assertEquals(10L, notDelayed.get("media_duration_s"), out());
    }

    private static long mediaBytes(Path file) throws Exception {
        return dev.streamlab.mp4.Mp4File.open(file).movie().tracks().getFirst().samples().totalBytes();
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

    @Test
    void aSingleDashOptionItDoesNotKnowIsAUsageErrorNotAMissingFile() {
        assertEquals(2, run("-x", "x.mp4"));
        assertTrue(err().contains("unknown option -x"), err());
    }

    @Test
    void afterDashDashADashNameIsAFile() {
        assertEquals(1, run("--", "-no-such-file.mp4"));
        assertTrue(err().contains("probe: -no-such-file.mp4: no such file"), err());
    }

    @Test
    void anEmptyFileNameIsAUsageErrorNotTheWorkingDirectory() {
        assertEquals(2, run(""));
        assertTrue(err().contains("an empty file name"), err());
        assertFalse(err().contains("directory"), err());
    }

    @Test
    void aSymbolicLinkLoopIsNamedAsALinkToNothing(@TempDir Path dir) throws Exception {
        Path loop = Files.createSymbolicLink(dir.resolve("loop.mp4"), Path.of("loop.mp4"));
        Path dangling = Files.createSymbolicLink(dir.resolve("gone.mp4"), dir.resolve("deleted.mp4"));
        assertEquals(1, run(loop.toString(), dangling.toString()));
        assertTrue(err().contains("loop.mp4: a symbolic link to nothing"), err());
        assertTrue(err().contains("gone.mp4: a symbolic link to nothing"), err());
    }

    @Test
    void aFileShorterThanOneBoxHeaderIsNotAnMp4RatherThanATruncatedOne(@TempDir Path dir) throws Exception {
        Path tiny = Files.writeString(dir.resolve("tiny.mp4"), "hello\n");
        assertEquals(1, run(tiny.toString()));
        assertTrue(err().contains("tiny.mp4: not a valid MP4: file at byte 0: only 6 bytes, fewer than one box"
                + " header (8): not an MP4"), err());
        assertFalse(err().contains("truncated"), err());
    }
}
