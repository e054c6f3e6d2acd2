package dev.streamlab.y4m;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.testing.ExternalTools;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Y4mReaderTest {
    @TempDir
    Path dir;

    @Test
    void parsesTheHeaderAndIndexesFramesWithAndWithoutParameters() throws Exception {
        Path f = Y4mFiles.write(dir.resolve("a.y4m"), 7, 5, 4,
                "YUV4MPEG2 W7 H5 F30000:1001 It A1:1 C420mpeg2 XYSCSS=420MPEG2\n");
        try (Y4mReader r = Y4mReader.open(f)) {
            Y4mHeader h = r.header();
            assertEquals(7, h.width());
            assertEquals(5, h.height());
            assertEquals(30000, h.fpsNum());
            assertEquals(1001, h.fpsDen());
            assertEquals('t', h.interlacing());
            assertEquals("420mpeg2", h.colorspace());
            assertEquals(7 * 5 + 2 * 4 * 3, h.frameBytes());
            assertEquals(4, r.frameCount());
            for (int i = 0; i < 4; i++) {
                Frame fr = r.frame(i);
                assertEquals(i, fr.image().y().get(34));
                assertEquals(100 + i, fr.image().u().get(11));
                assertEquals(200 - i, fr.image().v().get(0) & 0xFF);
                assertEquals(35, fr.image().y().capacity(), "a plane is exactly its bytes");
            }
            assertEquals(4 * 1001 / 30000.0, r.durationSeconds(), 1e-9);
        }
    }

    @Test
    void frameColorspaceDefaultsTo420jpeg() throws Exception {
        Path f = Y4mFiles.write(dir.resolve("b.y4m"), 4, 4, 1, "YUV4MPEG2 W4 H4 F25:1\n");
        try (Y4mReader r = Y4mReader.open(f)) {
            assertEquals("420jpeg", r.header().colorspace());
        }
    }

    @Test
    void planeSlicesAreViewsOfTheMappedFileNotCopies() throws Exception {
        Path f = Y4mFiles.write(dir.resolve("c.y4m"), 16, 8, 3);
        try (Y4mReader r = Y4mReader.open(f);
             FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            Frame second = r.frame(1);
            assertEquals(1, second.image().y().get(5));
            assertEquals(101, second.image().u().get(3));
            // Write through another mapping of the same file: the frame taken before sees it, so it holds no copy.
            MappedByteBuffer rw = ch.map(FileChannel.MapMode.READ_WRITE, 0, ch.size());
            rw.put((int) second.offset() + 5, (byte) 77);
            rw.put((int) second.offset() + 16 * 8 + 3, (byte) 66);
            rw.force();
            assertEquals(77, second.image().y().get(5));
            assertEquals(66, second.image().u().get(3));
            assertTrue(second.image().y().isDirect() && second.image().y().isReadOnly());
        }
    }

    @Test
    void badMagicIsRefusedClearly() throws IOException {
        Path f = Files.writeString(dir.resolve("d.y4m"), "RIFF....WAVE");
        Y4mFormatException e = assertThrows(Y4mFormatException.class, () -> Y4mReader.open(f));
        assertTrue(e.getMessage().contains("not a YUV4MPEG2 file"), e.getMessage());
    }

    @Test
    void unsupportedColorspaceNamesItAndTheSupportedOnes() throws IOException {
        Path f = Y4mFiles.write(dir.resolve("e.y4m"), 4, 4, 1, "YUV4MPEG2 W4 H4 F25:1 C444\n");
        Y4mFormatException e = assertThrows(Y4mFormatException.class, () -> Y4mReader.open(f));
        assertTrue(e.getMessage().contains("C444") && e.getMessage().contains("420jpeg"), e.getMessage());
    }

    @Test
    void truncatedLastFrameIsReportedWithItsNumber() throws IOException {
        Path f = Y4mFiles.write(dir.resolve("f.y4m"), 8, 8, 3);
        byte[] all = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(all, all.length - 10));
        Y4mFormatException e = assertThrows(Y4mFormatException.class, () -> Y4mReader.open(f));
        assertTrue(e.getMessage().contains("truncated frame 2"), e.getMessage());
    }

    @Test
    void missingSizeOrGarbageBetweenFramesIsRefused() throws IOException {
        Path noSize = Files.writeString(dir.resolve("g.y4m"), "YUV4MPEG2 F25:1\nFRAME\n");
        assertTrue(assertThrows(Y4mFormatException.class, () -> Y4mReader.open(noSize)).getMessage().contains("W and H"));
        Path garbage = Y4mFiles.write(dir.resolve("h.y4m"), 2, 2, 1);
        Files.write(garbage, "JUNK\n".getBytes(StandardCharsets.US_ASCII), StandardOpenOption.APPEND);
        assertTrue(assertThrows(Y4mFormatException.class, () -> Y4mReader.open(garbage)).getMessage()
                .contains("does not start with 'FRAME'"));
    }

    @Test
    void aHeaderWithoutFramesIsRefusedAtOpen() throws IOException {
        // Opened, it had 0 frames, and frameAt (thumbnails) failed with Math.clamp's "0 > -1".
        Path f = Files.writeString(dir.resolve("i.y4m"), Y4mHeader.line(4, 4, 25, 1));
        Y4mFormatException e = assertThrows(Y4mFormatException.class, () -> Y4mReader.open(f));
        assertTrue(e.getMessage().contains("i.y4m has a header but no frame"), e.getMessage());
    }

    @Test
    void frameCountMatchesFfprobeOnAnFfmpegProxyOfABundledSample() throws Exception {
        Path ffmpeg = ExternalTools.ffmpeg();
        Path ffprobe = ExternalTools.ffprobe();
        Path mp4 = ExternalTools.media().resolve("sample-10s-360p-video-only.mp4");
        Y4mProxies proxies = new Y4mProxies(dir.resolve("cache"), ffmpeg.toString());
        Path y4m = proxies.proxy("sample-10s-360p-video-only", mp4, null);
        assertEquals(y4m, proxies.proxy("sample-10s-360p-video-only", mp4, null), "the second call finds the cached proxy");
        String counted = ExternalTools.run(60, ffprobe.toString(), "-v", "error", "-count_frames", "-select_streams",
                "v:0", "-show_entries", "stream=nb_read_frames,width,height", "-of", "csv=p=0", y4m.toString()).strip();
        try (Y4mReader r = Y4mReader.open(y4m)) {
            assertEquals(r.header().width() + "," + r.header().height() + "," + r.frameCount(), counted);
            assertEquals(Y4mProxies.WIDTH, r.header().width());
            assertEquals(10.0, r.durationSeconds(), 0.2);
        }
    }

    @Test
    void missingFfmpegIsSaidPlainly() throws IOException {
        Path mp4 = Files.write(dir.resolve("x.mp4"), new byte[16]);
        Y4mProxies proxies = new Y4mProxies(dir.resolve("cache"), dir.resolve("no-such-ffmpeg").toString());
        ProxyUnavailableException e = assertThrows(ProxyUnavailableException.class, () -> proxies.proxy("x", mp4, null));
        assertTrue(e.getMessage().contains("ffmpeg is not installed"), e.getMessage());
    }

    @Test
    void frameIsAViewOverTheWholeBuffer() {
        ByteBuffer b = ByteBuffer.allocate(100);
        var img = dev.streamlab.pixels.YuvImage.over(b, 10, 4, 4);
        b.put(10 + 16, (byte) 9);
        assertEquals(9, img.u().get(0));
    }
}
