package dev.streamlab.http.io;

import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A file opened for one response.
 *
 * @param path         its real path (the key of the mapping cache)
 * @param channel      open for reading; the caller closes it
 * @param size         size when opened
 * @param lastModified modification time in milliseconds when opened
 */
public record OpenFile(Path path, FileChannel channel, long size, long lastModified) {}
