package dev.streamlab.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.streamlab.buffer.ChunkReader.Strategy;
import dev.streamlab.testing.UnreadableFiles;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Bad inputs fail early, with the exception a caller expects and a message that names the problem. */
class ChunkReaderErrorsTest {
    private static final Consumer<ByteBuffer> IGNORE = chunk -> {};

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void aChunkSizeBelowOneIsRejectedWithTheValue(Strategy strategy) {
        for (int bad : new int[] {0, -1, Integer.MIN_VALUE}) {
            var e = assertThrows(IllegalArgumentException.class, () -> strategy.newReader(bad));
            assertEquals("chunkSize must be at least 1 byte, was " + bad, e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void aDirectoryIsRejectedByName(Strategy strategy) {
        var e = assertThrows(FileSystemException.class, () -> strategy.newReader(1024).read(dir, IGNORE));
        assertEquals(dir + ": is a directory; a ChunkReader reads one file", e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void aMissingFileIsReportedByName(Strategy strategy) {
        Path missing = dir.resolve("missing.mp4");
        var e = assertThrows(NoSuchFileException.class, () -> strategy.newReader(1024).read(missing, IGNORE));
        assertEquals(missing + ": no such file", e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void anUnreadableFileIsReportedAsAccessDenied(Strategy strategy) throws IOException {
        Path file = UnreadableFiles.in(dir, new byte[10]);

        var e = assertThrows(AccessDeniedException.class, () -> strategy.newReader(1024).read(file, IGNORE));
        assertEquals(file + ": not readable by this user (check its permissions)", e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void aDeviceIsRejectedAsNotARegularFile(Strategy strategy) {
        Path device = Path.of("/dev/null");
        assumeTrue(Files.exists(device), "needs /dev/null");
        var e = assertThrows(FileSystemException.class, () -> strategy.newReader(1024).read(device, IGNORE));
        assertTrue(e.getMessage().startsWith("/dev/null: not a regular file"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void nullArgumentsAreNamed(Strategy strategy) throws IOException {
        Path file = Files.write(dir.resolve("small.bin"), new byte[10]);
        ChunkReader reader = strategy.newReader(1024);
        assertEquals("file", assertThrows(NullPointerException.class, () -> reader.read(null, IGNORE)).getMessage());
        assertEquals("consumer", assertThrows(NullPointerException.class, () -> reader.read(file, null)).getMessage());
    }

    @Test
    void theNaiveReaderRefusesFilesOver2GiBInsteadOfThrowingOutOfMemoryError() throws IOException {
        Path file = dir.resolve("sparse-3GiB");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(3L << 30); // sparse: no disk used, nothing read
        }
        var e = assertThrows(IOException.class, () -> ChunkReader.naive(1024).read(file, IGNORE));
        assertTrue(e.getMessage().contains("limited to 2 GiB. Use ChunkReader.reusedHeap, direct or mapped"),
                e.getMessage());
    }

    @Test
    void aMappingWindowOutsideOneToIntMaxIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new MappedChunkReader(1024, 0));
        assertThrows(IllegalArgumentException.class, () -> new MappedChunkReader(1024, 1L << 31));
    }
}
