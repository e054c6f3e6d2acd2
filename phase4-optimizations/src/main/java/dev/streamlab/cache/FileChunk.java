package dev.streamlab.cache;

import java.util.Objects;

/**
 * Chunk {@code index} of a file: bytes {@code [index * chunkSize, min(size, (index + 1) * chunkSize))}.
 * Chunks are aligned (1 MiB by default) so that overlapping ranges from different clients share entries.
 */
public record FileChunk(FileIdentity file, int chunkSize, long index) implements CacheKey {
    public FileChunk {
        Objects.requireNonNull(file, "file");
        if (chunkSize < 1) throw new IllegalArgumentException("chunk size " + chunkSize);
        if (index < 0 || index * chunkSize >= Math.max(1, file.size())) {
            throw new IllegalArgumentException("chunk " + index + " is outside a file of " + file.size() + " bytes");
        }
    }

    public long start() {
        return index * chunkSize;
    }

    public int length() {
        return (int) Math.min(chunkSize, file.size() - start());
    }

    @Override
    public String kind() {
        return "range";
    }
}
