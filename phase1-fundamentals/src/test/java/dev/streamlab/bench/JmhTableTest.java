package dev.streamlab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JmhTableTest {
    /** A trimmed JMH 1.37 CSV (-rf csv -prof gc), as BuffersBenchmark writes it. */
    private static final String CSV = """
            "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit","Param: chunkSize"
            "dev.streamlab.bench.BuffersBenchmark.mapped","avgt",1,5,2.000000,0.100000,"ms/op",65536
            "dev.streamlab.bench.BuffersBenchmark.mapped:gc.alloc.rate.norm","avgt",1,5,9000.400000,12.000000,"B/op",65536
            "dev.streamlab.bench.BuffersBenchmark.naive","avgt",1,5,64.000000,1.500000,"ms/op",65536
            "dev.streamlab.bench.BuffersBenchmark.naive:gc.alloc.rate.norm","avgt",1,5,67108864.000000,1.000000,"B/op",65536
            "dev.streamlab.bench.BuffersBenchmark.naive","avgt",1,5,80.000000,NaN,"ms/op",1024
            "dev.streamlab.bench.BuffersBenchmark.naive:gc.alloc.rate.norm","avgt",1,5,67110000.000000,NaN,"B/op",1024
            "dev.streamlab.bench.BuffersBenchmark.mapped","avgt",1,5,4000.000000,100.000000,"us/op",1024
            "dev.streamlab.bench.BuffersBenchmark.mapped:gc.alloc.rate.norm","avgt",1,5,1300.000000,NaN,"B/op",1024
            """;

    @TempDir
    Path dir;

    @Test
    void writesOneRowPerStrategyAndChunkSizeWithThroughputAllocationAndSpeedUp() throws IOException {
        Path csv = Files.writeString(dir.resolve("buffers.csv"), CSV);
        Path md = dir.resolve("buffers.md");
        StringWriter log = new StringWriter();

        int code = JmhTable.run(new PrintWriter(log, true), csv.toString(), md.toString(),
                "--bytes-per-op", "33554432", "--reference", "naive", "--order", "naive,mapped",
                "--command", "scripts/bench.sh buffers");

        assertEquals(0, code, log.toString());
        String table = Files.readString(md);
        assertTrue(table.startsWith("# JMH results: BuffersBenchmark\n"), table);
        assertTrue(table.contains("- Command: `scripts/bench.sh buffers`"), table);
        assertTrue(table.contains("- Machine: "), table);
        List<String> rows = table.lines().filter(l -> l.startsWith("| naive") || l.startsWith("| mapped")).toList();
        assertEquals(List.of(
                // chunk sizes in numeric order; naive first (--order); us/op converted to ms
                "| naive | 1 KiB | 80.000 (no error estimate) | 419 | 67,110,000 | 1.00x |",
                "| mapped | 1 KiB | 4.000 ± 0.100 | 8,389 | 1,300 | 20.00x |",
                "| naive | 64 KiB | 64.000 ± 1.500 | 524 | 67,108,864 | 1.00x |",
                "| mapped | 64 KiB | 2.000 ± 0.100 | 16,777 | 9,000 | 32.00x |"), rows);
        assertTrue(table.contains("| 1 KiB | 419 | 8,389 |\n| 64 KiB | **524** | **16,777** |"), table);
    }

    @Test
    void aFileThatIsNotJmhCsvIsReportedNotThrown() throws IOException {
        Path csv = Files.writeString(dir.resolve("other.csv"), "a,b,c\n1,2,3\n");
        StringWriter log = new StringWriter();

        int code = JmhTable.run(new PrintWriter(log, true), csv.toString(), dir.resolve("x.md").toString());

        assertEquals(1, code);
        assertTrue(log.toString().contains("not a JMH CSV file: no \"Benchmark\" column"), log.toString());
    }

    @Test
    void missingArgumentsPrintTheUsage() {
        StringWriter log = new StringWriter();
        assertEquals(2, JmhTable.run(new PrintWriter(log, true), "only-one.csv"));
        assertTrue(log.toString().contains("usage: JmhTable"), log.toString());
    }
}
