package dev.streamlab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading wrk's report (text wrk 4.1 printed here against nginx) and the summary's arithmetic; no wrk run. */
class WrkRangesTest {
    private static final String RANGES_REPORT = """
            Running 2s test @ http://127.0.0.1:18080/videos/big
              2 threads and 50 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency     2.58ms    2.37ms  36.97ms   90.62%
                Req/Sec     8.79k     2.37k   13.36k    60.00%
              Latency Distribution
                 50%    2.22ms
                 75%    3.53ms
                 90%    4.82ms
                 99%    8.55ms
              35216 requests in 2.03s, 2.16GB read
            Requests/sec:  17355.77
            Transfer/sec:      1.06GB
            """;

    @Test
    void aRangesReportGivesRequestsWindowBytesAndPercentiles() {
        WrkRanges.WrkResult r = WrkRanges.WrkResult.parse(RANGES_REPORT);
        assertEquals(35216, r.requests());
        assertEquals(2.03, r.seconds(), 1e-9);
        assertEquals(2.16 * (1L << 30), r.bytesRead(), 1);
        assertEquals(2.22, r.p50Ms(), 1e-9);
        assertEquals(8.55, r.p99Ms(), 1e-9);
        assertEquals(0, r.socketErrors() + r.non2xx());
        assertEquals(17348, r.requestsPerSecond(), 1);
    }

    @Test
    void errorsAndAnswersThatAreNot2xxAreCountedAndMicrosecondsReadAsMilliseconds() {
        WrkRanges.WrkResult r = WrkRanges.WrkResult.parse("""
                  Latency Distribution
                     50%  174.00us
                     99%    3.98ms
                  57300 requests in 1.10s, 16.83MB read
                  Socket errors: connect 0, read 2, write 1, timeout 4
                  Non-2xx or 3xx responses: 57300
                """);
        assertEquals(0.174, r.p50Ms(), 1e-9);
        assertEquals(7, r.socketErrors());
        assertEquals(57300, r.non2xx());
        assertEquals(16.83 * (1 << 20), r.bytesRead(), 1);
    }

    @Test
    void aReportWithoutItsTotalsIsAnErrorNotAZeroRow() {
        assertThrows(IllegalArgumentException.class, () -> WrkRanges.WrkResult.parse("unable to connect to 127.0.0.1"));
    }

    @Test
    void theSummaryTakesTheMedianRoundAndRatiosToNginxOfTheSameRound() {
        WrkRanges.Options o = WrkRanges.Options.parse("--servers", "nginx,phase3", "--rounds", "3");
        List<WrkRanges.Cell> cells = List.of(
                cell("nginx", 1, 20_000), cell("phase3 virtual", 1, 18_000),
                cell("nginx", 2, 10_000), cell("phase3 virtual", 2, 12_000),
                cell("nginx", 3, 20_000), cell("phase3 virtual", 3, 16_000));
        String md = WrkRanges.report(o, cells);
        // phase 3's median round is 16,000 req/s; its ratios 0.90, 1.20, 0.80 -> median 0.90.
        assertTrue(md.contains("| phase3 virtual | 16,000 | 0.90× (0.80–1.20) | 50.0 (20.0 + 30.0) |"), md);
        assertTrue(md.contains("| 2 | phase3 virtual | 12,000 | 1.20× |"), md);
        // 0.25 s of kernel threads' CPU in a 10 s window, in both tables
        assertTrue(md.contains("| 8.00 (8.00–8.00) | 20.0 | 25 | 0 |"), md);
        assertTrue(md.contains("| 2.00 | 8.00 | 20.0 | 25 | 65,700 | 0 |"), md);
    }

    @Test
    void theServersHeapIsSixtyFourMegabytesUnlessToldAndComesBeforeTheUsersJvmArgs() {
        WrkRanges.Options o = WrkRanges.Options.parse("--jvm-arg", "-XX:+UseSerialGC");
        assertEquals(List.of("-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC"),
                ServerProcess.jvmOptions(o.heap(), o.jvmArgs()));
        assertTrue(WrkRanges.report(o, List.of()).contains("JVM servers: `-Xms64m -Xmx64m -XX:+AlwaysPreTouch` + "
                + "`-XX:+UseSerialGC`"));
        assertEquals(List.of("-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch"),
                ServerProcess.jvmOptions(WrkRanges.Options.parse("--heap", "512m").heap(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> WrkRanges.Options.parse("--heap", "-Xmx1g"));
    }

    @Test
    void aFailedCellKeepsItsReasonAndTheServersOtherRoundsStillMakeItsSummary() {
        WrkRanges.Options o = WrkRanges.Options.parse("--servers", "nginx,phase3", "--rounds", "2");
        List<WrkRanges.Cell> cells = List.of(
                cell("nginx", 1, 20_000), new WrkRanges.Cell("phase3 virtual", 1, null, null, null, null,
                        "failed: wrk exited with 1: unable to connect | refused"),
                cell("nginx", 2, 20_000), cell("phase3 virtual", 2, 18_000));
        String md = WrkRanges.report(o, cells);
        assertTrue(md.contains("| 1 | phase3 virtual | unavailable: failed: wrk exited with 1: unable to connect "
                + "\\| refused |"), md);
        assertTrue(md.contains("| phase3 virtual | 18,000 | 0.90× (0.90–0.90) |"), md);
    }

    @Test
    void unknownServersAreRefusedByTheHarnessList() {
        assertThrows(IllegalArgumentException.class, () -> WrkRanges.Options.parse("--servers", "apache"));
    }

    /** {@code rps} for 10 s, 20 µs user + 30 µs system per request. */
    private static WrkRanges.Cell cell(String server, int round, long rps) {
        long requests = rps * 10;
        WrkRanges.WrkResult w = new WrkRanges.WrkResult(requests, 10, requests * 65_700.0, 2, 8, 0, 0);
        return new WrkRanges.Cell(server, round, w, new ProcStats.Cpu(requests * 20e-6, requests * 30e-6),
                new ProcStats.Cpu(requests * 10e-6, requests * 10e-6), new ProcStats.Cpu(0, 0.25), null);
    }
}
