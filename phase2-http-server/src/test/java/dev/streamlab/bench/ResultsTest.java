package dev.streamlab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report's arithmetic and layout, on made-up measurements (no server involved). */
class ResultsTest {
    private static final Workload RANGES = new Workload.Ranges("ranges", "a. ranges", "v", 1 << 30, 65536, 50, 1);

    /** {@code requests} in 10 s, {@code cpu} server seconds, {@code allocated} heap bytes. */
    private static Measurement m(String server, int round, long requests, double cpu, long allocated) {
        Tally.Summary c = new Tally.Summary(requests, 0, requests * 65536, 1.0, 9.0, 0, 0, 0, 0, Map.of());
        ServerUnderTest.Snapshot before = new ServerUnderTest.Snapshot(10, 1000, 500, 0, 0, 0, 0);
        ServerUnderTest.Snapshot after = new ServerUnderTest.Snapshot(10 + cpu, 20480, 10240, allocated, 3,
                3 * requests * 65536, requests * 65536);
        return new Measurement(server, RANGES, round, c, 10, before, after, 5, null);
    }

    @Test
    void ratiosAreAgainstNginxInTheSameTable() {
        String table = Results.rangesTable(List.of(m("nginx", 1, 200_000, 2, -1), m("phase2 naive", 1, 140_000, 7,
                140_000L * 84 * 1024)));
        // 14,000 req/s over 20,000; CPU per request 50 µs over 10 µs.
        assertTrue(table.contains("| phase2 naive | 14,000 | 918 | 1.00 | 9.00 | 0 | 7.0 | 50 | 20 (10) | 84.0 KiB | 3 "
                + "| 3.00 | 5.0 | 0.70 | 5.00 |"), table);
        assertTrue(table.contains("| nginx | 20,000 |"), table);
    }

    @Test
    void anUnavailableServerKeepsItsRowAndTheReasonAndNoRatios() {
        String md = Results.markdown("t", List.of("Machine: x"),
                List.of(Measurement.unavailable("nginx", RANGES, "nginx is not installed"),
                        m("phase2 mapped", 1, 100_000, 5, 0)), List.of());
        assertTrue(md.contains("| nginx | unavailable: nginx is not installed | – |"), md);
        assertTrue(md.contains("| phase2 mapped | 10,000 |"), md);
        assertTrue(md.contains("| – | – |\n"), "no nginx, no ratios: " + md);
    }

    @Test
    void severalRoundsGiveTheMedianRoundWhole() {
        List<Measurement> rows = Results.medianRows(List.of(m("nginx", 1, 100, 1, -1), m("nginx", 2, 300, 2, -1),
                m("nginx", 3, 200, 3, -1), m("phase2 reused", 1, 50, 1, 0), m("phase2 reused", 2, 70, 1, 0)));
        assertEquals(2, rows.size());
        assertEquals(3, rows.get(0).round(), "the median req/s of 100, 300, 200 is round 3's");
        assertEquals(3.0, rows.get(0).serverCpuSeconds(), 1e-9, "and its other figures come with it");
        assertEquals(1, rows.get(1).round(), "of two rounds, the lower");
    }

    @Test
    void withSeveralRoundsARatioIsTheMedianOfTheSameRoundRatios() {
        // nginx 10,000 / 20,000 / 15,000 req/s; the other server 0.90, 0.85 and 0.50 of it, round by round. Its
        // median round (9,000 req/s, round 1) over nginx's (15,000, round 3) would say 0.60: two moments mixed.
        String table = Results.rangesTable(List.of(m("nginx", 1, 100_000, 2, -1), m("phase3 virtual", 1, 90_000, 7, 0),
                m("phase3 virtual", 2, 170_000, 7, 0), m("nginx", 2, 200_000, 2, -1), m("nginx", 3, 150_000, 2, -1),
                m("phase3 virtual", 3, 75_000, 7, 0)));
        assertTrue(table.contains("| phase3 virtual | 9,000 |"), "the row is the median round, whole: " + table);
        // CPU per request over nginx's, per round: 3.89, 4.12, 7.00.
        assertTrue(table.contains("| 0.85 | 4.12 |\n"), table);
    }

    @Test
    void aSingleStreamIsJudgedPerByte() {
        Workload bulk = new Workload.Ranges("bulk", "d. bulk", "v", 1L << 30, 0, 1, 4);
        // 8 GB arrived in 10 s (as counted while arriving; completed downloads are not counted twice).
        Tally.Summary c = new Tally.Summary(7, 0, 7L << 30, 1.0, 2.0, 0, 0, 8_000_000_000L, 7, Map.of());
        ServerUnderTest.Snapshot zero = new ServerUnderTest.Snapshot(0, 0, 0, 0, 0, 0, 0);
        Measurement nginx = new Measurement("nginx", bulk, 1, c, 10, zero,
                new ServerUnderTest.Snapshot(0.8, 20480, 6144, -1, -1, -1, -1), 9, null);
        Measurement mapped = new Measurement("phase2 mapped", bulk, 1, c, 10, zero,
                new ServerUnderTest.Snapshot(4, 20480, 6144, 8_000_000, 0, 24_000_000_000L, 8_000_000_000L), 6, null);
        assertTrue(mapped.bulk());
        String md = Results.markdown("t", List.of(), List.of(nginx, mapped), List.of());
        // 800 MB/s; 0.5 CPU s per GB, 5x nginx's 0.1; 8 MB allocated over 7,629 MiB.
        assertTrue(md.contains("| phase2 mapped | 800 | 7 | 4.0 | 0.50 | 20 (6) | 1,049 B | 0 | 3.00 | 6.0 | 1.00 "
                + "| 5.00 |"), md);
    }

    @Test
    void percentilesAreNearestRank() {
        long[] ms = new long[100];
        for (int i = 0; i < 100; i++) ms[i] = (i + 1) * 1_000_000L;
        assertEquals(50.0, Tally.percentileMillis(ms, 0.50));
        assertEquals(99.0, Tally.percentileMillis(ms, 0.99));
        assertEquals(7.0, Tally.percentileMillis(new long[] {7_000_000L}, 0.99));
        assertTrue(Double.isNaN(Tally.percentileMillis(new long[0], 0.5)));
    }

    @Test
    void csvHasOneLinePerRoundAndAColumnPerHeader() {
        String csv = Results.csv(List.of(m("nginx", 1, 100, 1, -1), Measurement.unavailable("jwebserver", RANGES,
                "did not start")));
        List<String> lines = csv.lines().toList();
        assertEquals(3, lines.size());
        int columns = lines.get(0).split(",").length;
        assertEquals(columns, lines.get(1).split(",", -1).length, lines.get(1));
        assertEquals(columns, lines.get(2).split(",", -1).length, lines.get(2));
    }

    @Test
    void failuresOfTheMedianRoundFollowTheTableOnce() {
        Measurement ok = m("jwebserver", 1, 10, 1, -1);
        Measurement failing = new Measurement("jwebserver", RANGES, 1, new Tally.Summary(10, 10, 0, 1.0, 9.0, 0, 0, 0,
                0, Map.of("status 200 (wanted 206)", 10L)), 10, ok.before(), ok.after(), 5, null);
        String table = Results.rangesTable(List.of(m("nginx", 1, 100, 1, -1), failing));
        assertTrue(table.endsWith("|\n\nFailures, jwebserver: 10 × status 200 (wanted 206).  \n"), table);
        String md = Results.markdown("t", List.of(), List.of(m("nginx", 1, 100, 1, -1), failing), List.of());
        assertEquals(md.indexOf("Failures, jwebserver"), md.lastIndexOf("Failures, jwebserver"), md);
    }

    @Test
    void csvQuotesAServerNameWithACommaSoItStaysOneField() {
        String line = Results.csv(List.of(m("phase3 virtual, serial GC", 2, 100, 1, -1))).lines().toList().get(1);
        assertTrue(line.startsWith("ranges,\"phase3 virtual, serial GC\",2,"), line);
        assertEquals("\"say \"\"no\"\"\"", Results.csvField("say \"no\""));
        assertEquals("plain", Results.csvField("plain"));
    }
}
