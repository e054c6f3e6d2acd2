package dev.streamlab.cache;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;

/**
 * Which bytes a file held when it was read: path, size, modification time and file identity (device and inode, where
 * the file system has them). A key built from it stops matching when the file is replaced or appended to, so a
 * changed file gets new cache entries and the stale ones age out of the LRU instead of being served. The inode
 * matters: {@code cp -p}, {@code rsync -a} or {@code tar x} replace a file keeping its size and mtime, and without it
 * the cache served the old bytes while {@code /videos} served the new (a black-box audit).
 *
 * @param fileKey {@link BasicFileAttributes#fileKey()}, or null where the file system has none
 */
public record FileIdentity(Path file, long size, FileTime lastModified, Object fileKey) {
    public FileIdentity {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(lastModified, "lastModified");
        if (size < 0) throw new IllegalArgumentException("size " + size);
    }

    /** The identity of {@code file} now; size from the open channel, so it matches the bytes read through it. */
    public static FileIdentity of(Path file, FileChannel open) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return new FileIdentity(file, open.size(), a.lastModifiedTime(), a.fileKey());
    }
}
