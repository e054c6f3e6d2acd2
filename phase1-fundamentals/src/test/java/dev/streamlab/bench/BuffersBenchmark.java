package dev.streamlab.bench;

import dev.streamlab.buffer.ChunkReader;
import dev.streamlab.buffer.XorChecksum;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/*
 * Buffers lab, benchmark 1: what does each copy cost?
 *
 * The question: reading a 32 MiB file in chunks and touching every byte, how much time and how much heap does
 * each strategy spend per pass, and how does that depend on the chunk size?
 *
 *   baseline    no I/O at all: the same checksum over the same chunks of a buffer already in memory. The floor.
 *   naive       Files.readAllBytes + Arrays.copyOfRange per chunk: 2 user-space copies, 2x the file allocated.
 *   reusedHeap  one heap buffer, FileChannel.read + slice(): 1 copy (the JDK's temporary direct buffer -> array).
 *   direct      one direct buffer, FileChannel.read + slice(): 0 copies (the kernel writes into it).
 *   mapped      FileChannel.map + slice(off, len): 0 copies, not even the kernel's; page faults instead.
 *
 * Every method returns the XOR checksum of the data, so JMH cannot eliminate the reads (JMHSample_08_DeadCode),
 * and mapped pages really get faulted in. The file is written once per trial, so every pass reads the page
 * cache, never the disk: this measures copies and allocation, not the device.
 *
 * Readers (and their buffers) are made once per trial, so gc.alloc.rate.norm (bytes allocated per op) shows
 * what the strategy allocates per pass, not the setup.
 *
 * How to run:
 *   ./lab bench buffers                    (all chunk sizes, -prof gc, writes bench-results/buffers.{csv,md})
 *   scripts/bench.sh buffers --quick       (a short run, to check it works)
 *   or by hand, after test-compile:
 *   java -cp <test classpath> org.openjdk.jmh.Main BuffersBenchmark -p chunkSize=65536 -prof gc
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// A fixed, pre-touched heap: otherwise the naive strategy's 64 MiB per op also measures the heap growing.
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class BuffersBenchmark {
    /** Bytes read per operation: one pass over the file. */
    public static final int FILE_SIZE = 32 * 1024 * 1024;
    static final String SAMPLE = "sample-30s-360p-h264-aac.mp4";

    @Param({"1024", "4096", "16384", "65536", "262144", "1048576"})
    int chunkSize;

    private Path dir;
    private Path file;
    private ByteBuffer inMemory;
    private ChunkReader naive;
    private ChunkReader reusedHeap;
    private ChunkReader direct;
    private ChunkReader mapped;
    private final XorChecksum checksum = new XorChecksum();

    @Setup(Level.Trial)
    public void writeFile() throws IOException {
        Path sample = Path.of(System.getProperty("streamlab.media", "media"), SAMPLE);
        if (!Files.isRegularFile(sample)) {
            throw new IOException(sample.toAbsolutePath() + " not found: run from the repository root or pass "
                    + "-Dstreamlab.media=<repo>/media");
        }
        // Real video bytes, repeated up to 32 MiB: the sample alone (0.7 MB) would fit in the CPU caches.
        byte[] bytes = Files.readAllBytes(sample);
        byte[] data = new byte[FILE_SIZE];
        for (int off = 0; off < FILE_SIZE; off += bytes.length) {
            System.arraycopy(bytes, 0, data, off, Math.min(bytes.length, FILE_SIZE - off));
        }
        dir = Files.createTempDirectory("streamlab-bench");
        file = Files.write(dir.resolve("buffers-32MiB.bin"), data);
        inMemory = ByteBuffer.allocateDirect(FILE_SIZE).put(data).flip();

        naive = ChunkReader.naive(chunkSize);
        reusedHeap = ChunkReader.reusedHeap(chunkSize);
        direct = ChunkReader.direct(chunkSize);
        mapped = ChunkReader.mapped(chunkSize);
    }

    @TearDown(Level.Trial)
    public void deleteFile() throws IOException {
        if (file != null) Files.deleteIfExists(file);
        if (dir != null) Files.deleteIfExists(dir);
    }

    @Benchmark
    public long baseline() {
        // The consumer's cost alone: the same chunks, already in memory (direct, like most readers' views).
        checksum.reset();
        for (int off = 0; off < FILE_SIZE; off += chunkSize) {
            checksum.accept(inMemory.slice(off, Math.min(chunkSize, FILE_SIZE - off)));
        }
        return checksum.value();
    }

    @Benchmark
    public long naive() throws IOException {
        return pass(naive);
    }

    @Benchmark
    public long reusedHeap() throws IOException {
        return pass(reusedHeap);
    }

    @Benchmark
    public long direct() throws IOException {
        return pass(direct);
    }

    @Benchmark
    public long mapped() throws IOException {
        return pass(mapped);
    }

    private long pass(ChunkReader reader) throws IOException {
        checksum.reset();
        reader.read(file, checksum);
        return checksum.value();
    }
}
