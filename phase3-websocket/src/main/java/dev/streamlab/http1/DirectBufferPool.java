package dev.streamlab.http1;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * Reusable direct buffers of one size: the {@code transferTo} fallback's chunks here, phase 4's cached file chunks.
 * Direct, because the JDK writes a heap buffer by first copying it into a temporary direct one; pooled, because a
 * virtual thread per connection makes a {@code ThreadLocal} buffer a new buffer per connection (each virtual thread
 * has thread-local values of its own), and a new direct buffer is expensive: its pages are zeroed by the kernel on
 * first touch and again by {@code allocateDirect}, and it is freed only when a GC finds it unreachable. At most
 * {@code maxIdle} idle buffers are kept; one given back beyond that is left to the GC.
 */
public final class DirectBufferPool {
    private final int size;
    private final ArrayBlockingQueue<ByteBuffer> idle;
    private final LongAdder allocated = new LongAdder();

    /**
     * @param size    bytes per buffer
     * @param maxIdle idle buffers kept at most
     */
    public DirectBufferPool(int size, int maxIdle) {
        this.size = size;
        this.idle = new ArrayBlockingQueue<>(maxIdle);
    }

    /** An idle buffer, cleared, or a new one: its contents are whatever its last user left. */
    public ByteBuffer acquire() {
        ByteBuffer b = idle.poll();
        if (b != null) return b.clear();
        allocated.increment();
        return ByteBuffer.allocateDirect(size);
    }

    /**
     * Takes a buffer back; its caller must not touch it again.
     *
     * @throws IllegalArgumentException for a buffer this pool could not have handed out (wrong size, heap, read-only)
     */
    public void release(ByteBuffer b) {
        if (b.capacity() != size || !b.isDirect() || b.isReadOnly()) {
            throw new IllegalArgumentException("not a buffer of this pool: " + b);
        }
        idle.offer(b);
    }

    /** Buffers allocated so far: the misses of the pool. */
    public long allocated() {
        return allocated.sum();
    }

    /** The bytes per buffer. */
    public int bufferSize() {
        return size;
    }
}
