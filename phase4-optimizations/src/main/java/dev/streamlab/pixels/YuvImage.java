package dev.streamlab.pixels;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One 4:2:0 picture as three planes, each a buffer of packed rows (stride = plane width): Y is {@code width x height},
 * U and V are {@code ceil(width/2) x ceil(height/2)} — the layout of a YUV4MPEG2 frame and of ffmpeg's yuv420p.
 *
 * <p>The planes are whatever buffers the caller has: slices of a mapped .y4m file (read-only), a reused work buffer,
 * or fresh arrays. Positions are ignored: pixel {@code (x, y)} of a plane is at absolute index
 * {@code y * planeWidth + x}.
 */
public record YuvImage(int width, int height, ByteBuffer y, ByteBuffer u, ByteBuffer v) {
    public YuvImage {
        if (width < 1 || height < 1) throw new IllegalArgumentException("size " + width + "x" + height);
        Objects.requireNonNull(y, "y");
        Objects.requireNonNull(u, "u");
        Objects.requireNonNull(v, "v");
        int cw = chroma(width), ch = chroma(height);
        if (y.capacity() < width * height || u.capacity() < cw * ch || v.capacity() < cw * ch) {
            throw new IllegalArgumentException("planes too small for " + width + "x" + height);
        }
    }

    /** Chroma plane size for a luma size: 4:2:0 halves both dimensions, rounding up (an odd last column keeps its chroma). */
    public static int chroma(int lumaSize) {
        return (lumaSize + 1) / 2;
    }

    public int chromaWidth() {
        return chroma(width);
    }

    public int chromaHeight() {
        return chroma(height);
    }

    /** Bytes of one frame: Y + U + V. */
    public static int frameBytes(int width, int height) {
        return width * height + 2 * chroma(width) * chroma(height);
    }

    /** A picture in fresh heap arrays (the naive variant's output; tests). */
    public static YuvImage allocate(int width, int height) {
        int c = chroma(width) * chroma(height);
        return new YuvImage(width, height, ByteBuffer.allocate(width * height), ByteBuffer.allocate(c),
                ByteBuffer.allocate(c));
    }

    /**
     * A picture over one buffer laid out Y, U, V (a .y4m frame payload, a work buffer): three slices, no copy.
     *
     * @param frame its bytes {@code [offset, offset + frameBytes)} hold the planes
     */
    public static YuvImage over(ByteBuffer frame, int offset, int width, int height) {
        int ySize = width * height, c = chroma(width) * chroma(height);
        return new YuvImage(width, height, frame.slice(offset, ySize), frame.slice(offset + ySize, c),
                frame.slice(offset + ySize + c, c));
    }

    /** Copies this picture's planes into {@code dst} laid out Y, U, V from index 0 (3 bulk copies, no per-pixel loop). */
    public YuvImage copyInto(ByteBuffer dst) {
        int ySize = width * height, c = chromaWidth() * chromaHeight();
        dst.put(0, y, 0, ySize).put(ySize, u, 0, c).put(ySize + c, v, 0, c);
        return over(dst, 0, width, height);
    }

    /** Whether both pictures have the same size and the same bytes in every plane. */
    public boolean samePixels(YuvImage o) {
        if (o.width != width || o.height != height) return false;
        int c = chromaWidth() * chromaHeight();
        return y.slice(0, width * height).equals(o.y.slice(0, width * height))
                && u.slice(0, c).equals(o.u.slice(0, c)) && v.slice(0, c).equals(o.v.slice(0, c));
    }
}
