package dev.streamlab.mjpeg;

import dev.streamlab.pixels.Filter;
import dev.streamlab.pixels.PixelOps;
import dev.streamlab.pixels.YuvImage;
import dev.streamlab.y4m.Y4mReader;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A .y4m proxy played in a loop through a filter into JPEGs: what the MJPEG route and the WebSocket view send.
 *
 * <p>Per frame: the mapped frame (a view, no copy) is copied once, in three bulk plane copies, into a work buffer
 * reused for the whole stream — the mapping is read-only and the in-place filters write; the filter runs in place
 * (vector lanes when the JVM has {@code jdk.incubator.vector}); the result is converted to BGR (one per-pixel copy)
 * and JPEG-encoded by ImageIO. No frame-sized array is allocated by us after the first frame.
 */
public final class ProcessedStream implements AutoCloseable {
    private final Y4mReader reader;
    private final ByteBuffer work;
    private final PixelOps ops = PixelOps.Variant.best().create();
    private final JpegEncoder jpeg = new JpegEncoder();
    private volatile Filter filter;
    private long frames;

    public ProcessedStream(Y4mReader reader, Filter filter) {
        if (reader.frameCount() == 0) throw new IllegalArgumentException(reader.path().getFileName() + " has no frames");
        this.reader = reader;
        this.filter = filter;
        this.work = ByteBuffer.allocate(reader.header().frameBytes()); // heap: the vector ops work on its array
    }

    /** Switches the filter from the next frame on; safe from another thread (the WebSocket reader). */
    public void filter(Filter f) {
        this.filter = f;
    }

    public Filter filter() {
        return filter;
    }

    /** Nanoseconds between frames at the proxy's frame rate. */
    public long frameNanos() {
        return 1_000_000_000L * reader.header().fpsDen() / reader.header().fpsNum();
    }

    /** Bytes of one frame: what {@link #next()} copies out of the mapping. */
    public int frameBytes() {
        return work.capacity();
    }

    /** Frames produced so far. */
    public long frames() {
        return frames;
    }

    /** The next frame (wrapping to the first after the last) as a JPEG, valid until the next call. */
    public ByteBuffer next() throws IOException {
        int i = (int) (frames++ % reader.frameCount());
        YuvImage img = reader.frame(i).image().copyInto(work);
        return jpeg.encode(ops.apply(filter, img));
    }

    @Override
    public void close() throws IOException {
        jpeg.close();
        reader.close();
    }
}
