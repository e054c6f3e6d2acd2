package dev.streamlab.testing;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A FIFO in a file's place, for the tests of what a server does when a listed file has become one: opening a FIFO
 * for reading blocks until a writer comes, so a server that opens it without looking hangs a thread for good.
 * {@link #release} frees such a thread, so that a test of the old code fails instead of hanging the build.
 */
public final class Fifos {
    private Fifos() {}

    /** Makes a FIFO at {@code path} (nothing may be there) with coreutils' {@code mkfifo}. */
    public static void make(Path path) throws IOException, InterruptedException {
        ExternalTools.run(10, ExternalTools.require("mkfifo", "apt-get install coreutils").toString(), path.toString());
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS) || Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalStateException("mkfifo made no FIFO at " + path);
        }
    }

    /** Frees whoever is stuck opening {@code path} for reading, if it is (still) a FIFO; a no-op otherwise. */
    public static void release(Path path) throws IOException {
        // Read-write never blocks on a Linux FIFO (fifo(7)) and counts as a writer: a reader stuck in open() gets
        // through, and then end of file.
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)
                && !Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)
                && !Files.isSymbolicLink(path)) {
            FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE).close();
        }
    }
}
