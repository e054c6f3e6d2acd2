package dev.streamlab.mp4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.testing.ExternalTools;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * For every bundled sample, our parser and FFmpeg's demuxer (ffprobe, run here) must agree on what is in the
 * file: codec, dimensions, sample count, start times, durations, bitrate and every keyframe's timestamp to the
 * millisecond.
 */
class ParserAgreesWithFfprobeTest {
    private static final double MS = 0.0005; // ffprobe prints 6 decimals; "to the millisecond" = within half a ms

    static Stream<Path> samples() throws IOException {
        return ExternalTools.bundledSamples().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void everyTrackMatchesFfprobe(Path file) throws Exception {
        assertAgrees(file);
    }

    static void assertAgrees(Path file) throws Exception {
        assertAgrees(file, t -> MS);
    }

    /**
     * As {@link #assertAgrees(Path)}, with each track's start time, duration and keyframe times compared within
     * {@code timing} seconds of ffprobe's instead of half a millisecond.
     */
    static void assertAgrees(Path file, ToDoubleFunction<Track> timing) throws Exception {
        Ffprobe ffprobe = new Ffprobe();
        Mp4File mp4 = Mp4File.open(file);
        List<Map<String, String>> streams = ffprobe.streams(file);
        List<Track> tracks = mp4.movie().tracks();
        assertEquals(streams.size(), tracks.size(), "track count");

        Map<String, String> format = ffprobe.format(file);
        assertEquals(Long.parseLong(format.get("size")), mp4.size(), "file size");
        assertEquals(Double.parseDouble(format.get("duration")), mp4.durationSeconds(), MS, "format duration");

        for (int i = 0; i < tracks.size(); i++) {
            Track t = tracks.get(i);
            Map<String, String> s = streams.get(i);
            String where = file.getFileName() + " track " + t.id();
            assertEquals(s.get("codec_type"), t.kind().id(), where + " kind");
            assertCodec(s, t, where);
            assertEquals(Integer.parseInt(s.get("nb_frames")), t.samples().count(), where + " sample count");
            // ffprobe's stream start_time and duration: where the track starts on the timeline (later than 0 when an
            // empty edit delays it) and how long it plays from there.
            double tolerance = timing.applyAsDouble(t);
            assertEquals(Double.parseDouble(s.get("start_time")), t.startSeconds(), tolerance, where + " start_time");
            assertEquals(Double.parseDouble(s.get("duration")), t.playDurationSeconds(), tolerance,
                    where + " duration");
            long theirs = Long.parseLong(s.get("bit_rate"));
            assertEquals(theirs, t.bitrate(), 1, where + " bitrate");
            if (t.kind() == TrackKind.VIDEO) {
                assertEquals(Integer.parseInt(s.get("width")), t.entry().width(), where + " width");
                assertEquals(Integer.parseInt(s.get("height")), t.entry().height(), where + " height");
            } else {
                assertEquals(Integer.parseInt(s.get("sample_rate")), t.entry().sampleRate(), where + " rate");
                assertEquals(Integer.parseInt(s.get("channels")), t.entry().channels(), where + " channels");
            }
            List<Double> expected = ffprobe.keyframeTimes(file, i);
            double[] ours = t.keyframes().seconds();
            assertEquals(expected.size(), ours.length, where + " keyframe count");
            for (int k = 0; k < ours.length; k++) {
                assertEquals(expected.get(k), ours[k], tolerance, where + " keyframe " + k);
            }
        }
    }

    /** Our RFC 6381 string must say what ffprobe's codec name, profile and level say. */
    static void assertCodec(Map<String, String> s, Track t, String where) {
        String codec = t.codec();
        switch (s.get("codec_name")) {
            case "h264" -> {
                assertTrue(codec.matches("avc[13]\\.[0-9a-f]{6}"), where + " " + codec);
                int profile = Integer.parseInt(codec.substring(5, 7), 16);
                int level = Integer.parseInt(codec.substring(9, 11), 16);
                String name = switch (profile) {
                    case 66 -> "Baseline";
                    case 77 -> "Main";
                    case 100 -> "High";
                    default -> "profile_idc " + profile;
                };
                assertTrue(s.get("profile").endsWith(name), where + " profile " + s.get("profile") + " vs " + codec);
                assertEquals(Integer.parseInt(s.get("level")), level, where + " level of " + codec);
            }
            case "aac" -> assertEquals(switch (s.get("profile")) {
                case "LC" -> "mp4a.40.2";
                case "HE-AAC" -> "mp4a.40.5";
                case "HE-AACv2" -> "mp4a.40.29";
                default -> "unexpected AAC profile " + s.get("profile");
            }, codec, where);
            case "hevc" -> {
                assertTrue(codec.startsWith("hvc1.") || codec.startsWith("hev1."), where + " " + codec);
                int profile = switch (s.get("profile")) {
                    case "Main" -> 1;
                    case "Main 10" -> 2;
                    default -> -1;
                };
                assertTrue(codec.startsWith(codec.substring(0, 5) + profile + "."), where + " profile of " + codec);
                assertTrue(codec.contains(".L" + s.get("level")) || codec.contains(".H" + s.get("level")),
                        where + " level " + s.get("level") + " in " + codec);
            }
            case "vp9" -> {
                String profile = s.get("profile").replace("Profile ", "");
                assertTrue(codec.startsWith("vp09.0" + profile + "."), where + " " + codec);
                assertTrue(codec.endsWith(s.get("pix_fmt").contains("10") ? ".10" : ".08"), where + " " + codec);
            }
            case "av1" -> {
                int profile = switch (s.get("profile")) {
                    case "Main" -> 0;
                    case "High" -> 1;
                    case "Professional" -> 2;
                    default -> -1;
                };
                assertEquals(String.format("av01.%d.%02dM.%s", profile, Integer.parseInt(s.get("level")),
                        s.get("pix_fmt").contains("10") ? "10" : "08"), codec, where);
            }
            case "opus" -> assertEquals("opus", codec, where);
            default -> throw new AssertionError(where + ": no oracle for codec " + s.get("codec_name"));
        }
    }
}
