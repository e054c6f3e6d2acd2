package dev.streamlab.cache;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Objects;

/**
 * Which bytes a file held when it was read: path, size and modification time. A key built from it stops matching
 * when the file is replaced or appended to, so a changed file gets new cache entries and the stale ones age out of
 * the LRU instead of being served (the same validators phase 2's ETag is made of, at the file system's precision).
 */
public record FileIdentity(Path file, long size, FileTime lastModified) {
    public FileIdentity {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(lastModified, "lastModified");
        if (size < 0) throw new IllegalArgumentException("size " + size);
    }

    /** The identity of {@code file} now; size from the open channel, so it matches the bytes read through it. */
    public static FileIdentity of(Path file, FileChannel open) throws IOException {
        return new FileIdentity(file, open.size(), Files.getLastModifiedTime(file));
    }
}
