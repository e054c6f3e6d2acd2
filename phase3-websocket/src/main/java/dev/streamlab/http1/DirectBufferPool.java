package dev.streamlab.http1;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Reusable direct buffers for the {@code transferTo} fallback. Direct, because the JDK writes a heap buffer by first
 * copying it into a temporary direct one; pooled, because a virtual thread per connection makes a
 * {@code ThreadLocal} buffer a new buffer per connection (shared/PERFORMANCE.md), and direct buffers are slow to
 * allocate and freed only by the GC. At most {@code maxIdle} idle buffers are kept.
 */
final class DirectBufferPool {
    private final int size;
    private final ArrayBlockingQueue<ByteBuffer> idle;

    DirectBufferPool(int size, int maxIdle) {
        this.size = size;
        this.idle = new ArrayBlockingQueue<>(maxIdle);
    }

    ByteBuffer acquire() {
        ByteBuffer b = idle.poll();
        return b != null ? b.clear() : ByteBuffer.allocateDirect(size);
    }

    void release(ByteBuffer b) {
        idle.offer(b);
    }
}
