package dev.streamlab.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The mapped strategy: {@link FileChannel#map} the file {@code READ_ONLY} and hand out
 * {@link ByteBuffer#slice(int, int)} views of the mapping.
 *
 * <p><b>User-space copies per byte: 0, and no kernel copy either.</b> {@code mmap(2)} maps the page-cache
 * pages holding the file into the process's address space; the consumer reads them in place. The cost moves
 * elsewhere: the first touch of each page takes a (minor) page fault, which is why the consumer must actually
 * read the bytes for a fair comparison (see {@link XorChecksum}).
 *
 * <p>A {@code MappedByteBuffer} is limited to {@code Integer.MAX_VALUE} bytes, so the file is mapped in
 * windows of at most 1 GiB (rounded down to whole chunks, so no chunk straddles two windows). Views are
 * read-only and stay valid after {@code accept} returns. Java 21 has no way to unmap a
 * {@code MappedByteBuffer} explicitly (a {@code FileChannel.map(..., Arena)} overload is final only since
 * Java 22): each window is unmapped by the GC once no view of it is reachable.
 *
 * <p>Heap allocation per pass: a small buffer object per window and per chunk. Safe to share between threads.
 */
final class MappedChunkReader implements ChunkReader {
    static final long MAX_WINDOW = 1L << 30;

    private final int chunkSize;
    private final long window;

    MappedChunkReader(int chunkSize) {
        this(chunkSize, MAX_WINDOW);
    }

    /** For tests: a small {@code maxWindow} exercises the multi-window path without a 2 GiB file. */
    MappedChunkReader(int chunkSize, long maxWindow) {
        this.chunkSize = ChunkFiles.checkChunkSize(chunkSize);
        if (maxWindow <= 0 || maxWindow > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("maxWindow must be in [1, Integer.MAX_VALUE], was " + maxWindow);
        }
        // Whole chunks per window, at least one; chunkSize <= Integer.MAX_VALUE keeps it mappable.
        this.window = Math.max(chunkSize, maxWindow / chunkSize * chunkSize);
    }

    @Override
    public ChunkStats read(Path file, Consumer<? super ByteBuffer> consumer) throws IOException {
        ChunkFiles.checkRegularFile(file, consumer);
        long bytes = 0;
        long chunks = 0;
        try (FileChannel channel = ChunkFiles.open(file)) {
            long size = channel.size();
            for (long start = 0; start < size; start += window) {
                int length = (int) Math.min(window, size - start);
                // The mapping outlives the channel: closing the file does not unmap it.
                MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_ONLY, start, length);
                for (int offset = 0; offset < length; offset += chunkSize) {
                    int chunk = Math.min(chunkSize, length - offset);
                    bytes += chunk;
                    chunks++;
                    consumer.accept(map.slice(offset, chunk));
                }
            }
        }
        return new ChunkStats(bytes, chunks, 0); // nothing copies: the consumer reads the page cache in place
    }

    @Override
    public int chunkSize() {
        return chunkSize;
    }

    @Override
    public Strategy strategy() {
        return Strategy.MAPPED;
    }

    @Override
    public String toString() {
        return "mapped(" + chunkSize + ")";
    }
}
