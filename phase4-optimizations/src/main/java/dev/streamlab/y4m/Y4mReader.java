package dev.streamlab.y4m;

import dev.streamlab.pixels.YuvImage;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Reads a YUV4MPEG2 file (.y4m, as {@code ffmpeg -f yuv4mpegpipe} writes it) through one read-only mapping.
 *
 * <pre>
 *   YUV4MPEG2 W.. H.. F..:.. [I.] [A..] [C..] [X..]\n     stream header ({@link Y4mHeader})
 *   FRAME[ params]\n  Y (W*H)  U (ceil(W/2)*ceil(H/2))  V (same)     repeated
 * </pre>
 *
 * <p>Opening maps the file and walks the FRAME lines once to index every frame's offset (frame lines may carry
 * parameters, so offsets are not a multiplication). {@link #frame(int)} then returns three slices of the mapping:
 * <b>0 user-space copies</b> — the page cache's pages are the pixels; a test proves it by writing through another
 * mapping and seeing the change in an already returned frame.
 */
public final class Y4mReader implements AutoCloseable {
    private static final byte[] FRAME = {'F', 'R', 'A', 'M', 'E'};

    private final Path path;
    private final FileChannel channel;
    private final MappedByteBuffer map;
    private final Y4mHeader header;
    private final int[] offsets;

    private Y4mReader(Path path, FileChannel channel, MappedByteBuffer map, Y4mHeader header, int[] offsets) {
        this.path = path;
        this.channel = channel;
        this.map = map;
        this.header = header;
        this.offsets = offsets;
    }

    /**
     * Opens, maps and indexes {@code file}.
     *
     * @throws Y4mFormatException for bad magic, a bad or unsupported header, a malformed FRAME line, a truncated
     *                            frame, no frame at all
     * @throws IOException        when the file cannot be read
     */
    public static Y4mReader open(Path file) throws IOException, Y4mFormatException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new Y4mFormatException(file.getFileName() + " is " + size + " bytes; one mapping holds at most 2 GiB");
            }
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            Y4mHeader h = Y4mHeader.parse(map);
            return new Y4mReader(file, ch, map, h, index(map, h, file));
        } catch (IOException | Y4mFormatException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static int[] index(MappedByteBuffer map, Y4mHeader h, Path file) throws Y4mFormatException {
        int pos = h.length(), size = map.limit(), n = 0, frameBytes = h.frameBytes();
        int[] offsets = new int[Math.max(1, (size - pos) / (frameBytes + FRAME.length + 1))];
        while (pos < size) {
            for (int i = 0; i < FRAME.length; i++) {
                if (pos + i >= size || map.get(pos + i) != FRAME[i]) {
                    throw new Y4mFormatException("frame " + n + " at byte " + pos + " of " + file.getFileName()
                            + " does not start with 'FRAME'");
                }
            }
            int eol = pos + FRAME.length;
            int limit = Math.min(size, eol + Y4mHeader.MAX_LINE);
            while (eol < limit && map.get(eol) != '\n') eol++;
            if (eol >= limit) throw new Y4mFormatException("frame " + n + ": FRAME line without a newline");
            int payload = eol + 1;
            if ((long) payload + frameBytes > size) {
                throw new Y4mFormatException("truncated frame " + n + ": " + frameBytes + " bytes needed at byte "
                        + payload + ", but " + file.getFileName() + " ends at " + size);
            }
            if (n == offsets.length) offsets = Arrays.copyOf(offsets, n * 2);
            offsets[n++] = payload;
            pos = payload + frameBytes;
        }
        // frameAt clamps to the last frame, and a thumbnail or a processed stream needs one: a proxy with none
        // (a header line and nothing after it) is refused here, with the other unusable files.
        if (n == 0) throw new Y4mFormatException(file.getFileName() + " has a header but no frame");
        return Arrays.copyOf(offsets, n);
    }

    public Y4mHeader header() {
        return header;
    }

    public Path path() {
        return path;
    }

    public int frameCount() {
        return offsets.length;
    }

    /** Seconds of video: frames at the stream's frame rate. */
    public double durationSeconds() {
        return offsets.length * (double) header.fpsDen() / header.fpsNum();
    }

    /**
     * Frame {@code i}: three slices of the mapping (no pixel copied).
     *
     * @throws IndexOutOfBoundsException outside {@code 0 <= i < frameCount()}
     */
    public Frame frame(int i) {
        int off = offsets[java.util.Objects.checkIndex(i, offsets.length)];
        return new Frame(i, off, YuvImage.over(map, off, header.width(), header.height()));
    }

    /** The frame shown at {@code seconds} (clamped to the last frame). */
    public Frame frameAt(double seconds) {
        int i = (int) Math.floor(seconds * header.fpsNum() / header.fpsDen() + 1e-9);
        return frame(Math.clamp(i, 0, offsets.length - 1));
    }

    @Override
    public void close() throws IOException {
        channel.close(); // the mapping stays valid until collected (the JDK has no unmap)
    }
}
