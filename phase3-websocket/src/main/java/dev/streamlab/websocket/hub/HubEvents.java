package dev.streamlab.websocket.hub;

/**
 * What a {@link Hub} reports as it works, for a metrics registry to count (phase 3's {@code /metrics} does). The
 * hub keeps the same numbers itself ({@link Hub#stats}); this only forwards them. Called on publisher and sender
 * threads, concurrently: implementations must be thread-safe and quick (a {@code LongAdder} increment).
 */
public interface HubEvents {
    /** Ignores everything. */
    HubEvents NONE = new HubEvents() {};

    /** A message was published to {@code subscribers} subscribers; {@code copiedBytes} copied to make it. */
    default void published(int subscribers, int copiedBytes) {}

    /** A subscriber's sink took a message of {@code bytes} bytes ({@code heap}: from a heap buffer). */
    default void delivered(Overflow policy, int bytes, boolean heap) {}

    /** Messages a subscriber will never get: pushed out of its queue, skipped over, or discarded at a disconnect. */
    default void dropped(Overflow policy, int messages) {}

    /** A {@link Overflow#SKIP_TO_LATEST_MARKED} subscriber skipped ahead (one gap). */
    default void skipped(Overflow policy) {}

    /** A {@link Overflow#DISCONNECT} subscriber was removed for overflowing its queue. */
    default void disconnected(Overflow policy) {}

    /** The deepest queue of any subscriber with this policy grew from {@code previous} to {@code depth} messages. */
    default void queueHighWater(Overflow policy, int previous, int depth) {}
}
