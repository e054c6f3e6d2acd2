package dev.streamlab.bench;

import dev.streamlab.websocket.deflate.DeflateEvents;
import dev.streamlab.websocket.deflate.MessageDeflater;
import dev.streamlab.websocket.deflate.MessageInflater;
import dev.streamlab.websocket.frame.WsCloseException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * Phase 4's question "Compression: worth it?", part 1: what does java.util.zip DEFLATE cost and save on what
 * Streamlab sends? (Part 2, what it does to latency end to end: CompressionLatencyBenchmark. The ratios alone,
 * which need no timing: CompressionRatios, printed by `./lab bench phase4-compression` under the JMH table.)
 *
 * One op compresses (or inflates) one whole message exactly as permessage-deflate (RFC 7692) does: raw DEFLATE,
 * SYNC_FLUSH, the 00 00 ff ff tail cut (MessageDeflater / MessageInflater from phase 3), each message on its own
 * (no context takeover: the cost of an independent message).
 *   level=none  the baseline: copy the message into a buffer — what sending it uncompressed costs here at most
 *               (phase 3 sends segments with no copy at all);
 *   level=1/6/9 Deflater levels: fastest, zlib's default, smallest.
 *
 * Read the aux counters, not only ops/s: with Throughput mode in seconds,
 *   inBytes   = bytes fed in per second   -> compress: MB/s compressed; decompress: compressed MB/s read
 *   outBytes  = bytes produced per second
 * so the ratio of a payload at a level is compress:inBytes / compress:outBytes, and the speeds are
 * compress:inBytes / 1e6 and decompress:outBytes / 1e6 (MB/s of original data).
 *
 * How to run (full, ~5 min): ./lab bench phase4-compression   (or scripts/bench.sh phase4-compression)
 * `mvn verify` smoke-runs it briefly (see jmh.smoke.params in phase4-optimizations/pom.xml).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class CompressionBenchmark {
    @Param({"segment-360p", "segment-720p", "raw-frame", "metrics-scrape", "meta-json", "stats-json"})
    public String payload;

    @Param({"none", "1", "6", "9"})
    public String level;

    private byte[] data;
    private byte[] compressed;
    private MessageDeflater deflater;
    private MessageInflater inflater;
    private ByteBuffer out;

    /** Bytes in and out per second (see the header comment). */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Bytes {
        public long inBytes;
        public long outBytes;

        @Setup(Level.Iteration)
        public void clear() {
            inBytes = 0;
            outBytes = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException, InterruptedException, WsCloseException {
        data = CompressionPayloads.load(payload);
        out = ByteBuffer.allocate(data.length + 1024);
        if (level.equals("none")) {
            compressed = data;
            return;
        }
        deflater = new MessageDeflater(Integer.parseInt(level), true, DeflateEvents.NONE);
        inflater = new MessageInflater(true, DeflateEvents.NONE);
        ByteBuffer c = deflater.compress(ByteBuffer.wrap(data));
        compressed = new byte[c.remaining()];
        c.get(compressed);
        // the round trip must give the data back, or the numbers mean nothing
        ByteBuffer back = inflater.inflate(ByteBuffer.wrap(compressed), true, ByteBuffer.allocate(16), Integer.MAX_VALUE - 8);
        if (!back.flip().equals(ByteBuffer.wrap(data))) throw new IllegalStateException("round trip differs for " + payload);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        // Deflater and Inflater hold native memory until end()
        if (deflater != null) deflater.end();
        if (inflater != null) inflater.end();
    }

    @Benchmark
    public int compress(Bytes bytes) {
        int produced;
        if (deflater == null) {
            out.clear().put(data);
            produced = out.position();
        } else {
            produced = deflater.compress(ByteBuffer.wrap(data)).remaining();
        }
        bytes.inBytes += data.length;
        bytes.outBytes += produced;
        return produced;
    }

    @Benchmark
    public int decompress(Bytes bytes) throws WsCloseException {
        int produced;
        if (inflater == null) {
            out.clear().put(compressed);
            produced = out.position();
        } else {
            out = inflater.inflate(ByteBuffer.wrap(compressed), true, out.clear(), Integer.MAX_VALUE - 8);
            produced = out.position();
        }
        bytes.inBytes += compressed.length;
        bytes.outBytes += produced;
        return produced;
    }
}
