package dev.streamlab.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The direct strategy: one {@link ByteBuffer#allocateDirect direct} buffer of {@code chunkSize}, allocated once
 * per reader; {@code FileChannel.read} fills it and the consumer gets a {@link ByteBuffer#slice()} of it.
 *
 * <p><b>User-space copies per byte: 0.</b> A direct buffer is native memory at a fixed address, so the JDK
 * passes it straight to {@code read(2)} and the kernel copies from the page cache into it; no Java code
 * touches the bytes until the consumer does. (The kernel's copy remains: only mapping avoids it.)
 *
 * <p>The buffer's native memory is freed when the reader becomes unreachable. Heap allocation per pass is one
 * small slice object per chunk. The next chunk overwrites the buffer, so a view is valid only during
 * {@code accept}. Not thread-safe.
 */
final class DirectChunkReader implements ChunkReader {
    private final ByteBuffer buffer;

    DirectChunkReader(int chunkSize) {
        this.buffer = ByteBuffer.allocateDirect(ChunkFiles.checkChunkSize(chunkSize));
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
        return Strategy.DIRECT;
    }

    @Override
    public String toString() {
        return "direct(" + chunkSize() + ")";
    }
}
