package dev.streamlab.buffer;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.buffer.ChunkReader.Strategy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class ChunkReaderTest {
    /** Fixed seed: a failure replays exactly; the seed is in every generated file's name. */
    static final long SEED = 20240601L;
    static final int KiB = 1024;
    static final int MiB = 1024 * KiB;

    @TempDir
    Path dir;

    /** Chunk sizes 1 KiB..1 MiB, each with files of 0, 1, chunk-1, chunk, chunk+1 bytes and several MiB. */
    static Stream<Arguments> chunkAndFileSizes() {
        List<Arguments> cases = new ArrayList<>();
        for (int chunk : new int[] {KiB, 4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, MiB}) {
            for (int size : new TreeSet<>(List.of(0, 1, chunk - 1, chunk, chunk + 1, 3 * MiB + 5))) {
                cases.add(Arguments.of(chunk, size));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "chunk {0} B, file {1} B")
    @MethodSource("chunkAndFileSizes")
    void everyStrategyDeliversTheSameBytesForEveryChunkSize(int chunkSize, int fileSize) throws IOException {
        byte[] data = randomBytes(fileSize);
        Path file = write(data);
        long expectedSum = XorChecksum.of(ByteBuffer.wrap(data));
        List<Integer> expectedLengths = chunkLengths(fileSize, chunkSize);

        for (Strategy strategy : Strategy.values()) {
            Recording rec = new Recording();
            ChunkStats stats = strategy.newReader(chunkSize).read(file, rec);
            assertAll(strategy.name(),
                    () -> assertArrayEquals(data, rec.bytes.toByteArray(), "bytes (seed " + SEED + ")"),
                    () -> assertEquals(expectedLengths, rec.lengths, "chunk lengths: full chunks, then the rest"),
                    () -> assertEquals(expectedSum, rec.checksum.value(), "XOR checksum"),
                    () -> assertEquals(fileSize, stats.bytesDelivered(), "bytesDelivered"),
                    () -> assertEquals(expectedLengths.size(), stats.chunks(), "chunks"));
        }
    }

    @ParameterizedTest(name = "{0} copies each byte {1} times")
    @CsvSource({"NAIVE, 2", "REUSED_HEAP, 1", "DIRECT, 0", "MAPPED, 0"})
    void copyCountersCountEachStrategysUserSpaceCopies(Strategy strategy, int copiesPerByte) throws IOException {
        int size = MiB + 3;
        Path file = write(randomBytes(size));

        ChunkStats stats = strategy.newReader(4 * KiB).read(file, new XorChecksum());

        assertEquals(new ChunkStats(size, 257, (long) copiesPerByte * size), stats);
        assertEquals(copiesPerByte, stats.copiesPerByte(), 0.0);
    }

    @Test
    void reusedHeapSlicesShareOneBackingArray() throws IOException {
        ChunkReader reader = ChunkReader.reusedHeap(KiB);
        List<ByteBuffer> views = new ArrayList<>();

        reader.read(write(randomBytes(5 * KiB + 1)), views::add);

        assertEquals(6, views.size());
        byte[] shared = views.getFirst().array();
        assertEquals(KiB, shared.length, "one array of chunkSize bytes");
        for (ByteBuffer view : views) {
            assertAll(() -> assertTrue(view.hasArray()), () -> assertFalse(view.isDirect()),
                    () -> assertSame(shared, view.array(), "every slice is a view of the same array"),
                    () -> assertEquals(0, view.arrayOffset()));
        }
    }

    @Test
    void naiveHandsOutADistinctArrayPerChunk() throws IOException {
        byte[] data = randomBytes(5 * KiB + 1);
        List<ByteBuffer> views = new ArrayList<>();

        ChunkReader.naive(KiB).read(write(data), views::add);

        assertEquals(6, views.size());
        for (int i = 0; i < views.size(); i++) {
            ByteBuffer view = views.get(i);
            assertTrue(view.hasArray());
            assertFalse(view.isDirect());
            for (int j = 0; j < i; j++) assertNotSame(views.get(j).array(), view.array(), "chunks " + j + ", " + i);
            // A private array: still the right bytes after the pass.
            assertEquals(ByteBuffer.wrap(data, i * KiB, view.remaining()), view, "chunk " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Strategy.class, names = {"DIRECT", "MAPPED"})
    void directAndMappedViewsAreDirectBuffers(Strategy strategy) throws IOException {
        List<ByteBuffer> views = new ArrayList<>();

        strategy.newReader(KiB).read(write(randomBytes(3 * KiB)), views::add);

        assertEquals(3, views.size());
        for (ByteBuffer view : views) {
            assertAll(() -> assertTrue(view.isDirect()), () -> assertFalse(view.hasArray(), "no Java array behind it"));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Strategy.class, names = {"REUSED_HEAP", "DIRECT"})
    void aViewKeptFromAReusingReaderIsOverwrittenByLaterChunks(Strategy strategy) throws IOException {
        byte[] data = randomBytes(3 * KiB);
        List<ByteBuffer> views = new ArrayList<>();

        strategy.newReader(KiB).read(write(data), views::add);

        // All three views share one buffer, which now holds the last chunk.
        ByteBuffer lastChunk = ByteBuffer.wrap(data, 2 * KiB, KiB);
        for (ByteBuffer view : views) assertEquals(lastChunk, view);
    }

    @Test
    void mappedViewsAreReadOnlyAndStayValidAfterThePass() throws IOException {
        byte[] data = randomBytes(3 * KiB + 7);
        List<ByteBuffer> views = new ArrayList<>();

        ChunkReader.mapped(KiB).read(write(data), views::add);

        assertEquals(4, views.size());
        for (int i = 0; i < views.size(); i++) {
            assertTrue(views.get(i).isReadOnly(), "mapped READ_ONLY");
            assertEquals(ByteBuffer.wrap(data, i * KiB, views.get(i).remaining()), views.get(i), "chunk " + i);
        }
    }

    @ParameterizedTest(name = "chunk {0} B, windows of at most {1} B")
    @CsvSource({"1024, 3000", "1024, 1024", "4096, 1000", "1000, 2500"})
    void mappedReaderSplitsTheFileIntoWindowsOfWholeChunks(int chunkSize, long maxWindow) throws IOException {
        byte[] data = randomBytes(10_000);
        Recording rec = new Recording();

        ChunkStats stats = new MappedChunkReader(chunkSize, maxWindow).read(write(data), rec);

        assertArrayEquals(data, rec.bytes.toByteArray());
        assertEquals(chunkLengths(data.length, chunkSize), rec.lengths, "no chunk straddles two windows");
        assertEquals(new ChunkStats(data.length, rec.lengths.size(), 0), stats);
    }

    @Test
    void mappedReaderReadsFilesOver2GiB() throws IOException {
        long size = 3L * 1024 * MiB + 5; // sparse: costs no disk space
        Path file = dir.resolve("sparse-3GiB");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
            raf.seek(size - 1);
            raf.write(42);
        }
        List<ByteBuffer> views = new ArrayList<>();

        // Only count the chunks: touching a page of a hole makes the kernel read ahead (zeros) around it.
        ChunkStats stats = ChunkReader.mapped(MiB).read(file, views::add);

        assertEquals(new ChunkStats(size, 3 * 1024 + 1, 0), stats);
        ByteBuffer last = views.getLast();
        assertEquals(5, last.remaining(), "the last chunk holds the rest");
        assertEquals(42, last.get(4), "the last byte, beyond 2^31, is read from the right place");
    }

    @Test
    void aFileThatChangesBetweenPassesIsReadAfresh() throws IOException {
        // The reusing readers keep a buffer, not a file: each pass opens the file again.
        Path file = write(randomBytes(2 * KiB));
        for (Strategy strategy : Strategy.values()) {
            ChunkReader reader = strategy.newReader(KiB);
            reader.read(file, new XorChecksum());
            byte[] next = randomBytes(KiB + 1, strategy.ordinal());
            Files.write(file, next);
            Recording rec = new Recording();
            reader.read(file, rec);
            assertArrayEquals(next, rec.bytes.toByteArray(), strategy.name());
        }
    }

    // --- helpers ---

    /** Copies every chunk it sees (the reusing readers overwrite their buffer) and checksums it. */
    static final class Recording implements Consumer<ByteBuffer> {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<Integer> lengths = new ArrayList<>();
        final XorChecksum checksum = new XorChecksum();

        @Override
        public void accept(ByteBuffer chunk) {
            int position = chunk.position();
            checksum.accept(chunk);
            assertEquals(position, chunk.position(), "the checksum leaves the position alone");
            byte[] copy = new byte[chunk.remaining()];
            chunk.duplicate().get(copy);
            bytes.writeBytes(copy);
            lengths.add(copy.length);
        }
    }

    static List<Integer> chunkLengths(long fileSize, int chunkSize) {
        List<Integer> lengths = new ArrayList<>();
        for (long from = 0; from < fileSize; from += chunkSize) {
            lengths.add((int) Math.min(chunkSize, fileSize - from));
        }
        return lengths;
    }

    static byte[] randomBytes(int size) {
        return randomBytes(size, 0);
    }

    static byte[] randomBytes(int size, long salt) {
        byte[] data = new byte[size];
        new Random(SEED + salt).nextBytes(data);
        return data;
    }

    private Path write(byte[] data) throws IOException {
        return Files.write(dir.resolve("seed-" + SEED + "-" + data.length + ".bin"), data);
    }
}
