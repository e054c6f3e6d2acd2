package dev.streamlab.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The reused-heap strategy: one heap {@link ByteBuffer} of {@code chunkSize}, allocated once per reader;
 * {@code FileChannel.read} fills it and the consumer gets a {@link ByteBuffer#slice()} of it.
 *
 * <p><b>User-space copies per byte: 1.</b> The kernel cannot write into a Java array (the GC may move it
 * mid-call), so {@code FileChannel.read} into a heap buffer goes kernel -> a thread-local temporary direct
 * buffer of the JDK ({@code sun.nio.ch.IOUtil.read}, cached per thread, native memory) -> our array. The slice
 * itself copies nothing: it shares the array ({@code slice.array() == buffer.array()}).
 *
 * <p>Heap allocation per pass is one small slice object per chunk, not the data: the array is reused. The
 * price: the next chunk overwrites the array, so a view is valid only during {@code accept}. Not thread-safe.
 */
final class ReusedHeapChunkReader implements ChunkReader {
    private final ByteBuffer buffer;

    ReusedHeapChunkReader(int chunkSize) {
        this.buffer = ByteBuffer.allocate(ChunkFiles.checkChunkSize(chunkSize));
    }

    @Override
    public ChunkStats read(Path file, Consumer<? super ByteBuffer> consumer) throws IOException {
        return ChunkFiles.readReusing(file, buffer, consumer);
    }

    @Override
    public int chunkSize() {
        return buffer.capacity();
    }

    @Override
    public Strategy strategy() {
        return Strategy.REUSED_HEAP;
    }

    @Override
    public String toString() {
        return "reusedHeap(" + chunkSize() + ")";
    }
}
