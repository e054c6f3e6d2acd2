package dev.streamlab.mjpeg;

import dev.streamlab.pixels.YuvImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * JPEG with the JDK alone (ImageIO): one writer, one BGR raster and one output array per stream, reused frame after
 * frame. ImageIO still allocates inside each {@code write} (its stream cache, Huffman tables); that garbage is the
 * encoder's, not ours. Not thread-safe.
 */
public final class JpegEncoder implements AutoCloseable {
    /** Quality 0..1: 0.75 keeps 320x180 frames near 10 KB. */
    static final float QUALITY = 0.75f;

    private final ImageWriter writer;
    private final ImageWriteParam param;
    private final Exposed out = new Exposed();
    private BufferedImage raster;

    public JpegEncoder() {
        Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("jpeg");
        if (!it.hasNext()) throw new IllegalStateException("this JDK has no ImageIO JPEG writer");
        writer = it.next();
        param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(QUALITY);
    }

    /** The picture as a JPEG; the returned buffer is valid until the next call (it wraps a reused array). */
    public ByteBuffer encode(YuvImage image) throws IOException {
        if (raster == null || raster.getWidth() != image.width() || raster.getHeight() != image.height()) {
            raster = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_3BYTE_BGR);
        }
        YuvToRgb.paint(image, raster, 0, 0);
        return encode(raster);
    }

    /** A whole image (the thumbnail sprite) as a JPEG; same buffer lifetime. */
    public ByteBuffer encode(BufferedImage image) throws IOException {
        out.reset();
        try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.write(null, new IIOImage(image, null, null), param);
        }
        return out.view();
    }

    @Override
    public void close() {
        writer.dispose();
    }

    /** A ByteArrayOutputStream whose bytes can be read without {@code toByteArray()}'s copy. */
    private static final class Exposed extends ByteArrayOutputStream {
        ByteBuffer view() {
            return ByteBuffer.wrap(buf, 0, count);
        }
    }
}
