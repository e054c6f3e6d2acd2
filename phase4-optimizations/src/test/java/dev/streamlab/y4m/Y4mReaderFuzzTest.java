package dev.streamlab.y4m;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of {@link Y4mReader#open} ({@link Y4mHeader} and the FRAME index): whatever a .y4m file
 * holds, opening it succeeds or throws {@link Y4mFormatException} with a message — never another exception, never a
 * hang, never an allocation out of proportion to the file. A file that opens is one the readers of proxies can use:
 * a valid header, every frame inside the file, and {@link Y4mReader#frameAt} working for any time, as
 * {@code Thumbnails} calls it.
 *
 * <p>Regression mode ({@code mvn test}) replays
 * {@code src/test/resources/dev/streamlab/y4m/Y4mReaderFuzzTestInputs/anyFileOpensOrIsAFormatError/};
 * fuzzing: {@code JAZZER_FUZZ=1 mvn -pl phase4-optimizations -am test -Dtest=Y4mReaderFuzzTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Djmh.skip=true}.
 */
class Y4mReaderFuzzTest {
    private static final Path FILE = tempFile();
    private static int opened;

    @DictionaryEntries({"YUV4MPEG2 ", " W", " H", " F", ":", " I", "p", " A1:1", " C", "420jpeg", "420paldv",
            "420mpeg2", "420", "444", " X", "FRAME", "FRAME ", "-1", "2147483647", "8192"})
    @FuzzTest(maxDuration = "30s")
    void anyFileOpensOrIsAFormatError(byte[] input) throws IOException {
        Files.write(FILE, input);
        // Each open maps the file, and a mapping is released only when the GC finds its buffer unreachable: tens of
        // thousands of opens between two collections would exhaust vm.max_map_count (65530) and fail the map.
        if (++opened % 2000 == 0) System.gc();
        try (Y4mReader r = Y4mReader.open(FILE)) {
            Y4mHeader h = r.header();
            assertTrue(h.length() <= input.length && h.frameBytes() > 0, h.toString());
            for (int i = 0; i < r.frameCount(); i++) {
                Frame f = r.frame(i);
                assertEquals(i, f.index());
                assertTrue(f.offset() >= h.length() && (long) f.offset() + h.frameBytes() <= input.length,
                        "frame " + i + " at " + f.offset());
            }
            for (double t : new double[] {0, r.durationSeconds() / 3, r.durationSeconds(), 1e12}) r.frameAt(t);
        } catch (Y4mFormatException e) {
            assertFalse(e.getMessage() == null || e.getMessage().isBlank());
        }
    }

    private static Path tempFile() {
        try {
            Path f = Files.createTempFile("y4m-fuzz", ".y4m");
            f.toFile().deleteOnExit();
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
