package dev.streamlab.shared.io;

import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;

/**
 * What tells a server that a file is still the one it opened: a rewrite in place changes the size or the modification
 * time, and a new file moved over the name (how ffmpeg and editors save) changes the identity, device and inode.
 *
 * @param size    bytes
 * @param mtime   last modification time
 * @param fileKey {@link BasicFileAttributes#fileKey()}, or null where the file system has none
 */
public record FileStamp(long size, FileTime mtime, Object fileKey) {
    public static FileStamp of(BasicFileAttributes attributes) {
        return new FileStamp(attributes.size(), attributes.lastModifiedTime(), attributes.fileKey());
    }

    /**
     * Whether {@code now} (a fresh stat of the name) still describes this file. Compares in place rather than through
     * {@code equals(of(now))}: phase 3 asks once per request, and a stamp per request would be garbage per request.
     */
    public boolean matches(BasicFileAttributes now) {
        return size == now.size() && mtime.equals(now.lastModifiedTime()) && Objects.equals(fileKey, now.fileKey());
    }
}
