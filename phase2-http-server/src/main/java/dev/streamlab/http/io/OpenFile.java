package dev.streamlab.http.io;

import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A file opened for one response.
 *
 * @param path         its real path (with the three below, the key of the mapping cache)
 * @param channel      open for reading; the caller closes it
 * @param size         size when opened
 * @param lastModified modification time in milliseconds when opened
 * @param fileKey      {@link java.nio.file.attribute.BasicFileAttributes#fileKey()} when opened (device and inode
 *                     on Unix), or null when the file system has none
 */
public record OpenFile(Path path, FileChannel channel, long size, long lastModified, Object fileKey) {}
