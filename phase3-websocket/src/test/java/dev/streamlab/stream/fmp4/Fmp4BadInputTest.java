package dev.streamlab.stream.fmp4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.mp4.Box;
import dev.streamlab.mp4.FourCC;
import dev.streamlab.mp4.Mp4File;
import dev.streamlab.mp4.Mp4FormatException;
import dev.streamlab.testing.ExternalTools;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files the remuxer must refuse, each made by patching a few bytes of the bundled video-only sample so that phase
 * 1's parser still accepts it: a clear {@link RemuxException} naming the problem at {@code open}, never a segment.
 */
class Fmp4BadInputTest {
    private static final Path VIDEO_ONLY = ExternalTools.media().resolve("sample-10s-360p-video-only.mp4");

    @TempDir
    Path dir;

    @Test
    void aTrackWithoutSamplesIsRefused() throws Exception {
        Path bad = patch("no-samples", "stbl/stss", (b, payload) -> b.putInt(payload + 4, 0)); // entry_count
        patch(bad, "stbl/stsz", (b, payload) -> b.putInt(payload + 8, 0)); // sample_count
        RemuxException e = assertThrows(RemuxException.class, () -> Fmp4Remuxer.open(bad));
        assertEquals(RemuxException.Problem.NO_SAMPLES, e.problem());
        assertEquals(1, e.trackId());
        assertTrue(e.getMessage().contains("no samples"), e.getMessage());
    }

    @Test
    void videoWithoutASyncSampleIsRefused() throws Exception {
        Path bad = patch("no-keyframe", "stbl/stss", (b, payload) -> b.putInt(payload + 4, 0)); // entry_count
        RemuxException e = assertThrows(RemuxException.class, () -> Fmp4Remuxer.open(bad));
        assertEquals(RemuxException.Problem.NO_KEYFRAME, e.problem());
    }

    @Test
    void anEncryptedSampleEntryIsRefusedAsUnsupported() throws Exception {
        Path bad = patch("encv", "stbl/stsd", (b, payload) -> b.putInt(payload + 8 + 4, FourCC.of("encv")));
        RemuxException e = assertThrows(RemuxException.class, () -> Fmp4Remuxer.open(bad));
        assertEquals(RemuxException.Problem.UNSUPPORTED_CODEC, e.problem());
        assertTrue(e.getMessage().contains("'encv'"), e.getMessage());
    }

    @Test
    void aSampleEntryPointingAtAnotherDataReferenceIsRefused() throws Exception {
        // The avc1 entry starts 8 bytes into stsd's payload; data_reference_index is at 14 in the entry.
        Path bad = patch("dref-2", "stbl/stsd", (b, payload) -> b.putShort(payload + 8 + 14, (short) 2));
        RemuxException e = assertThrows(RemuxException.class, () -> Fmp4Remuxer.open(bad));
        assertEquals(RemuxException.Problem.UNSUPPORTED_CODEC, e.problem());
    }

    @Test
    void aFileWithNeitherVideoNorAudioIsRefused() throws Exception {
        Path bad = patch("text", "hdlr", (b, payload) -> b.putInt(payload + 8, FourCC.of("text"))); // handler_type
        RemuxException e = assertThrows(RemuxException.class, () -> Fmp4Remuxer.open(bad));
        assertEquals(RemuxException.Problem.NO_PLAYABLE_TRACK, e.problem());
        assertEquals(0, e.trackId());
    }

    @Test
    void framesBeforeTheFirstKeyframeAreLeftOutSoEverySegmentStartsWithOne() throws Exception {
        // stss's first entry says sample 2 instead of 1: sample 1 can no longer start playback.
        Path odd = patch("late-keyframe", "stbl/stss", (b, payload) -> b.putInt(payload + 8, 2));
        Fmp4Track video = Fmp4Remuxer.open(odd).video().orElseThrow();
        assertEquals(1, video.skippedSamples());
        assertEquals(1, video.segment(0).firstSample());
        for (int k = 0; k < video.segmentCount(); k++) assertTrue(video.segment(k).independent(), "segment " + k);
    }

    @Test
    void bytesThatAreNotAnMp4FailInThePhase1Parser() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.mp4"), "not a video at all");
        assertThrows(Mp4FormatException.class, () -> Fmp4Remuxer.open(text));
    }

    /** A change to the bytes of one box of the first trak; {@code payload} is the box's payload offset. */
    private interface Patch {
        void apply(ByteBuffer file, int payload);
    }

    private Path patch(String name, String path, Patch patch) throws Exception {
        return patch(Files.copy(VIDEO_ONLY, dir.resolve(name + ".mp4")), path, patch);
    }

    private static Path patch(Path file, String path, Patch patch) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        Mp4File mp4 = Mp4File.parse(ByteBuffer.wrap(bytes));
        Box box = mp4.moov().require(FourCC.TRAK).require(FourCC.MDIA);
        for (String type : path.split("/")) {
            box = type.equals("stbl") ? box.require(FourCC.MINF).require(FourCC.STBL) : box.require(FourCC.of(type));
        }
        patch.apply(ByteBuffer.wrap(bytes), (int) box.header().payloadOffset());
        return Files.write(file, bytes);
    }
}
