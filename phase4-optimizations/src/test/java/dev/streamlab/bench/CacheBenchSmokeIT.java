package dev.streamlab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./lab bench phase4-cache} in miniature, so {@code mvn verify} proves it runs: every cell serves requests
 * without an error and lands in the table. Timings from this run mean nothing.
 */
class CacheBenchSmokeIT {
    @Test
    void everyCellServesRequestsWithoutErrors(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("phase4-cache.md");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        int code = CacheBench.run(new PrintStream(log, true, StandardCharsets.UTF_8), "--quick", "--viewers", "8",
                "--files", "4", "--file-mib", "2", "--cache-mib", "4", "--warmup", "0.3", "--seconds", "1",
                "--out", out.toString());
        String text = log.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        String md = Files.readString(out);
        for (String row : new String[] {"| ranges | sendfile |", "| ranges | cache-off |", "| ranges | cache-on |",
                "| ranges | cache-all |", "| segments | remux |", "| segments | cached |"}) {
            assertTrue(md.contains(row), row + " missing:\n" + md);
        }
        // With the whole catalog cached, a measured window after warm-up is (nearly) all hits.
        Matcher all = Pattern.compile("\\| ranges \\| cache-all \\|[^\\n]*\\| ([0-9.]+) \\| [0-9.]+ \\| 0 \\|").matcher(md);
        assertTrue(all.find(), md);
        assertTrue(Double.parseDouble(all.group(1)) > 0.9, "cache-all hit ratio " + all.group(1));
    }
}
