package dev.streamlab.http.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each body strategy on its own, against files that change under it. */
class BodyStrategyTest {
    @TempDir
    Path dir;

    /**
     * A video truncated in place (same inode) while a response is being written: the remaining bytes are gone, so
     * the response must end as a failed write does (an IOException, which the server treats as a cut connection).
     * A mapping of the old length faults on the missing pages (SIGBUS), which the JDK raises as an InternalError.
     */
    @ParameterizedTest
    @ValueSource(strings = {"naive", "reused", "mapped"})
    void aFileTruncatedMidResponseEndsItWithAnIOException(String name) throws IOException {
        byte[] bytes = new byte[1 << 20];
        new Random(7).nextBytes(bytes);
        Path file = Files.write(dir.resolve("v.mp4"), bytes);
        BodyStrategy strategy = BodyStrategy.named(name);
        ByteProvenance provenance = new ByteProvenance();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            OpenFile open = new OpenFile(file, ch, bytes.length, Files.getLastModifiedTime(file).toMillis(), null);
            ByteArrayOutputStream first = new ByteArrayOutputStream();
            strategy.send(open, 0, 4096, first, provenance); // maps the whole file for "mapped"
            assertArrayEquals(Arrays.copyOf(bytes, 4096), first.toByteArray());

            try (FileChannel writer = FileChannel.open(file, StandardOpenOption.WRITE)) {
                writer.truncate(8192);
            }
            assertThrows(IOException.class,
                    () -> strategy.send(open, 0, bytes.length, new ByteArrayOutputStream(), provenance));
        }
    }
}
