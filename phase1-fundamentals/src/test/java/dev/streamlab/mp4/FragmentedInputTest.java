package dev.streamlab.mp4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.testing.ExternalTools;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Fragmented MP4 (ISO/IEC 14496-12 §8.8) in the flavours ffmpeg writes — its samples in {@code moof} boxes, the
 * {@code moov} tables empty or (hybrid) holding the first fragment — reads as the tracks and samples ffprobe sees:
 * every sample's presentation time and size, every keyframe, the durations. It once read as tracks of 0 samples
 * lasting 0 s, which phase 3 refused with "the video track has no samples".
 *
 * <p>The inputs are the bundled B-frames sample (H.264 with reordering + AAC) remuxed by ffmpeg with {@code -c
 * copy}: no encoding, a fraction of a second each.
 */
class FragmentedInputTest {
    private static final Path B_FRAMES = ExternalTools.media().resolve("sample-10s-360p-bframes.mp4");
    private static final double MS = 0.0005;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
            "empty moov, explicit base_data_offset; -movflags frag_keyframe+empty_moov",
            "default-base-is-moof;                  -movflags frag_keyframe+empty_moov+default_base_moof",
            "a moof per track;                      -movflags frag_keyframe+empty_moov+separate_moof",
            "no base offset: the traf before it;    -movflags frag_keyframe+empty_moov+omit_tfhd_offset",
            "hybrid: first fragment in moov;        -movflags frag_keyframe",
            "a fragment per frame;                  -movflags frag_every_frame+empty_moov",
            "Smooth Streaming (no tfdt);            -f ismv",
            "CMAF;                                  -movflags cmaf+frag_keyframe+empty_moov+default_base_moof",
    })
    void everySampleMatchesFfprobe(String name, String flags) throws Exception {
        Path out = dir.resolve("fragmented.mp4");
        List<String> cmd = new ArrayList<>(List.of(ExternalTools.ffmpeg().toString(), "-nostdin", "-v", "error",
                "-y", "-i", B_FRAMES.toString(), "-c", "copy"));
        cmd.addAll(List.of(flags.trim().split("\\s+")));
        cmd.add(out.toString());
        ExternalTools.run(60, cmd.toArray(String[]::new));
        assertMatchesFfprobe(out);
    }

    /** Codec, size, every sample's presentation time, size and key flag, and the durations, as ffprobe has them. */
    static void assertMatchesFfprobe(Path file) throws Exception {
        Mp4File mp4 = Mp4File.open(file);
        assertTrue(mp4.movie().fragments() > 0, "the file has no moof: the case is not exercised");
        Ffprobe ffprobe = new Ffprobe();
        List<Map<String, String>> streams = ffprobe.streams(file);
        List<Track> tracks = mp4.movie().tracks();
        assertEquals(streams.size(), tracks.size(), "track count");
        double[] late = new double[tracks.size()];
        for (int i = 0; i < tracks.size(); i++) late[i] = ffmpegLateBy(tracks.get(i));
        if (java.util.Arrays.stream(late).allMatch(l -> l == 0)) { // else FFmpeg's end is late too
            assertEquals(Double.parseDouble(ffprobe.format(file).get("duration")), mp4.durationSeconds(), MS,
                    "format duration");
        }
        for (int i = 0; i < tracks.size(); i++) {
            Track t = tracks.get(i);
            Map<String, String> s = streams.get(i);
            String where = file.getFileName() + " track " + t.id();
            assertEquals(s.get("codec_type"), t.kind().id(), where + " kind");
            ParserAgreesWithFfprobeTest.assertCodec(s, t, where);
            if (t.kind() == TrackKind.VIDEO) {
                assertEquals(Integer.parseInt(s.get("width")), t.entry().width(), where + " width");
                assertEquals(Integer.parseInt(s.get("height")), t.entry().height(), where + " height");
            }
            assertEquals(Double.parseDouble(s.get("duration")), t.durationSeconds(), MS, where + " duration");
            List<Map<String, String>> packets = packets(file, i);
            assertEquals(packets.size(), t.samples().count(), where + " sample count");
            for (int k = 0; k < packets.size(); k++) {
                Map<String, String> p = packets.get(k);
                String sample = where + " sample " + k;
                assertEquals(Double.parseDouble(p.get("pts_time")) - late[i], t.presentationSeconds(k), MS,
                        sample + " pts");
                assertEquals(Integer.parseInt(p.get("size")), t.samples().size(k), sample + " size");
            }
            List<Double> keys = ffprobe.keyframeTimes(file, i);
            double[] ours = t.keyframes().seconds();
            assertEquals(keys.size(), ours.length, where + " keyframe count");
            for (int k = 0; k < ours.length; k++) {
                assertEquals(keys.get(k) - late[i], ours[k], MS, where + " keyframe " + k);
            }
        }
    }

    /**
     * FFmpeg reads negative composition offsets in fragments (trun v1, as ismv and CMAF write them) by presenting
     * every sample later by the most negative one: it cannot move decode times already returned back. ISO/IEC
     * 14496-12 §8.8.8 (and MSE) present a sample at decode time + offset, as the parser does (and as FFmpeg does
     * for the same offsets in a progressive ctts). Its times are ours plus this, in seconds.
     */
    private static double ffmpegLateBy(Track t) {
        int min = 0;
        for (int k = 0; k < t.samples().count(); k++) min = Math.min(min, t.samples().compositionOffset(k));
        return -(double) min / t.timescale();
    }

    // ---- The fragments' fields are bounded like sample tables ----

    @Test
    void aTrunClaimingABillionDefaultSizedSamplesIsRefusedBeforeAllocating() throws Exception {
        byte[] bytes = fragmented("frag_keyframe+empty_moov");
        int trun = BoxWriter.offsetOf(bytes, "trun");
        ByteBuffer b = ByteBuffer.wrap(bytes);
        b.putInt(trun + 8, 0x000001); // version 0, flags: data_offset only, so no per-sample field backs the count
        b.putInt(trun + 12, 1_000_000_000);
        Mp4FormatException e = refused(bytes);
        assertEquals("moof/traf/trun", e.box(), e.getMessage());
        assertTrue(e.getMessage().contains("1000000000 samples cannot fit"), e.getMessage());
        Mp4RobustnessTest.assertAllocationBounded(bytes, "a billion samples");
    }

    @Test
    void aTrunCountLargerThanItsTableIsRefused() throws Exception {
        byte[] bytes = fragmented("frag_keyframe+empty_moov");
        int trun = BoxWriter.offsetOf(bytes, "trun");
        ByteBuffer.wrap(bytes).putInt(trun + 12, -1); // 4 294 967 295 samples with per-sample fields
        Mp4FormatException e = refused(bytes);
        assertTrue(e.getMessage().contains("claims 4294967295 entries"), e.getMessage());
        Mp4RobustnessTest.assertAllocationBounded(bytes, "a lying trun count");
    }

    @Test
    void aSampleOutsideTheFileIsRefused() throws Exception {
        byte[] bytes = fragmented("frag_keyframe+empty_moov+default_base_moof");
        int trun = BoxWriter.offsetOf(bytes, "trun");
        ByteBuffer.wrap(bytes).putInt(trun + 16, bytes.length); // data_offset: past the end
        Mp4FormatException e = refused(bytes);
        assertTrue(e.getMessage().contains("lies outside the " + bytes.length + "-byte file"), e.getMessage());
    }

    @Test
    void aFragmentStartingBeforeThePreviousOneEndsIsRefused() throws Exception {
        byte[] bytes = fragmented("frag_keyframe+empty_moov");
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int tfdts = 0;
        for (int at = 4; at + 16 <= bytes.length; at++) { // every fragment back at decode time 0
            if (b.getInt(at) != FourCC.of("tfdt")) continue;
            if (bytes[at + 4] == 1) b.putLong(at + 8, 0);
            else b.putInt(at + 8, 0);
            tfdts++;
        }
        assertTrue(tfdts > 2, tfdts + " tfdt boxes: one fragment per track is not enough to overlap");
        Mp4FormatException e = refused(bytes);
        assertEquals("moof/traf/tfdt", e.box(), e.getMessage());
        assertTrue(e.getMessage().contains("the fragments overlap"), e.getMessage());
    }

    @Test
    void aTrafForATrackTheMoovDoesNotHaveIsRefused() throws Exception {
        byte[] bytes = fragmented("frag_keyframe+empty_moov");
        int tfhd = BoxWriter.offsetOf(bytes, "tfhd");
        ByteBuffer.wrap(bytes).putInt(tfhd + 12, 99);
        Mp4FormatException e = refused(bytes);
        assertEquals("moof/traf/tfhd", e.box(), e.getMessage());
        assertTrue(e.getMessage().contains("track_ID 99"), e.getMessage());
    }

    private byte[] fragmented(String movflags) throws IOException, InterruptedException {
        Path out = dir.resolve("fragmented.mp4");
        ExternalTools.run(60, ExternalTools.ffmpeg().toString(), "-nostdin", "-v", "error", "-y", "-i",
                B_FRAMES.toString(), "-c", "copy", "-movflags", movflags, out.toString());
        return Files.readAllBytes(out);
    }

    /** Refused from memory and from disk alike, naming a place in the input. */
    private Mp4FormatException refused(byte[] bytes) throws IOException {
        Mp4FormatException e = assertThrows(Mp4FormatException.class, () -> Mp4File.parse(ByteBuffer.wrap(bytes)));
        Path file = Files.write(dir.resolve("bad.mp4"), bytes);
        assertEquals(e.getMessage(), assertThrows(Mp4FormatException.class, () -> Mp4File.open(file)).getMessage());
        Mp4RobustnessTest.assertNamesAPlaceInTheInput(e, bytes.length, "fragmented input");
        return e;
    }

    private static List<Map<String, String>> packets(Path file, int stream) throws Exception {
        List<Map<String, String>> out = new ArrayList<>();
        String text = ExternalTools.run(60, ExternalTools.ffprobe().toString(), "-v", "error", "-select_streams",
                String.valueOf(stream), "-show_entries", "packet=pts_time,size", "-of", "compact", file.toString());
        for (String line : text.split("\n")) {
            if (!line.startsWith("packet|")) continue;
            Map<String, String> m = new java.util.HashMap<>();
            for (String kv : line.substring(7).split("\\|")) {
                int eq = kv.indexOf('=');
                if (eq > 0) m.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            out.add(m);
        }
        return out;
    }
}
