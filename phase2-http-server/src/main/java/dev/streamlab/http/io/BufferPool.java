package dev.streamlab.http.io;

import java.util.concurrent.ArrayBlockingQueue;

/**
 * Reusable {@code byte[]} chunks shared by all requests.
 *
 * <p>Why a pool and not a {@code ThreadLocal}: with a virtual thread per request every request is a new thread,
 * so a thread-local buffer would be allocated (and dropped) per request — exactly the garbage we want to avoid.
 * A bounded queue keeps at most {@code capacity} idle buffers; beyond that, buffers are allocated and dropped.
 */
public final class BufferPool {
    private final int chunkSize;
    private final ArrayBlockingQueue<byte[]> idle;

    public BufferPool(int chunkSize, int capacity) {
        if (chunkSize <= 0 || capacity <= 0) throw new IllegalArgumentException("chunkSize and capacity must be > 0");
        this.chunkSize = chunkSize;
        this.idle = new ArrayBlockingQueue<>(capacity);
    }

    public int chunkSize() {
        return chunkSize;
    }

    public byte[] acquire() {
        byte[] b = idle.poll();
        return b != null ? b : new byte[chunkSize];
    }

    public void release(byte[] b) {
        if (b.length == chunkSize) idle.offer(b);
    }
}
