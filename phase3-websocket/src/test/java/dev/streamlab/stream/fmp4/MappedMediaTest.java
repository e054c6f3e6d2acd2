package dev.streamlab.stream.fmp4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The overlapping-window mapping, exercised with a 1000-byte step on a 10 000-byte file (the real step is 512 MiB,
 * which no test file reaches): any range shorter than the step, wherever it starts, comes back whole and right.
 */
class MappedMediaTest {
    private static final int SIZE = 10_000;
    private static final long STEP = 1000;

    @TempDir
    Path dir;

    private Path file() throws Exception {
        byte[] bytes = new byte[SIZE];
        for (int i = 0; i < SIZE; i++) bytes[i] = (byte) (i * 31 + 7);
        return Files.write(dir.resolve("pattern.bin"), bytes);
    }

    @Test
    void everyRangeShorterThanTheStepIsServedWholeWhereverItStarts() throws Exception {
        MappedMedia media = MappedMedia.map(file(), STEP);
        assertEquals(SIZE, media.size());
        for (long offset = 0; offset < SIZE; offset += 37) {
            for (int length : new int[]{0, 1, 499, 999, 1000}) {
                if (offset + length > SIZE) continue;
                ByteBuffer b = media.slice(offset, length);
                assertEquals(length, b.remaining());
                assertTrue(b.isReadOnly() && b.isDirect());
                for (int i = 0; i < length; i++) {
                    assertEquals((byte) ((offset + i) * 31 + 7), b.get(b.position() + i), "byte " + (offset + i));
                }
            }
        }
    }

    @Test
    void rangesOutsideTheFileOrLongerThanAWindowAreRefused() throws Exception {
        MappedMedia media = MappedMedia.map(file(), STEP);
        assertThrows(IndexOutOfBoundsException.class, () -> media.slice(SIZE - 10, 11));
        assertThrows(IndexOutOfBoundsException.class, () -> media.slice(-1, 1));
        media.slice(10, 1990); // inside window 0 (bytes 0-1999)
        assertThrows(IndexOutOfBoundsException.class, () -> media.slice(999, 1002)); // past window 0's end
    }

    @Test
    void aSmallFileIsOneMapping() throws Exception {
        MappedMedia media = MappedMedia.map(file());
        ByteBuffer all = media.slice(0, SIZE);
        assertEquals(SIZE, all.remaining());
    }
}
