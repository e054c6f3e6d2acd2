package dev.streamlab.stream.fmp4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.mp4.Box;
import dev.streamlab.mp4.FourCC;
import dev.streamlab.mp4.PayloadReader;
import dev.streamlab.mp4.SampleTable;
import dev.streamlab.mp4.Track;
import dev.streamlab.testing.ExternalTools;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A media segment, box by box: moof/mfhd/traf(tfhd, tfdt, trun) + mdat, every field checked against the source's
 * sample table, and the mdat payload checked byte for byte against the source file.
 */
class MediaSegmentTest {
    private static final Path BFRAMES = ExternalTools.media().resolve("sample-10s-360p-bframes.mp4");

    @Test
    void everyFieldOfTheMoofComesFromTheSourceSampleTable() throws Exception {
        Fmp4Remuxer fmp4 = Fmp4Remuxer.open(BFRAMES);
        byte[] file = Files.readAllBytes(BFRAMES);
        for (Fmp4Track t : fmp4.tracks()) {
            SampleTable st = t.source().samples();
            for (int k = 0; k < t.segmentCount(); k++) {
                Segment s = t.segment(k);
                byte[] bytes = Fmp4Files.bytes(s.buffers());
                assertEquals(s.length(), bytes.length);
                List<Box> top = Box.parse(ByteBuffer.wrap(bytes), 0, "", 0);
                assertEquals(List.of("moof", "mdat"), top.stream().map(b -> b.header().typeName()).toList());
                Box moof = top.get(0);
                Box mdat = top.get(1);

                PayloadReader mfhd = moof.require(FourCC.of("mfhd")).reader();
                mfhd.fullBoxVersion(0);
                assertEquals(k + 1, mfhd.u32("sequence_number"));
                assertEquals(k + 1, s.sequence());

                Box traf = moof.require(FourCC.TRAF);
                PayloadReader tfhd = traf.require(FourCC.of("tfhd")).reader();
                tfhd.fullBoxVersion(0);
                assertEquals(0x020000, tfhd.flags(), "default-base-is-moof and nothing else");
                assertEquals(t.trackId(), tfhd.u32("track_ID"));

                PayloadReader tfdt = traf.require(FourCC.of("tfdt")).reader();
                assertEquals(1, tfdt.fullBoxVersion(1), "tfdt version 1: a 64-bit decode time");
                int first = s.firstSample();
                assertEquals(st.decodeTime(first), tfdt.u64("baseMediaDecodeTime"));
                assertEquals(st.decodeTime(first), s.baseDecodeTime());

                PayloadReader trun = traf.require(FourCC.of("trun")).reader();
                int version = trun.fullBoxVersion(1);
                boolean offsets = st.hasCompositionOffsets();
                assertEquals(offsets ? 1 : 0, version, "signed composition offsets need trun v1");
                assertEquals(0x000701 | (offsets ? 0x800 : 0), trun.flags());
                assertEquals(s.sampleCount(), trun.u32("sample_count"));
                assertEquals(moof.header().size() + mdat.header().headerSize(), trun.i32("data_offset"),
                        "data_offset points at the first mdat payload byte, counted from the moof");
                ByteArrayOutputStream expected = new ByteArrayOutputStream();
                for (int i = first; i < first + s.sampleCount(); i++) {
                    long next = i + 1 < st.count() ? st.decodeTime(i + 1) : st.totalDuration();
                    assertEquals(next - st.decodeTime(i), trun.u32("sample_duration"));
                    assertEquals(st.size(i), trun.u32("sample_size"));
                    assertEquals(st.isKeyframe(i) ? 0x02000000 : 0x01010000, trun.i32("sample_flags"));
                    if (offsets) assertEquals(st.compositionOffset(i), trun.i32("sample_composition_time_offset"));
                    expected.write(file, (int) st.offset(i), st.size(i));
                }
                assertEquals(0, trun.remaining());
                assertArrayEquals(expected.toByteArray(), toArray(mdat.payload()), "mdat = the source's samples");
                assertEquals(mdat.payload().remaining(), s.payloadLength());
            }
        }
    }

    @Test
    void payloadsAreReadOnlyViewsOfTheMappedFile() throws Exception {
        Segment s = Fmp4Remuxer.open(BFRAMES).video().orElseThrow().segment(1);
        ByteBuffer[] gather = s.buffers();
        assertFalse(gather[0].isDirect(), "the header is built fresh on the heap");
        long payload = 0;
        for (int i = 1; i < gather.length; i++) {
            assertTrue(gather[i].isDirect() && gather[i].isReadOnly(), "payload " + i + " is a mapped view");
            payload += gather[i].remaining();
        }
        assertEquals(s.payloadLength(), payload);
        // Contiguous samples share one view: the interleaved source has about one run per video frame.
        assertTrue(gather.length - 1 <= s.sampleCount());
    }

    @Test
    void buildingTwiceGivesTheSameBytesInFreshBuffers() throws Exception {
        Fmp4Track audio = Fmp4Remuxer.open(BFRAMES).audio().orElseThrow();
        Segment a = audio.segment(2);
        Segment b = audio.segment(2);
        assertNotSame(a.buffers()[0], b.buffers()[0]);
        assertArrayEquals(Fmp4Files.bytes(a.buffers()), Fmp4Files.bytes(b.buffers()));
        ByteBuffer[] views = a.buffers();
        views[0].position(views[0].limit()); // a caller moving its views does not move anyone else's
        assertEquals(a.length(), Fmp4Files.bytes(a.buffers()).length);
    }

    @Test
    void writeToSendsTheWholeGatherList(@TempDir Path dir) throws Exception {
        Fmp4Track video = Fmp4Remuxer.open(BFRAMES).video().orElseThrow();
        Path out = dir.resolve("seg.m4s");
        Segment s = video.segment(3);
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            assertEquals(s.length(), s.writeTo(ch));
            assertEquals(video.init().length(), video.init().writeTo(ch));
        }
        byte[] written = Files.readAllBytes(out);
        byte[] expected = Fmp4Files.bytes(s.buffers());
        assertArrayEquals(expected, java.util.Arrays.copyOf(written, expected.length));
        assertEquals(s.length() + video.init().length(), written.length);
    }

    @Test
    void segmentIndexesOutsideTheTrackAreRefused() throws Exception {
        Fmp4Track video = Fmp4Remuxer.open(BFRAMES).video().orElseThrow();
        assertThrows(IndexOutOfBoundsException.class, () -> video.segment(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> video.segment(video.segmentCount()));
    }

    @Test
    void bFramesKeepTheirReorderedPresentationTimes() throws Exception {
        Track src = Fmp4Remuxer.open(BFRAMES).video().orElseThrow().source();
        assertTrue(src.samples().hasCompositionOffsets());
        assertEquals(1024, src.edits().mediaTime(), "two frames of reorder delay at 15360 ticks/s");
        Segment first = Fmp4Remuxer.open(BFRAMES).video().orElseThrow().segment(0);
        assertEquals(0, first.startTime(), "the first presented frame is at 0 once the edit is applied");
        assertEquals(0, first.baseDecodeTime());
    }

    private static byte[] toArray(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
