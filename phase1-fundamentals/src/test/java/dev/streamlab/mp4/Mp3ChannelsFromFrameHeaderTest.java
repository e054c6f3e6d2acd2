package dev.streamlab.mp4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.streamlab.testing.ExternalTools;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * MP3 in MP4 takes its channel count and rate from the first sample's MPEG audio frame header, as ffprobe does,
 * not from the sample entry (FFmpeg writes 2 channels there even for mono); where that header is missing or
 * invalid, the entry's values stand. The agreement with ffprobe itself is {@link VarietyAgreesWithFfprobeTest}'s.
 */
class Mp3ChannelsFromFrameHeaderTest {
    @TempDir
    static Path dir;
    /** A mono 48 kHz MP3 track alone in an MP4, as FFmpeg writes it: channelcount 2 in the entry. */
    private static byte[] mono;
    private static long firstSample;
    private static long mp4a;

    @BeforeAll
    static void generate() throws IOException, InterruptedException {
        Path file = dir.resolve("mono.mp4");
        ExternalTools.run(120, ExternalTools.ffmpeg().toString(), "-nostdin", "-v", "error", "-y", "-f", "lavfi",
                "-i", "sine=frequency=440:sample_rate=48000:duration=1", "-c:a", "libmp3lame", "-ac", "1",
                file.toString());
        mono = Files.readAllBytes(file);
        Mp4File mp4 = Mp4File.open(file);
        firstSample = mp4.movie().tracks().getFirst().samples().offset(0);
        mp4a = find(mp4.tree(), "mp4a").offset();
    }

    @Test
    void aMonoMp3ReportsOneChannelThoughItsEntrySaysTwo() throws Exception {
        assertEquals(2, ByteBuffer.wrap(mono).getShort((int) mp4a + 8 + 16), "the entry's channelcount");
        SampleEntry e = entry(mono);
        assertEquals(1, e.channels());
        assertEquals(48000, e.sampleRate());
        assertEquals(e, Mp4File.open(dir.resolve("mono.mp4")).movie().tracks().getFirst().entry(), "file = memory");
    }

    @Test
    void theFrameHeadersRateWinsOverTheEntrys() throws Exception {
        byte[] b = mono.clone();
        ByteBuffer.wrap(b).putInt((int) mp4a + 8 + 24, 44100 << 16); // samplerate, 16.16
        SampleEntry e = entry(b);
        assertEquals(48000, e.sampleRate());
        assertEquals(1, e.channels());
    }

    @Test
    void withoutASyncWordTheEntryStands() throws Exception {
        byte[] b = mono.clone();
        b[(int) firstSample] = 0x00;
        SampleEntry e = entry(b);
        assertEquals(2, e.channels());
        assertEquals(48000, e.sampleRate());
    }

    @Test
    void aReservedSamplingFrequencyLeavesTheEntryAsItIs() throws Exception {
        byte[] b = mono.clone();
        b[(int) firstSample + 2] |= 0x0C; // sampling_frequency 3: reserved
        SampleEntry e = entry(b);
        assertEquals(2, e.channels());
        assertEquals(48000, e.sampleRate());
    }

    /**
     * Headers as ISO/IEC 11172-3 §2.4.1.3 lays them out: FFF/FFE syncword, version, layer, bitrate, rate, mode.
     * {@code -} is no valid header.
     */
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
            "FFFB9064, MPEG-1 layer III 44.1 kHz joint stereo,      2, 44100",
            "FFFB94C4, MPEG-1 layer III 48 kHz single channel,      1, 48000",
            "FFFD9880, MPEG-1 layer II 32 kHz dual channel,         2, 32000",
            "FFF390C4, MPEG-2 layer III 22.05 kHz single channel,   1, 22050",
            "FFE398C4, MPEG-2.5 layer III 8 kHz single channel,     1, 8000",
            "FFEB9064, reserved version,                            -, -",
            "FFF99064, reserved layer,                              -, -",
            "FFFBF064, bitrate index 15 (forbidden),                -, -",
            "FFFB9C64, reserved sampling frequency,                 -, -",
            "7FFB9064, no syncword,                                 -, -",
            "00000000, zeros,                                       -, -",
    })
    void frameHeaders(String hex, String what, String channels, String rate) {
        Codecs.MpegAudio h = Codecs.mpegAudio(Integer.parseUnsignedInt(hex, 16));
        if (channels.equals("-")) {
            assertNull(h, what);
        } else {
            assertEquals(new Codecs.MpegAudio(Integer.parseInt(channels), Integer.parseInt(rate)), h, what);
        }
    }

    private static SampleEntry entry(byte[] file) throws Mp4FormatException {
        return Mp4File.parse(ByteBuffer.wrap(file)).movie().tracks().getFirst().entry();
    }

    private static BoxNode find(java.util.List<BoxNode> nodes, String type) {
        for (BoxNode n : nodes) {
            if (n.type().equals(type)) return n;
            BoxNode inner = find(n.children(), type);
            if (inner != null) return inner;
        }
        return null;
    }
}
