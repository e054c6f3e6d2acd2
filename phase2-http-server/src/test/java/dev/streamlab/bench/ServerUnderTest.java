package dev.streamlab.bench;

import java.io.IOException;
import java.net.URI;

/**
 * A server the load test measures: a separate process ({@link ServerProcess}: phase 2, jwebserver, nginx) whose
 * CPU time and memory can be read from {@code /proc}, or phase 2 inside the test's own JVM ({@link InProcessPhase2},
 * for the quick smoke test, where those figures would include the load generator and are left out).
 */
sealed interface ServerUnderTest extends AutoCloseable permits ServerProcess, InProcessPhase2 {
    /** As shown in the results table. */
    String name();

    /** The URL of a video in the benchmark's media folder, by catalog id ({@code bench-large}). */
    URI video(String id);

    /** Counters now; a measurement is the difference of two snapshots. */
    Snapshot snapshot() throws IOException, InterruptedException;

    @Override
    void close();

    /**
     * Cumulative counters of a server at one moment; {@code -1} (or NaN) where a server has no such figure.
     *
     * @param cpuSeconds     user + system CPU of the server's processes ({@link ProcStats})
     * @param peakRssKiB     the high-water mark of resident memory ({@link ProcStats})
     * @param anonRssKiB     private resident memory now ({@link ProcStats})
     * @param allocatedBytes heap bytes allocated since the JVM started ({@link JvmProbe}; JVM servers only)
     * @param gcCount        garbage collections so far (JVM servers only)
     * @param copyBytes      phase 2's {@code streamlab_http_userspace_copy_bytes_total}
     * @param strategyBytes  phase 2's {@code streamlab_http_body_bytes_sent_by_strategy_total}
     */
    record Snapshot(double cpuSeconds, long peakRssKiB, long anonRssKiB, long allocatedBytes, long gcCount, long copyBytes,
                    long strategyBytes) {
        static final Snapshot NONE = new Snapshot(Double.NaN, -1, -1, -1, -1, -1, -1);
    }
}
