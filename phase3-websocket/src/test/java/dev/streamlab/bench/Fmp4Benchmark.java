package dev.streamlab.bench;

import dev.streamlab.stream.fmp4.Fmp4Remuxer;
import dev.streamlab.stream.fmp4.Fmp4Track;
import dev.streamlab.stream.fmp4.Segment;
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
 * Phase 3b's question: what does it cost to turn one GOP of a progressive MP4 into an fMP4 media segment, and does
 * that cost grow with the GOP's size in bytes?
 *
 * One op builds one video segment (moof + mdat) of the file, cycling through its GOPs:
 *   baseline    picks the next segment index and nothing else (the loop's own cost);
 *   naiveCopy   builds the segment, then copies the header and every sample into one byte[] — what a server that
 *               "just sends a byte array" does;
 *   gatherList  builds the segment as a gather list: a fresh moof/mdat header plus read-only views of the mapped
 *               file, ready for one GatheringByteChannel.write.
 *
 * Read gc.alloc.rate.norm (bytes allocated per op). naiveCopy allocates the segment's size every time; gatherList
 * allocates per sample (16 trun bytes, one view object per run of back-to-back samples) and not per byte, so the
 * same for every rung with 60-frame GOPs. The ladder's 360p and 720p GOPs differ by only ~10% (the test pattern
 * compresses very well), so "720p-noisy" adds a 720p encode with film-grain noise, ~3 MB per GOP, made by ffmpeg
 * at trial setup; its video samples are contiguous in the file (no audio), hence a single view per segment.
 *
 * How to run (full, ~2 min): compile the tests, write the test classpath, run JMH with the GC profiler:
 *   JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -q -pl phase3-websocket -am test-compile \
 *       dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
 *   cd phase3-websocket && $JAVA_HOME/bin/java -Dstreamlab.media=../media \
 *       -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) \
 *       org.openjdk.jmh.Main -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc Fmp4Benchmark
 * `mvn verify` smoke-runs it briefly (360p and 720p only: jmh.smoke.params in phase3-websocket/pom.xml).
 *
 * Measured (2-core Intel Xeon VM, JDK 25, the command above; gc.alloc.rate.norm in bytes per op):
 *   rung          payload/GOP   naiveCopy B/op   gatherList B/op   naiveCopy us/op   gatherList us/op
 *   360p              74 KB          84 721            5 464             13.7              1.46
 *   720p              82 KB          92 821            5 384             15.5              1.26
 *   720p-noisy     2 989 KB       2 984 827            1 128            637                0.49
 * gatherList allocates per run of samples, not per byte: the ladder files interleave audio and video (one view
 * per frame, 60 a GOP); the noisy file has no audio, so a GOP is one contiguous run and one view.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class Fmp4Benchmark {
    @Param({"360p", "720p", "720p-noisy"})
    public String rung;

    private Path tmp;
    private Fmp4Track video;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException, InterruptedException {
        Path file;
        if (rung.equals("720p-noisy")) {
            tmp = Files.createTempDirectory("streamlab-fmp4-bench");
            file = tmp.resolve("noisy-720p.mp4");
            Process p = new ProcessBuilder("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i",
                    "testsrc=size=1280x720:rate=30:duration=8", "-vf", "noise=alls=12:allf=t+u", "-c:v", "libx264",
                    "-preset", "ultrafast", "-crf", "23", "-g", "60", "-keyint_min", "60", "-sc_threshold", "0",
                    "-bf", "0", "-pix_fmt", "yuv420p", file.toString()).inheritIO().start();
            if (p.waitFor() != 0) throw new IOException("ffmpeg could not make the noisy 720p sample");
        } else {
            String media = System.getProperty("streamlab.media", "../media");
            file = Path.of(media, "ladder", "ladder-30s-" + rung + ".mp4");
        }
        video = Fmp4Remuxer.open(file).video().orElseThrow();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (tmp == null) return;
        Files.deleteIfExists(tmp.resolve("noisy-720p.mp4"));
        Files.deleteIfExists(tmp);
    }

    private int nextSegment() {
        int k = next;
        next = k + 1 == video.segmentCount() ? 0 : k + 1;
        return k;
    }

    @Benchmark
    public int baseline() {
        return nextSegment();
    }

    @Benchmark
    public byte[] naiveCopy() {
        Segment s = video.segment(nextSegment());
        byte[] all = new byte[(int) s.length()];
        int at = 0;
        for (ByteBuffer b : s.buffers()) {
            int n = b.remaining();
            b.get(all, at, n);
            at += n;
        }
        return all;
    }

    @Benchmark
    public Segment gatherList() {
        return video.segment(nextSegment());
    }
}
