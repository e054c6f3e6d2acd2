package dev.streamlab.stream.fmp4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.mp4.Box;
import dev.streamlab.mp4.FourCC;
import dev.streamlab.mp4.Mp4File;
import dev.streamlab.mp4.PayloadReader;
import dev.streamlab.mp4.Track;
import dev.streamlab.mp4.TrackKind;
import dev.streamlab.testing.ExternalTools;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The init segment, read back with phase 1's own parser: one track, the source's timescale, codec and sample
 * entry byte for byte, the source's edit list media time, empty sample tables, an {@code mvex}.
 */
class InitSegmentTest {
    private static Path sample(String name) {
        return ExternalTools.media().resolve(name);
    }

    @Test
    void theInitSegmentDescribesTheSourceTrackWithNoSamples() throws Exception {
        Path file = sample("sample-10s-360p-bframes.mp4");
        Fmp4Remuxer fmp4 = Fmp4Remuxer.open(file);
        Mp4File source = Mp4File.open(file);
        for (Fmp4Track t : fmp4.tracks()) {
            Track src = t.source();
            Mp4File init = Mp4File.parse(ByteBuffer.wrap(Fmp4Files.bytes(t.init().buffers())));
            assertEquals("iso6", init.majorBrand());
            assertEquals(List.of("iso6", "iso5", "dash", "mp41"), init.compatibleBrands());
            assertEquals(1, init.movie().tracks().size());
            Track out = init.movie().tracks().getFirst();
            assertEquals(src.id(), out.id());
            assertEquals(src.kind(), out.kind());
            assertEquals(src.timescale(), out.timescale());
            assertEquals(src.codec(), out.codec());
            assertEquals(src.language(), out.language());
            assertEquals(src.edits().mediaTime(), out.edits().mediaTime(), "the edit list's media time survives");
            assertEquals(0, out.edits().duration(), "a single edit of duration 0: it spans every fragment");
            assertEquals(0, out.samples().count(), "an init segment holds no samples");
            assertArrayEquals(bytes(src.entry().entry()), bytes(out.entry().entry()), "the sample entry, verbatim");
            assertEquals(source.movie().timescale(), init.movie().timescale());

            Box moov = init.moov();
            Box mvex = moov.require(FourCC.MVEX);
            PayloadReader trex = mvex.require(FourCC.of("trex")).reader();
            trex.fullBoxVersion(0);
            assertEquals(src.id(), trex.u32("track_ID"));
            assertEquals(1, trex.u32("default_sample_description_index"));
            PayloadReader mehd = mvex.require(FourCC.of("mehd")).reader();
            assertEquals(Math.round(src.durationSeconds() * source.movie().timescale()),
                    mehd.u32or64(mehd.fullBoxVersion(1), "fragment_duration"));
            Box stbl = moov.require(FourCC.TRAK).require(FourCC.MDIA).require(FourCC.MINF).require(FourCC.STBL);
            for (int table : new int[]{FourCC.STTS, FourCC.STSC, FourCC.STCO}) {
                PayloadReader r = stbl.require(table).reader();
                r.fullBoxVersion(0);
                assertEquals(0, r.u32("entry_count"), FourCC.toString(table) + " is empty");
            }
            assertEquals(t.kind() == TrackKind.VIDEO ? "video/mp4; codecs=\"avc1.64001e\""
                    : "audio/mp4; codecs=\"mp4a.40.2\"", t.init().mimeType());
        }
    }

    @Test
    void theSampleEntryIsAViewOfTheMappedSourceNotACopy() throws Exception {
        Fmp4Track video = Fmp4Remuxer.open(sample("sample-30s-360p-h264-aac.mp4")).video().orElseThrow();
        ByteBuffer[] gather = video.init().buffers();
        assertEquals(3, gather.length, "boxes before the entry, the entry, boxes after it");
        ByteBuffer entry = gather[1];
        assertTrue(entry.isDirect(), "a view of the mapped moov, not a heap copy");
        assertTrue(entry.isReadOnly());
        assertEquals(video.source().entry().entry(), entry);
        assertEquals("avc1", FourCC.toString(entry.getInt(entry.position() + 4)));
        assertEquals(video.init().length(), Fmp4Files.bytes(gather).length);
    }

    @Test
    void aTrackWithoutAnEditListGetsNoEdts() throws Exception {
        Fmp4Track video = Fmp4Remuxer.open(sample("sample-30s-360p-h264-aac.mp4")).video().orElseThrow();
        assertEquals(0, video.source().edits().mediaTime());
        Mp4File init = Mp4File.parse(ByteBuffer.wrap(Fmp4Files.bytes(video.init().buffers())));
        assertTrue(init.moov().require(FourCC.TRAK).child(FourCC.EDTS).isEmpty());
    }

    @Test
    void languagesArePackedAsThreeFiveBitLetters() {
        assertEquals(0x55C4, InitSegmentWriter.packLanguage("und")); // what every "und" mdhd carries
        assertEquals(0x15C7, InitSegmentWriter.packLanguage("eng"));
        assertEquals(0x55C4, InitSegmentWriter.packLanguage("EN"));
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
