package dev.streamlab.stream.fmp4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.streamlab.mp4.Mp4File;
import dev.streamlab.mp4.TrackKind;
import dev.streamlab.testing.ExternalTools;
import dev.streamlab.testing.VarietyMedia;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Fmp4FfprobeOracleTest}'s oracle over MP4s unlike the bundled samples ({@link VarietyMedia}: other codecs,
 * rates, sizes, timescales, GOP shapes, track layouts, fragmented and Smooth Streaming inputs). Each file is either
 * remuxed — every track's init and segments written out, and FFmpeg sees the source's packets (pts, dts, keyframe
 * flag) with nothing to complain about while demuxing and decoding every frame — or refused at open with a
 * {@link RemuxException} naming its problem and the offending sample entry: never an exception of another kind,
 * never half a stream.
 *
 * <p>One segment per GOP only; {@link Fmp4FfprobeOracleTest} also cuts in chunks. To stay cheap, one ffprobe run
 * lists the source's packets, and one per output track both lists its packets and decodes its frames.
 */
class Fmp4VarietyOracleTest {
    private static final double MS = 0.0005;

    /** Files the remuxer must refuse, and the sample entry the message must name. */
    private static final Map<String, String> REFUSED = Map.of(
            "mpeg4", "'mp4v'",              // MPEG-4 Part 2 video: not an MSE codec
            "ac3", "'ac-3'",                // AC-3 audio beside H.264
            "pcm-mov", "'sowt'",            // QuickTime PCM
            "aac-in-mov", "QuickTime sound description version 1");

    @TempDir
    static Path dir;
    private static Map<String, Path> files;

    @BeforeAll
    static void generate() throws IOException, InterruptedException {
        files = VarietyMedia.generate(dir);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.streamlab.testing.VarietyMedia#names")
    void remuxedAsFfmpegSeesTheSourceOrRefusedByName(String name) throws Exception {
        Path source = files.get(name);
        if (REFUSED.containsKey(name)) {
            RemuxException e = assertThrows(RemuxException.class, () -> Fmp4Remuxer.open(source));
            assertEquals(RemuxException.Problem.UNSUPPORTED_CODEC, e.problem(), e.getMessage());
            assertTrue(e.getMessage().contains(REFUSED.get(name)), e.getMessage());
            return;
        }
        Fmp4Remuxer fmp4 = Fmp4Remuxer.open(source);
        assertFalse(fmp4.tracks().isEmpty(), name);
        List<Integer> ids = Mp4File.open(source).movie().tracks().stream().map(t -> t.id()).toList();
        Map<Integer, List<Ffprobe.Packet>> sourcePackets = packetsByStream(source);
        for (Fmp4Track track : fmp4.tracks()) {
            String what = name + " " + track.kind().id();
            Path out = Fmp4Files.write(track, dir.resolve(name + "." + track.kind().id() + ".fmp4.mp4"));
            // FFmpeg numbers streams in trak order, as phase 1 lists tracks.
            List<Ffprobe.Packet> expected = sourcePackets.get(ids.indexOf(track.trackId()));
            Ffprobe.Run r = Ffprobe.run(120, ExternalTools.ffprobe().toString(), "-v", "error", "-show_entries",
                    "packet=pts_time,dts_time,flags:frame=pts", "-of", "compact", out.toString());
            assertEquals(0, r.exit(), what + ": ffprobe exit");
            assertEquals("", r.err().strip(), what + ": ffprobe demuxing and decoding every frame");
            List<Ffprobe.Packet> actual = parse(r.out(), false).get(0);
            assertEquals(expected.size(), actual.size(), what + ": packet count");
            for (int i = 0; i < expected.size(); i++) {
                Ffprobe.Packet e = expected.get(i);
                Ffprobe.Packet a = actual.get(i);
                if (Math.abs(e.pts() - a.pts()) > MS || Math.abs(e.dts() - a.dts()) > MS || e.key() != a.key()) {
                    fail(what + ": packet " + i + " is " + a + " in the fragmented output, " + e + " in the source");
                }
            }
            if (track.kind() == TrackKind.VIDEO) assertTrue(actual.getFirst().key(), what + ": starts on a keyframe");
        }
    }

    /** Every packet of every stream of {@code file}, by stream index. */
    private static Map<Integer, List<Ffprobe.Packet>> packetsByStream(Path file) throws Exception {
        Ffprobe.Run r = Ffprobe.run(120, ExternalTools.ffprobe().toString(), "-v", "error", "-show_entries",
                "packet=stream_index,pts_time,dts_time,flags", "-of", "compact", file.toString());
        if (r.exit() != 0) fail("ffprobe " + file + " exited " + r.exit() + ": " + r.err());
        return parse(r.out(), true);
    }

    /** {@code packet|...} lines, by stream_index (all in stream 0 without {@code byStream}). */
    private static Map<Integer, List<Ffprobe.Packet>> parse(String text, boolean byStream) {
        Map<Integer, List<Ffprobe.Packet>> out = new HashMap<>();
        for (String line : text.split("\n")) {
            if (!line.startsWith("packet|")) continue;
            Map<String, String> m = new HashMap<>();
            for (String kv : line.substring(7).split("\\|")) {
                int eq = kv.indexOf('=');
                if (eq > 0) m.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            int stream = byStream ? Integer.parseInt(m.get("stream_index")) : 0;
            out.computeIfAbsent(stream, k -> new ArrayList<>()).add(new Ffprobe.Packet(time(m.get("pts_time")),
                    time(m.get("dts_time")), m.getOrDefault("flags", "").startsWith("K")));
        }
        return out;
    }

    private static double time(String v) {
        return v == null || v.equals("N/A") ? Double.NaN : Double.parseDouble(v);
    }
}
