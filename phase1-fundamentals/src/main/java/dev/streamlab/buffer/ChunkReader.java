package dev.streamlab.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Reads a whole file in chunks of {@link #chunkSize()} bytes and hands each chunk to a consumer as a
 * {@link ByteBuffer} view: Java's answer to Python's {@code memoryview} experiment.
 *
 * <p>Four strategies, from most to least copying (see each one's javadoc for the why):
 * <table>
 *   <caption>User-space copies of each byte between the page cache and the consumer</caption>
 *   <tr><th>Strategy</th><th>Factory</th><th>Copies</th><th>View handed out</th></tr>
 *   <tr><td>naive</td><td>{@link #naive(int)}</td><td>2</td><td>a fresh heap array per chunk</td></tr>
 *   <tr><td>reused heap</td><td>{@link #reusedHeap(int)}</td><td>1</td><td>slice of one heap buffer</td></tr>
 *   <tr><td>direct</td><td>{@link #direct(int)}</td><td>0</td><td>slice of one direct buffer</td></tr>
 *   <tr><td>mapped</td><td>{@link #mapped(int)}</td><td>0 (no kernel copy either)</td>
 *       <td>read-only slice of a memory mapping</td></tr>
 * </table>
 *
 * <p>How you know: {@link ChunkStats#userSpaceBytesCopied()} counts the copies in the code path that makes
 * them, the allocation test measures the heap bytes each pass allocates, and {@code BuffersBenchmark} reports
 * them as JMH {@code gc.alloc.rate.norm}.
 *
 * <p>Every chunk holds exactly {@code chunkSize} bytes except the last, which holds the rest (an empty file
 * gives no chunk). The view's position is 0 and its limit the chunk length. Readers that reuse a buffer
 * (reused heap, direct) overwrite it with the next chunk, so a view is valid only until
 * {@link Consumer#accept} returns: copy what you need to keep. Those two readers are not thread-safe; use one
 * per thread.
 */
public sealed interface ChunkReader permits NaiveChunkReader, ReusedHeapChunkReader, DirectChunkReader, MappedChunkReader {

    /**
     * Reads {@code file} from start to end, calling {@code consumer} once per chunk, in file order.
     *
     * @param file a readable regular file
     * @param consumer receives each chunk; see the class javadoc for how long the view stays valid
     * @return what this pass did: bytes delivered, chunks, bytes copied in user space
     * @throws java.nio.file.NoSuchFileException if {@code file} does not exist
     * @throws java.nio.file.AccessDeniedException if {@code file} cannot be read by this process
     * @throws java.nio.file.FileSystemException if {@code file} is a directory or not a regular file
     * @throws IOException if reading fails, or (naive reader only) the file is too large for one array
     * @throws NullPointerException if an argument is null
     */
    ChunkStats read(Path file, Consumer<? super ByteBuffer> consumer) throws IOException;

    /** The size of every chunk but the last. */
    int chunkSize();

    /** Which of the four strategies this reader implements. */
    Strategy strategy();

    /**
     * {@link java.nio.file.Files#readAllBytes} then a copy per chunk: the baseline everyone writes first.
     *
     * @throws IllegalArgumentException if {@code chunkSize <= 0}
     */
    static ChunkReader naive(int chunkSize) {
        return new NaiveChunkReader(chunkSize);
    }

    /**
     * One heap buffer, allocated here and refilled per chunk.
     *
     * @throws IllegalArgumentException if {@code chunkSize <= 0}
     */
    static ChunkReader reusedHeap(int chunkSize) {
        return new ReusedHeapChunkReader(chunkSize);
    }

    /**
     * One direct buffer, allocated here and refilled per chunk.
     *
     * @throws IllegalArgumentException if {@code chunkSize <= 0}
     */
    static ChunkReader direct(int chunkSize) {
        return new DirectChunkReader(chunkSize);
    }

    /**
     * Read-only memory mappings of the file, in windows of at most 1 GiB so files over 2 GiB work.
     *
     * @throws IllegalArgumentException if {@code chunkSize <= 0}
     */
    static ChunkReader mapped(int chunkSize) {
        return new MappedChunkReader(chunkSize);
    }

    /** The four strategies, in the order of the lab: from most to fewest copies. */
    enum Strategy {
        NAIVE, REUSED_HEAP, DIRECT, MAPPED;

        /**
         * A new reader of this strategy.
         *
         * @throws IllegalArgumentException if {@code chunkSize <= 0}
         */
        public ChunkReader newReader(int chunkSize) {
            return switch (this) {
                case NAIVE -> naive(chunkSize);
                case REUSED_HEAP -> reusedHeap(chunkSize);
                case DIRECT -> direct(chunkSize);
                case MAPPED -> mapped(chunkSize);
            };
        }
    }
}
