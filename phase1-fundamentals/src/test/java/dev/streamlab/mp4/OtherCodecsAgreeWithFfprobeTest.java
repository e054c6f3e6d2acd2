package dev.streamlab.mp4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.testing.ExternalTools;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The bundled samples are all H.264 + AAC. The other codecs a browser meets in MP4 (HEVC, VP9, AV1, Opus) are
 * encoded here, tiny, by the real ffmpeg, and the parser must agree with ffprobe on them too — including the
 * RFC 6381 codec string a {@code MediaSource} needs.
 */
class OtherCodecsAgreeWithFfprobeTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
            "hevc-hvc1;  -c:v libx265 -preset ultrafast -x265-params log-level=none:keyint=10 -tag:v hvc1;  hvc1.1.",
            "hevc-hev1;  -c:v libx265 -preset ultrafast -x265-params log-level=none:keyint=10 -tag:v hev1;  hev1.1.",
            "vp9;        -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -g 10 -b:v 200k;                   vp09.00.",
            "av1;        -c:v libaom-av1 -cpu-used 8 -usage realtime -g 10 -b:v 200k;                       av01.0.",
            "opus-audio; -c:v libx264 -preset ultrafast -g 10 -c:a libopus -b:a 32k;                          avc1.",
    })
    void codecStringAndTimingMatchFfprobe(String name, String encoder, String codecPrefix) throws Exception {
        Path ffmpeg = ExternalTools.ffmpeg();
        Path out = dir.resolve(name + ".mp4");
        List<String> cmd = new java.util.ArrayList<>(List.of(ffmpeg.toString(), "-nostdin", "-v", "error", "-y",
                "-f", "lavfi", "-i", "testsrc=size=160x96:rate=10:duration=2",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=2"));
        cmd.addAll(List.of(encoder.trim().split("\\s+")));
        if (!encoder.contains("-c:a")) cmd.addAll(List.of("-c:a", "aac"));
        cmd.addAll(List.of("-pix_fmt", "yuv420p", "-shortest", out.toString()));
        ExternalTools.run(120, cmd.toArray(String[]::new));

        ParserAgreesWithFfprobeTest.assertAgrees(out);
        Mp4File mp4 = Mp4File.open(out);
        Track video = mp4.movie().first(TrackKind.VIDEO).orElseThrow();
        assertTrue(video.codec().startsWith(codecPrefix.trim()), video.codec());
        if (name.equals("opus-audio")) {
            assertEquals("opus", mp4.movie().first(TrackKind.AUDIO).orElseThrow().codec());
        }
    }

    /**
     * Entries the parser names only by their FourCC — codecs MSE does not play from MP4, which the remuxer refuses
     * by that name — still have their picture size, channels and rate, read from the preamble every visual or
     * audio sample entry shares (QuickTime sound versions 1 and 2 included). They were reported as 0x0 and 0 ch.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
            "mpeg4;                       mp4; -c:v mpeg4;                                    mp4v",
            "mjpeg;                       mp4; -c:v mjpeg -pix_fmt yuvj420p;                  mp4v",
            "ac3 5.1 (dac3);              mp4; -c:a ac3 -ac 6;                                ac-3",
            "alac;                        mp4; -c:a alac;                                     alac",
            "pcm s16 (QuickTime sound v1); mov; -c:a pcm_s16le;                               sowt",
            "pcm s24 (QuickTime sound v2); mov; -c:a pcm_s24le -ar 96000 -ac 2;               lpcm",
    })
    void entriesKnownOnlyByTheirFourCcStillHaveSizeChannelsAndRate(String name, String container, String encoder,
                                                                 String fourcc) throws Exception {
        boolean video = encoder.contains("-c:v");
        Path out = dir.resolve(name.replaceAll("\\W+", "-") + ".mp4");
        List<String> cmd = new java.util.ArrayList<>(List.of(ExternalTools.ffmpeg().toString(), "-nostdin", "-v",
                "error", "-y", "-f", "lavfi", "-i", video ? "testsrc=size=162x98:rate=10:duration=1"
                        : "sine=frequency=440:sample_rate=48000:duration=1"));
        cmd.addAll(List.of(encoder.trim().split("\\s+")));
        cmd.addAll(List.of("-f", container.trim(), out.toString()));
        ExternalTools.run(60, cmd.toArray(String[]::new));

        Track t = Mp4File.open(out).movie().tracks().getFirst();
        Map<String, String> s = new Ffprobe().streams(out).getFirst();
        assertEquals(fourcc.trim(), t.codec());
        assertEquals(Integer.parseInt(s.get("nb_frames")), t.samples().count(), "sample count");
        if (video) {
            assertEquals(Integer.parseInt(s.get("width")), t.entry().width(), "width");
            assertEquals(Integer.parseInt(s.get("height")), t.entry().height(), "height");
        } else {
            assertEquals(Integer.parseInt(s.get("channels")), t.entry().channels(), "channels");
            assertEquals(Integer.parseInt(s.get("sample_rate")), t.entry().sampleRate(), "sample rate");
        }
    }

    /**
     * An AudioSampleEntry's samplerate is 16.16 fixed point: 96 kHz does not fit, and ffmpeg writes 0 there. The
     * rate is then the codec configuration's (AAC's AudioSpecificConfig, FLAC's STREAMINFO in dfLa); it was
     * reported as 0 Hz.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
            "aac 96 kHz;        -c:a aac;                 96000",
            "aac 88.2 kHz 7.1;  -c:a aac -ac 8;           88200",
            "flac 96 kHz;       -c:a flac -strict -2;     96000",
    })
    void sampleRatesTooHighForTheSampleEntryComeFromTheCodecConfiguration(String name, String encoder, int rate)
            throws Exception {
        Path out = dir.resolve(name.replaceAll("\\W+", "-") + ".mp4");
        List<String> cmd = new java.util.ArrayList<>(List.of(ExternalTools.ffmpeg().toString(), "-nostdin", "-v",
                "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=" + rate + ":duration=1"));
        cmd.addAll(List.of(encoder.trim().split("\\s+")));
        cmd.add(out.toString());
        ExternalTools.run(60, cmd.toArray(String[]::new));

        Track t = Mp4File.open(out).movie().tracks().getFirst();
        Map<String, String> s = new Ffprobe().streams(out).getFirst();
        assertEquals(rate, Integer.parseInt(s.get("sample_rate")), "ffprobe");
        assertEquals(rate, t.entry().sampleRate(), "sample rate");
        assertEquals(Integer.parseInt(s.get("channels")), t.entry().channels(), "channels");
    }
}
