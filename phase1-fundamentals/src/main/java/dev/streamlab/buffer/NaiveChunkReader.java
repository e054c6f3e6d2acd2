package dev.streamlab.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The naive strategy: {@link Files#readAllBytes} the whole file, then {@link Arrays#copyOfRange} each chunk
 * into a fresh array and {@link ByteBuffer#wrap} it.
 *
 * <p><b>User-space copies per byte: 2.</b>
 * <ol>
 *   <li>{@code Files.readAllBytes}. As the JDK sources show ({@code java.nio.file.Files#readAllBytes} is the
 *       same in JDK 21 and 25; {@code sun.nio.ch.ChannelInputStream} and {@code sun.nio.ch.IOUtil} read in
 *       JDK 25's {@code src.zip}), it opens a {@code FileChannel},
 *       allocates a {@code byte[]} of the file's size and reads into it through
 *       {@code Channels.newInputStream}, which wraps the array in a heap {@code ByteBuffer}. A heap buffer
 *       cannot be handed to the kernel (the GC may move it), so {@code IOUtil.read} borrows a thread-local
 *       temporary <em>direct</em> buffer as large as the request (here: the whole file), lets {@code read(2)}
 *       fill it, then copies it into the array: one user-space copy. That temporary buffer is native memory,
 *       cached per thread, so it does not show in {@code gc.alloc.rate.norm}; the file-sized array does.</li>
 *   <li>{@code Arrays.copyOfRange} per chunk: a second copy, into a second file's worth of arrays.</li>
 * </ol>
 * So each pass allocates at least twice the file size on the heap, and the file must fit in one array
 * (about 2 GiB).
 *
 * <p>Each chunk is its own array: the consumer may keep it, nothing overwrites it.
 */
final class NaiveChunkReader implements ChunkReader {
    // Arrays are indexed by int; a few header words are reserved (the JDK's own SOFT_MAX_ARRAY_LENGTH).
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final int chunkSize;

    NaiveChunkReader(int chunkSize) {
        this.chunkSize = ChunkFiles.checkChunkSize(chunkSize);
    }

    @Override
    public ChunkStats read(Path file, Consumer<? super ByteBuffer> consumer) throws IOException {
        long size = ChunkFiles.checkRegularFile(file, consumer);
        if (size > MAX_ARRAY) {
            // Files.readAllBytes would throw OutOfMemoryError("Required array size too large").
            throw new IOException(file + ": is " + size + " bytes; the naive reader holds the whole file in one "
                    + "byte[], which is limited to 2 GiB. Use ChunkReader.reusedHeap, direct or mapped.");
        }
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (AccessDeniedException e) {
            throw ChunkFiles.accessDenied(file);
        }
        long copied = all.length; // copy 1: the JDK's temporary direct buffer -> this array
        long chunks = 0;
        for (int from = 0; from < all.length; from += chunkSize) {
            int to = (int) Math.min((long) from + chunkSize, all.length);
            byte[] chunk = Arrays.copyOfRange(all, from, to);
            copied += chunk.length; // copy 2: the whole-file array -> this chunk's array
            chunks++;
            consumer.accept(ByteBuffer.wrap(chunk));
        }
        return new ChunkStats(all.length, chunks, copied);
    }

    @Override
    public int chunkSize() {
        return chunkSize;
    }

    @Override
    public Strategy strategy() {
        return Strategy.NAIVE;
    }

    @Override
    public String toString() {
        return "naive(" + chunkSize + ")";
    }
}
