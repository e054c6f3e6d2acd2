package dev.streamlab.shared;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.shared.io.FileStamp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStampTest {
    @TempDir
    Path dir;

    private static BasicFileAttributes stat(Path f) throws Exception {
        return Files.readAttributes(f, BasicFileAttributes.class);
    }

    @Test
    void theSameFileMatchesAndEachWayOfReplacingItDoesNot() throws Exception {
        Path f = Files.writeString(dir.resolve("v.mp4"), "0123456789");
        FileStamp opened = FileStamp.of(stat(f));
        assertTrue(opened.matches(stat(f)), "nothing changed");

        Files.writeString(f, "0123456789abc"); // rewritten in place: another size
        assertFalse(opened.matches(stat(f)));

        opened = FileStamp.of(stat(f));
        Files.setLastModifiedTime(f, FileTime.fromMillis(stat(f).lastModifiedTime().toMillis() - 60_000));
        assertFalse(opened.matches(stat(f)), "same size, another modification time");

        opened = FileStamp.of(stat(f));
        Path fresh = Files.writeString(dir.resolve("fresh"), "0123456789abc");
        Files.setLastModifiedTime(fresh, stat(f).lastModifiedTime());
        Files.move(fresh, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertFalse(opened.matches(stat(f)), "same size and time, a new file moved over the name: another inode");
    }
}
