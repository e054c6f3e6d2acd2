package dev.streamlab.cache;

/**
 * A key of the {@link ChunkCache}: a value (record) with equals/hashCode over everything that identifies the bytes,
 * and a {@link #kind()} that labels its counters in {@code /metrics} ({@code range}, {@code segment}).
 */
public interface CacheKey {
    /** The label of this key's counters: a small fixed set, never request text. */
    String kind();
}
