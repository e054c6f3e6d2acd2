package dev.streamlab.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.function.Consumer;

/** What the four readers share: argument checks with readable messages, and the refill loop. */
final class ChunkFiles {
    private ChunkFiles() {}

    static int checkChunkSize(int chunkSize) {
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunkSize must be at least 1 byte, was " + chunkSize);
        }
        return chunkSize;
    }

    /**
     * Checks that {@code file} is a regular file and returns its size. Without this a directory opens fine on
     * Linux and fails later with a bare "Is a directory", and a FIFO would block the reader forever.
     */
    static long checkRegularFile(Path file, Consumer<?> consumer) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(consumer, "consumer");
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        }
        if (attrs.isDirectory()) {
            throw new FileSystemException(file.toString(), null, "is a directory; a ChunkReader reads one file");
        }
        if (!attrs.isRegularFile()) {
            throw new FileSystemException(file.toString(), null,
                    "not a regular file (device, pipe or socket); a ChunkReader reads regular files only");
        }
        return attrs.size();
    }

    /** Opens {@code file} for reading, turning a bare AccessDeniedException into one that says what to check. */
    static FileChannel open(Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (AccessDeniedException e) {
            throw accessDenied(file);
        }
    }

    static AccessDeniedException accessDenied(Path file) {
        return new AccessDeniedException(file.toString(), null, "not readable by this user (check its permissions)");
    }

    /**
     * The refill loop shared by the two buffer-reusing readers: fill {@code buffer} to capacity (or EOF), hand
     * out a {@code slice()} of the filled part, repeat.
     *
     * <p>Copies are counted here, where they happen: when {@code buffer} is on the heap, the JDK cannot let the
     * kernel write into a movable Java array, so {@code FileChannel.read} reads into a thread-local temporary
     * direct buffer and copies the bytes into the array ({@code sun.nio.ch.IOUtil.read}, JDK 21 to 25). When
     * {@code buffer} is direct, the kernel writes straight into it.
     */
    static ChunkStats readReusing(Path file, ByteBuffer buffer, Consumer<? super ByteBuffer> consumer)
            throws IOException {
        checkRegularFile(file, consumer);
        long bytes = 0;
        long chunks = 0;
        long copied = 0;
        try (FileChannel channel = open(file)) {
            boolean eof = false;
            while (!eof) {
                buffer.clear();
                // A read may return fewer bytes than asked; keep going so every chunk but the last is full.
                while (buffer.hasRemaining()) {
                    int n = channel.read(buffer);
                    if (n < 0) {
                        eof = true;
                        break;
                    }
                    if (!buffer.isDirect()) copied += n; // the JDK's temporary direct buffer -> our array
                }
                buffer.flip();
                if (!buffer.hasRemaining()) break;
                bytes += buffer.remaining();
                chunks++;
                consumer.accept(buffer.slice());
            }
        }
        return new ChunkStats(bytes, chunks, copied);
    }
}
