package dev.streamlab.stream.fmp4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.streamlab.testing.ExternalTools;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** {@link Fmp4Track#sharedSegment}: a ring of recently built segments, shared by viewers at the same position. */
class SharedSegmentTest {
    private static byte[] bytes(Segment s) {
        ByteBuffer[] parts = s.buffers();
        ByteBuffer all = ByteBuffer.allocate((int) s.length());
        for (ByteBuffer p : parts) all.put(p);
        return all.array();
    }

    @Test
    void theNextViewerGetsTheSameSegmentWithItsOwnPositions() throws IOException {
        Fmp4Track video = Fmp4Remuxer.open(ExternalTools.media().resolve("sample-30s-360p-h264-aac.mp4")).video()
                .orElseThrow();
        long hits = video.ringHits();
        Segment first = video.sharedSegment(3);
        Segment second = video.sharedSegment(3);
        assertSame(first, second, "built once, shared");
        assertEquals(hits + 1, video.ringHits());
        ByteBuffer[] mine = first.buffers();
        for (ByteBuffer b : mine) b.position(b.limit()); // one viewer writes its copy of the views out...
        assertEquals(first.length(), bytes(second).length, "...the other's views are untouched");
        org.junit.jupiter.api.Assertions.assertArrayEquals(bytes(video.segment(3)), bytes(second),
                "the same bytes as a segment built afresh");
    }

    @Test
    void aSegmentARingFurtherOnReplacesItsSlotAndTheOldOneIsRebuiltEqual() throws IOException {
        // Half-second chunks: 60 segments, more than a ring's worth (GOPs would give 15).
        Fmp4Track video = Fmp4Remuxer.open(ExternalTools.media().resolve("sample-30s-360p-h264-aac.mp4"),
                Cut.chunks(15)).video().orElseThrow();
        int far = 1 + Fmp4Track.RING;
        if (far >= video.segmentCount()) throw new AssertionError("the sample is too short for this test");
        Segment early = video.sharedSegment(1);
        video.sharedSegment(far); // same slot
        long misses = video.ringMisses();
        Segment again = video.sharedSegment(1);
        assertNotSame(early, again, "evicted: rebuilt");
        assertEquals(misses + 1, video.ringMisses());
        org.junit.jupiter.api.Assertions.assertArrayEquals(bytes(early), bytes(again));
    }
}
