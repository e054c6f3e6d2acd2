package dev.streamlab.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A regular file this process may not read, for the tests of "access denied" errors, whoever runs them.
 *
 * <p>A {@code chmod 000} file is unreadable to an ordinary user, but not to root: the kernel lets a process with
 * {@code CAP_DAC_OVERRIDE} past file modes, and CI runs as root. So for root the file is {@code
 * /proc/sys/vm/drop_caches}, a regular file of mode 0200 that the kernel refuses to open for reading even to root
 * ({@code proc_sys_permission} checks the sysctl's mode and ignores capabilities). The open fails with
 * {@code EACCES}, the very error a {@code chmod 000} file gives an ordinary user, so the code under test takes the
 * same path. Reading it has no side effects; writing it would drop the page cache, and nothing here writes.
 */
public final class UnreadableFiles {
    /** Write-only for everyone, root included (Linux sysctl permissions ignore capabilities). */
    static final Path WRITE_ONLY_SYSCTL = Path.of("/proc/sys/vm/drop_caches");

    private UnreadableFiles() {}

    /**
     * A regular file this process cannot read: a copy of {@code content} in {@code dir} with mode 000 when that is
     * enough, else the write-only sysctl. Where neither exists (a file system without POSIX permissions, run as
     * root, on a machine without {@code /proc}) the test is skipped saying so, or fails under {@code CI=true}, like
     * any other missing prerequisite ({@link ExternalTools#requireThat}).
     */
    public static Path in(Path dir, byte[] content) throws IOException {
        Path file = Files.write(dir.resolve("unreadable.bin"), content);
        if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
            if (!Files.isReadable(file)) return file;
        }
        Files.delete(file);
        ExternalTools.requireThat(Files.isRegularFile(WRITE_ONLY_SYSCTL) && !Files.isReadable(WRITE_ONLY_SYSCTL),
                "no file this user cannot read: chmod 000 does not stop root here, and " + WRITE_ONLY_SYSCTL
                        + " is missing or readable");
        return WRITE_ONLY_SYSCTL;
    }
}
