package dev.streamlab.buffer;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.streamlab.buffer.ChunkReader.Strategy;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Measures the heap bytes one pass allocates on this thread (HotSpot counts them exactly per thread), the
 * test-side twin of JMH's {@code gc.alloc.rate.norm}. Native memory (direct buffers, mappings, the JDK's
 * temporary direct buffers) is not heap and is not counted. Never asserts on time.
 */
class ChunkReaderAllocationTest {
    private static final int FILE_SIZE = 8 * 1024 * 1024;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @TempDir
    static Path dir;
    private static Path file;

    @BeforeAll
    static void writeFile() throws IOException {
        assumeTrue(THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled(),
                "this JVM does not count allocated bytes per thread");
        byte[] data = new byte[FILE_SIZE];
        new Random(ChunkReaderTest.SEED).nextBytes(data);
        file = Files.write(dir.resolve("8MiB.bin"), data);
    }

    @ParameterizedTest(name = "{0}, chunk {1} B")
    @CsvSource({"REUSED_HEAP, 4096", "REUSED_HEAP, 65536", "DIRECT, 4096", "DIRECT, 65536",
                "MAPPED, 4096", "MAPPED, 65536"})
    void reusingAndMappedReadersAllocateFarLessThanTheFilePerPass(Strategy strategy, int chunkSize)
            throws IOException {
        long allocated = allocatedByOnePass(strategy.newReader(chunkSize));
        // What remains is bookkeeping: a channel, a ~50-byte view object per chunk, the stats record.
        assertTrue(allocated < FILE_SIZE / 16,
                strategy + " allocated " + allocated + " bytes to read " + FILE_SIZE + " bytes");
    }

    @Test
    void theNaiveReaderAllocatesAtLeastTwiceTheFilePerPass() throws IOException {
        long allocated = allocatedByOnePass(ChunkReader.naive(65536));
        // readAllBytes' file-sized array, then a file's worth of chunk arrays.
        assertTrue(allocated >= 2L * FILE_SIZE, "naive allocated " + allocated + " bytes for " + FILE_SIZE);
    }

    /** The fewest bytes one pass allocated, after warm-up passes that load classes and fill the JDK's caches. */
    private static long allocatedByOnePass(ChunkReader reader) throws IOException {
        XorChecksum sum = new XorChecksum();
        for (int i = 0; i < 3; i++) reader.read(file, sum);
        long fewest = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            reader.read(file, sum);
            fewest = Math.min(fewest, THREADS.getCurrentThreadAllocatedBytes() - before);
        }
        System.out.printf("%-28s allocated %,12d bytes per pass of %,d bytes%n", reader, fewest, FILE_SIZE);
        return fewest;
    }
}
