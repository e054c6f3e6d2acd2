package dev.streamlab.stream.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.metrics.MetricsRegistry;
import dev.streamlab.stream.fmp4.Segment;
import dev.streamlab.testing.ExternalTools;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The channel's segments without a server: loop seams, the patched {@code tfdt}, and views instead of copies. */
class LiveChannelTest {
    private static final Path SHORT = ExternalTools.media().resolve("sample-10s-360p-video-only.mp4");

    private static LiveChannel channel() throws IOException {
        LiveEndpoint endpoint = LiveEndpoint.create(null, new MetricsRegistry(), LiveConfig.DEFAULT);
        return LiveChannel.open("short", SHORT, LiveConfig.DEFAULT, endpoint.meters());
    }

    @Test
    void theLoopSeamHasNoGapAndNoOverlap() throws IOException {
        LiveChannel c = channel();
        int perLoop = c.video().segmentCount();
        LiveSegment last = c.make(perLoop - 1);
        LiveSegment next = c.make(perLoop);
        assertEquals(last.endSeconds(), next.startSeconds(), 1e-9, "loop 1 starts where loop 0 ends");
        assertTrue(next.keyframe(), "a loop starts with a keyframe");
        double loop = (double) c.video().source().samples().totalDuration() / c.video().timescale();
        assertEquals(c.make(0).startSeconds() + loop, next.startSeconds(), 1e-9);
        assertEquals(c.make(3).decodeMs() + Math.round(loop * 2000), c.make(2L * perLoop + 3).decodeMs(), 1,
                "two loops later, two loop lengths later");
    }

    @Test
    void theMoofCarriesTheShiftedDecodeTime() throws IOException {
        LiveChannel c = channel();
        int perLoop = c.video().segmentCount();
        LiveSegment s = c.make(perLoop + 5);
        Segment original = c.video().segment(5);
        long loopTicks = c.video().source().samples().totalDuration();
        ByteBuffer moof = s.body()[0];
        // moof(8) mfhd(16) traf(8) tfhd(16) tfdt: size, type, version+flags, then the 64-bit time (v1)
        assertEquals("tfdt", ascii(moof, 8 + 16 + 8 + 16 + 4));
        assertEquals(original.baseDecodeTime() + loopTicks, moof.getLong(8 + 16 + 8 + 16 + 12));
        assertEquals(perLoop + 5 + 1, moof.getInt(8 + 12), "mfhd sequence: the channel's segment number + 1");
        assertEquals(Math.floorDiv((original.baseDecodeTime() + loopTicks) * 1000, c.video().timescale()),
                s.decodeMs());
    }

    @Test
    void aSegmentIsViewsOfTheMappedFileNotACopy() throws IOException {
        LiveChannel c = channel();
        LiveSegment s = c.make(2);
        Segment original = c.video().segment(2);
        ByteBuffer[] mine = s.body();
        ByteBuffer[] theirs = original.buffers();
        assertEquals(theirs.length, mine.length);
        assertTrue(mine[0].isDirect(), "the moof header: one direct copy per segment, so no write copies it again");
        for (int i = 1; i < mine.length; i++) {
            assertTrue(mine[i].isDirect(), "sample bytes are mapped views");
            assertEquals(theirs[i], mine[i], "the file's bytes");
        }
        ByteBuffer[] a = s.views();
        ByteBuffer[] b = s.views();
        assertNotSame(a[1], b[1]);
        assertEquals(a[1], b[1], "two viewers' views: same bytes, own positions");
        long length = 0;
        for (ByteBuffer x : mine) length += x.remaining();
        assertEquals(original.length(), length);
        assertEquals(original.length(), s.length());
    }

    @Test
    void aProducerThatDiesStopsItsChannelSoItsViewersAreNotLeftWaiting() throws Exception {
        // The producer published segment 0, then making segment 1 failed (as allocateDirect fails once direct memory
        // is used up). Its viewers wait for `published` with stopped == false: before the fix they waited for ever
        // (a LiveSession sends an edge message a second and nothing else), and the dead channel still took viewers.
        LiveEndpoint endpoint = LiveEndpoint.create(null, new MetricsRegistry(), LiveConfig.DEFAULT);
        LiveChannel c = LiveChannel.open("short", SHORT, LiveConfig.DEFAULT, endpoint.meters());
        c.maker = s -> {
            if (s == 0) return c.make(0);
            throw new OutOfMemoryError("Cannot reserve 1024 bytes of direct buffer memory (a test's)");
        };
        assertTrue(c.enter(), "the first viewer starts the producer");
        boolean running = true;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        c.lock.lock();
        try {
            while (running && System.nanoTime() - deadline < 0) running = c.await(TimeUnit.MILLISECONDS.toNanos(100));
        } finally {
            c.lock.unlock();
        }
        assertFalse(running, "a viewer's wait ends: the channel says it stopped");
        assertTrue(c.stopped());
        assertFalse(c.enter(), "a dead channel takes no new viewer (LiveEndpoint.join opens a fresh one)");
    }

    private static String ascii(ByteBuffer b, int at) {
        byte[] t = new byte[4];
        b.get(at, t);
        return new String(t, java.nio.charset.StandardCharsets.US_ASCII);
    }
}
