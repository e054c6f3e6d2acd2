package dev.streamlab.websocket.hub;

/**
 * What a subscriber's send queue does when a message arrives and the queue is already full — that is, when the
 * subscriber reads more slowly than the topic is published. Chosen per subscriber, at subscribe time
 * ({@link QueuePolicy}); the publisher never waits in any case.
 *
 * <table>
 *   <caption>Overflow policies (queue of capacity {@code c}, full, message {@code m} arriving)</caption>
 *   <tr><th>policy</th><th>query value</th><th>on overflow</th><th>what the subscriber then sees</th></tr>
 *   <tr><td>{@link #DROP_OLDEST}</td><td>{@code drop-oldest}</td><td>the oldest queued message is dropped,
 *       {@code m} is queued</td><td>a gap, then always the newest {@code c} messages</td></tr>
 *   <tr><td>{@link #SKIP_TO_LATEST_MARKED}</td><td>{@code skip-to-marked}</td><td>one <em>skip</em>: the queue is
 *       cut to start at the newest marked message, {@code m} included (see {@link Subscription})</td><td>a gap, then
 *       a marked message: never the middle of a run</td></tr>
 *   <tr><td>{@link #DISCONNECT}</td><td>{@code disconnect}</td><td>the queue and {@code m} are dropped, the
 *       subscriber is removed and closed with 1008 or 1013 and a reason</td><td>the messages already handed to
 *       its socket, then a Close frame</td></tr>
 * </table>
 */
public enum Overflow {
    DROP_OLDEST("drop-oldest"),
    SKIP_TO_LATEST_MARKED("skip-to-marked"),
    DISCONNECT("disconnect");

    private static final Overflow[] ALL = values();
    private final String queryName;

    Overflow(String queryName) {
        this.queryName = queryName;
    }

    /** The name in {@code /ws/topic/{name}?policy=...}: {@code drop-oldest}, {@code skip-to-marked}, {@code disconnect}. */
    public String queryName() {
        return queryName;
    }

    /** The value of the {@code policy} label at {@code /metrics}: {@code drop_oldest}, {@code skip_to_marked}, ... */
    public String metricLabel() {
        return queryName.replace('-', '_');
    }

    /**
     * The policy called {@code name} in a query.
     *
     * @throws IllegalArgumentException for any other name, listing the valid ones
     */
    public static Overflow ofQueryName(String name) {
        for (Overflow o : ALL) {
            if (o.queryName.equals(name)) return o;
        }
        throw new IllegalArgumentException("unknown policy '" + name + "' (drop-oldest, skip-to-marked or disconnect)");
    }
}
