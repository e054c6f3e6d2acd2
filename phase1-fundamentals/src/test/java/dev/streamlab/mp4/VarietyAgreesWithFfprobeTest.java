package dev.streamlab.mp4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.testing.ExternalTools;
import dev.streamlab.testing.VarietyMedia;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The parser on MP4s unlike the bundled samples ({@link VarietyMedia}: other codecs, rates, sizes, timescales, GOP
 * shapes, track layouts, fragmented and QuickTime flavours): for every track, ffprobe and we agree on the kind,
 * codec, picture size or channels and rate, sample count, start and duration, and every keyframe's time.
 *
 * <p>Where the two differ by design, the test says so: ffprobe groups PCM samples into packets (so its packet
 * flags are not per sample). An MP3's channels and rate are checked like any other's: both come from its first
 * frame's header, as ffprobe's do, not from the sample entry (where muxers write 2 channels even for mono).
 */
class VarietyAgreesWithFfprobeTest {
    private static final double MS = 0.0005;

    /** ffprobe codec_name → how our codecs string starts (MP3: 6B for MPEG-1 audio, 69 for MPEG-2's rates). */
    private static final Map<String, String> CODECS = Map.ofEntries(Map.entry("h264", "avc1."),
            Map.entry("hevc", "hvc1."), Map.entry("vp9", "vp09."), Map.entry("av1", "av01."),
            Map.entry("aac", "mp4a.40.2"), Map.entry("mp3", "mp4a.6"), Map.entry("opus", "opus"),
            Map.entry("flac", "flac"), Map.entry("ac3", "ac-3"), Map.entry("mpeg4", "mp4v"),
            Map.entry("pcm_s16le", "sowt"), Map.entry("mov_text", "tx3g"));

    @TempDir
    static Path dir;
    private static Map<String, Path> files;

    @BeforeAll
    static void generate() throws IOException, InterruptedException {
        files = VarietyMedia.generate(dir);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.streamlab.testing.VarietyMedia#names")
    void everyTrackMatchesFfprobe(String name) throws Exception {
        Path file = files.get(name);
        Mp4File mp4 = Mp4File.open(file);
        String probe = ExternalTools.run(60, ExternalTools.ffprobe().toString(), "-v", "error", "-show_entries",
                "format=duration:stream=codec_name,codec_type,width,height,sample_rate,channels,nb_frames,"
                        + "start_time,duration", "-of", "compact", file.toString());
        List<Map<String, String>> streams = sections(probe, "stream");
        List<Track> tracks = mp4.movie().tracks();
        assertEquals(streams.size(), tracks.size(), name + ": track count");
        assertEquals(Double.parseDouble(sections(probe, "format").getFirst().get("duration")), mp4.durationSeconds(),
                MS, name + ": duration");
        // Every packet of every stream in one run: stream_index, pts_time, flags.
        List<Map<String, String>> packets = sections(ExternalTools.run(60, ExternalTools.ffprobe().toString(), "-v",
                "error", "-show_entries", "packet=stream_index,pts_time,flags", "-of", "compact", file.toString()),
                "packet");
        for (int i = 0; i < tracks.size(); i++) {
            Track t = tracks.get(i);
            Map<String, String> s = streams.get(i);
            String where = name + " track " + t.id() + " (" + s.get("codec_name") + ")";
            String kind = switch (s.get("codec_type")) {
                case "video", "audio" -> s.get("codec_type");
                default -> "other";
            };
            assertEquals(kind, t.kind().id(), where + ": kind");
            String prefix = CODECS.get(s.get("codec_name"));
            assertTrue(prefix != null && t.codec().startsWith(prefix), where + ": codec " + t.codec());
            if (t.kind() == TrackKind.VIDEO) {
                assertEquals(Integer.parseInt(s.get("width")), t.entry().width(), where + ": width");
                assertEquals(Integer.parseInt(s.get("height")), t.entry().height(), where + ": height");
            } else if (t.kind() == TrackKind.AUDIO) {
                assertEquals(Integer.parseInt(s.get("sample_rate")), t.entry().sampleRate(), where + ": rate");
                assertEquals(Integer.parseInt(s.get("channels")), t.entry().channels(), where + ": channels");
            }
            assertEquals(Double.parseDouble(s.get("duration")), t.durationSeconds(), MS, where + ": duration");
            if (!"N/A".equals(s.get("start_time"))) {
                assertEquals(Double.parseDouble(s.get("start_time")), t.startSeconds(), MS, where + ": start");
            }
            if (t.kind() == TrackKind.OTHER) continue;
            String index = String.valueOf(i);
            List<Map<String, String>> own = packets.stream().filter(p -> index.equals(p.get("stream_index")))
                    .toList();
            // nb_frames counts moov's table only: a fragmented file's samples are its packets.
            int expected = mp4.movie().fragments() > 0 ? own.size() : Integer.parseInt(s.get("nb_frames"));
            assertEquals(expected, t.samples().count(), where + ": sample count");
            if (s.get("codec_name").startsWith("pcm_")) continue; // ffprobe's PCM packets group many samples
            List<Double> keys = new ArrayList<>();
            for (var p : own) if (p.get("flags").startsWith("K")) keys.add(Double.parseDouble(p.get("pts_time")));
            keys.sort(null);
            double[] ours = t.keyframes().seconds();
            assertEquals(keys.size(), ours.length, where + ": keyframe count");
            for (int k = 0; k < ours.length; k++) assertEquals(keys.get(k), ours[k], MS, where + ": keyframe " + k);
        }
    }

    /** The {@code name|key=value|...} lines of ffprobe's compact output, in order. */
    private static List<Map<String, String>> sections(String text, String name) {
        List<Map<String, String>> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.startsWith(name + "|")) continue;
            Map<String, String> m = new java.util.HashMap<>();
            for (String kv : line.substring(name.length() + 1).split("\\|")) {
                int eq = kv.indexOf('=');
                if (eq > 0) m.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            out.add(m);
        }
        return out;
    }
}
