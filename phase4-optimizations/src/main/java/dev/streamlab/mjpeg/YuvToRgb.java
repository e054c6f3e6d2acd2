package dev.streamlab.mjpeg;

import dev.streamlab.pixels.YuvImage;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;

/**
 * 4:2:0 Y'CbCr to the BGR bytes of a {@code TYPE_3BYTE_BGR} image, for ImageIO's JPEG writer. BT.601 limited range
 * (16..235 luma), what ffmpeg's yuv420p output of these H.264 samples is, in the usual 8-bit fixed-point form:
 * {@code R = (298 (Y-16) + 409 (V-128) + 128) >> 8} and so on.
 *
 * <p>This is the one per-pixel copy the JPEG path cannot avoid: ImageIO encodes from a raster, not from our planes.
 */
public final class YuvToRgb {
    private YuvToRgb() {}

    /** Writes {@code src} into {@code dst} (a TYPE_3BYTE_BGR image) with its top-left corner at {@code (x0, y0)}. */
    public static void paint(YuvImage src, BufferedImage dst, int x0, int y0) {
        if (dst.getType() != BufferedImage.TYPE_3BYTE_BGR) throw new IllegalArgumentException("needs TYPE_3BYTE_BGR");
        if (x0 < 0 || y0 < 0 || x0 + src.width() > dst.getWidth() || y0 + src.height() > dst.getHeight()) {
            throw new IllegalArgumentException("picture does not fit at " + x0 + "," + y0);
        }
        byte[] bgr = ((DataBufferByte) dst.getRaster().getDataBuffer()).getData();
        int w = src.width(), cw = src.chromaWidth(), stride = dst.getWidth() * 3;
        var yp = src.y();
        var up = src.u();
        var vp = src.v();
        for (int y = 0; y < src.height(); y++) {
            int row = (y0 + y) * stride + x0 * 3, crow = (y >> 1) * cw;
            for (int x = 0; x < w; x++) {
                int c = 298 * ((yp.get(y * w + x) & 0xFF) - 16);
                int d = (up.get(crow + (x >> 1)) & 0xFF) - 128;
                int e = (vp.get(crow + (x >> 1)) & 0xFF) - 128;
                int i = row + x * 3;
                bgr[i] = clamp((c + 516 * d + 128) >> 8);
                bgr[i + 1] = clamp((c - 100 * d - 208 * e + 128) >> 8);
                bgr[i + 2] = clamp((c + 409 * e + 128) >> 8);
            }
        }
    }

    private static byte clamp(int v) {
        return (byte) Math.clamp(v, 0, 255);
    }
}
