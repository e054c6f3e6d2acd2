package dev.streamlab.websocket.hub;

/**
 * A hub's counters for one overflow policy, summed over every subscriber that ever used it.
 *
 * @param delivered      messages handed to sinks
 * @param deliveredBytes their bytes
 * @param dropped        messages a subscriber never got: dropped (oldest), skipped over, or discarded at a disconnect
 * @param skips          gaps: overflows resolved by skipping to a marked message
 * @param disconnects    subscribers removed and closed for overflowing
 * @param queueHighWater the deepest any of their queues has been, in messages
 */
public record PolicyStats(long delivered, long deliveredBytes, long dropped, long skips, long disconnects,
                          int queueHighWater) {
}
