package dev.streamlab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.testing.ExternalTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The load harness ({@code ./lab bench phase2}) in miniature, so {@code mvn verify} proves it works: a couple of
 * seconds of each client loop against phase 2 started in this JVM on 127.0.0.1, serving the bundled sample. The
 * full benchmark, with jwebserver and nginx in processes of their own, is {@link LoadHarness}.
 */
class LoadHarnessSmokeIT {
    private static final String SAMPLE = "sample-30s-360p-h264-aac";

    @Test
    void randomRangesCountEveryByteAndEveryCopy() throws Exception {
        Path media = ExternalTools.media();
        long size = Files.size(media.resolve(SAMPLE + ".mp4"));
        try (InProcessPhase2 server = InProcessPhase2.start(media, ExternalTools.root().resolve("frontend"),
                "mapped")) {
            Workload w = new Workload.Ranges("smoke", "smoke: random 64 KiB ranges, 4 connections", SAMPLE, size,
                    64 * 1024, 4, 1);
            Measurement m = Measurement.run(server, w, Duration.ofMillis(300), Duration.ofSeconds(2), 50_000, 1);

            Tally.Summary c = m.clients();
            assertTrue(c.requests() > 0, "no request completed in 2 s");
            assertEquals(0, c.failed(), () -> "failures: " + c.problems());
            assertEquals(c.requests() * 64 * 1024, c.bytes(), "every response is exactly the range asked for");
            assertTrue(c.ttfbP50Ms() > 0 && c.ttfbP50Ms() <= c.ttfbP99Ms(), c.ttfbP50Ms() + " / " + c.ttfbP99Ms());
            // mapped: mapping -> array, then the JDK's two copies behind the exchange's OutputStream. Not exact:
            // the two counters are read while chunks are in flight between "copied" and "sent".
            assertEquals(3.0, m.copiesPerByte(), 0.01);

            String md = Results.markdown("smoke", List.of("header"), List.of(m), List.of());
            assertTrue(md.contains("| phase 2 in-process (mapped) | "), md);
        }
    }

    @Test
    void viewersArePacedAndTheBulkDownloadRuns() throws Exception {
        Path media = ExternalTools.media();
        long size = Files.size(media.resolve(SAMPLE + ".mp4"));
        try (InProcessPhase2 server = InProcessPhase2.start(media, ExternalTools.root().resolve("frontend"),
                "reused")) {
            // 64 KiB chunks at 2 Mbit/s: one every 262 ms, so each viewer fetches a handful in the window.
            Workload.Viewers w = new Workload.Viewers("smoke-viewers", "smoke: 4 viewers", SAMPLE, size, 4,
                    64 * 1024, 2_000_000, 0.2, true, 1);
            Measurement m = Measurement.run(server, w, Duration.ofMillis(1200), Duration.ofSeconds(2), 50_000, 1);

            Tally.Summary c = m.clients();
            assertEquals(0, c.failed(), () -> "failures: " + c.problems());
            assertEquals(c.requests() * 64 * 1024, c.bytes());
            // Paced: 4 viewers x 2 s / 262 ms is about 30 chunks; unpaced on loopback it would be thousands.
            assertTrue(c.requests() >= 8 && c.requests() <= 60, "chunks fetched: " + c.requests());
            assertTrue(c.bulkBytes() > 0, "the bulk download received nothing");
        }
    }
}
