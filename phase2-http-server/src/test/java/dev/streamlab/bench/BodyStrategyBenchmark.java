package dev.streamlab.bench;

import dev.streamlab.http.io.BodyStrategy;
import dev.streamlab.http.io.ByteProvenance;
import dev.streamlab.http.io.OpenFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
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
import org.openjdk.jmh.infra.Blackhole;

/*
 * Phase 2's question: what does each body strategy cost on OUR side of the OutputStream, per response?
 *
 * One op writes one range (64 KiB or 1 MiB, at a random 64 KiB-aligned offset of a 64 MiB file in the page cache)
 * to an OutputStream that hands every chunk to a Blackhole. The JDK's two copies behind a real exchange's
 * OutputStream are NOT in this measurement (the load harness, ./lab bench phase2, measures the whole server);
 * what is here is the read side: naive's new byte[] per chunk, reused's pooled array, mapped's slice-and-get.
 *
 * Read gc.alloc.rate.norm (bytes allocated per op): naive allocates the range size every time; reused and mapped
 * should allocate (nearly) nothing, whatever the range size.
 *
 * How to run: ./lab bench phase2-io   (or mvn verify for a smoke run of every benchmark)
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class BodyStrategyBenchmark {
    static final long FILE_SIZE = 64L << 20;

    @Param({"naive", "reused", "mapped"})
    public String strategy;

    @Param({"65536", "1048576"})
    public int rangeBytes;

    private Path dir;
    private FileChannel channel;
    private OpenFile file;
    private BodyStrategy body;
    private final ByteProvenance provenance = new ByteProvenance();
    private final Random random = new Random(42);
    private OutputStream sink;

    @Setup(Level.Trial)
    public void setUp(Blackhole bh) throws IOException {
        dir = Files.createTempDirectory("streamlab-bench");
        Path p = dir.resolve("big.mp4");
        byte[] chunk = new byte[1 << 20];
        new Random(7).nextBytes(chunk);
        try (OutputStream out = Files.newOutputStream(p)) {
            for (long w = 0; w < FILE_SIZE; w += chunk.length) out.write(chunk);
        }
        channel = FileChannel.open(p, StandardOpenOption.READ);
        file = new OpenFile(p, channel, FILE_SIZE, Files.getLastModifiedTime(p).toMillis(), null);
        body = BodyStrategy.named(strategy);
        sink = new OutputStream() {
            @Override
            public void write(int b) {
                bh.consume(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                bh.consume(b[off]); // touch the chunk the way a socket write would read it
                bh.consume(b[off + len - 1]);
            }
        };
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        channel.close();
        Files.deleteIfExists(dir.resolve("big.mp4"));
        Files.deleteIfExists(dir);
    }

    @Benchmark
    public long sendRange() throws IOException {
        long slots = (FILE_SIZE - rangeBytes) / 65536;
        long offset = (long) random.nextInt((int) slots) * 65536;
        body.send(file, offset, rangeBytes, sink, provenance);
        return provenance.bytesSent();
    }
}
