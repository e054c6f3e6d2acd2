package dev.streamlab.http.io;

import java.util.concurrent.atomic.LongAdder;

/**
 * Where the bytes a server sent came from: how many body bytes went out, and how many bytes were copied in user
 * space (by our code or by the JDK on our behalf) on the way from the file to the socket. Their ratio is
 * "copies per byte sent", the number this whole project is about.
 *
 * <p>The strategies add to {@link #copied} at each place a copy happens, so the figure follows the code path.
 */
public final class ByteProvenance {
    private final LongAdder sent = new LongAdder();
    private final LongAdder copied = new LongAdder();

    public void sent(long bytes) {
        sent.add(bytes);
    }

    public void copied(long bytes) {
        copied.add(bytes);
    }

    public long bytesSent() {
        return sent.sum();
    }

    public long bytesCopied() {
        return copied.sum();
    }

    /** User-space copies per body byte sent; 0 before anything was sent. */
    public double copiesPerByte() {
        long s = sent.sum();
        return s == 0 ? 0 : (double) copied.sum() / s;
    }
}
