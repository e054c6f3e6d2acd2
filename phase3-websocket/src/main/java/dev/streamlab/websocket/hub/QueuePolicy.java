package dev.streamlab.websocket.hub;

import dev.streamlab.shared.text.ClientText;
import dev.streamlab.websocket.WsCloseCodes;
import java.util.HashSet;
import java.util.Set;

/**
 * How one subscriber's send queue is bounded: its capacity in messages (and its hub's byte bound,
 * {@link Hub#DEFAULT_MAX_QUEUED_BYTES}) and
 * what happens past it ({@link Overflow}). Memory per subscriber is one reference per slot: queued messages are
 * shared views, not copies.
 *
 * @param overflow  what a full queue does with the next message
 * @param capacity  messages the queue holds, 1 to {@link #MAX_CAPACITY}
 * @param closeCode for {@link Overflow#DISCONNECT}: the close code sent, 1008 (policy violation: "you read too
 *                  slowly for this topic") or 1013 (try again later); 0 for the other policies
 */
public record QueuePolicy(Overflow overflow, int capacity, int closeCode) {
    /** The largest queue a subscriber may ask for (a slot is a reference, so 4,096 slots cost 16–32 KiB). */
    public static final int MAX_CAPACITY = 4096;
    /** What {@code /ws/topic/{name}} without a query gets: drop the oldest past 64 queued messages. */
    public static final QueuePolicy DEFAULT = dropOldest(64);

    public QueuePolicy {
        if (overflow == null) throw new IllegalArgumentException("overflow policy missing");
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("queue must be 1 to " + MAX_CAPACITY + " messages, not " + capacity);
        }
        if (overflow == Overflow.DISCONNECT) {
            if (closeCode != WsCloseCodes.POLICY_VIOLATION && closeCode != WsCloseCodes.TRY_AGAIN_LATER) {
                throw new IllegalArgumentException("close must be 1008 or 1013, not " + closeCode);
            }
        } else if (closeCode != 0) {
            throw new IllegalArgumentException("close applies to policy=disconnect only");
        }
    }

    public static QueuePolicy dropOldest(int capacity) {
        return new QueuePolicy(Overflow.DROP_OLDEST, capacity, 0);
    }

    public static QueuePolicy skipToLatestMarked(int capacity) {
        return new QueuePolicy(Overflow.SKIP_TO_LATEST_MARKED, capacity, 0);
    }

    /** @param closeCode 1008 or 1013 */
    public static QueuePolicy disconnect(int capacity, int closeCode) {
        return new QueuePolicy(Overflow.DISCONNECT, capacity, closeCode);
    }

    /**
     * The policy a {@code /ws/topic/{name}} query asks for: {@code policy=drop-oldest|skip-to-marked|disconnect},
     * {@code queue=N} (default 64), and for {@code disconnect} {@code close=1008|1013} (default 1008). Every
     * parameter is optional; null or an empty query is {@link #DEFAULT}.
     *
     * @throws IllegalArgumentException with a reason fit for a Close frame: an unknown or repeated parameter, an
     *                                  unknown policy, a queue size out of range, another close code
     */
    public static QueuePolicy parse(String query) {
        if (query == null || query.isEmpty()) return DEFAULT;
        Overflow overflow = Overflow.DROP_OLDEST;
        int capacity = DEFAULT.capacity();
        int close = 0;
        Set<String> seen = new HashSet<>();
        for (String pair : query.split("&", -1)) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            if (!seen.add(key)) throw new IllegalArgumentException("parameter '" + shorten(key) + "' given twice");
            switch (key) {
                case "policy" -> overflow = Overflow.ofQueryName(shorten(value));
                case "queue" -> capacity = number("queue", value);
                case "close" -> close = number("close", value);
                default -> throw new IllegalArgumentException("unknown parameter '" + shorten(key)
                        + "' (policy, queue, close)");
            }
        }
        if (overflow == Overflow.DISCONNECT && close == 0) close = WsCloseCodes.POLICY_VIOLATION;
        return new QueuePolicy(overflow, capacity, close);
    }

    private static int number(String key, String value) {
        if (value.isEmpty() || value.length() > 9 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(key + " must be a number, not '" + shorten(value) + "'");
        }
        return Integer.parseInt(value);
    }

    // A reason goes into a Close frame (123 bytes at most): quote at most 24 characters of what the client sent.
    static String shorten(String s) {
        return ClientText.shorten(s, 24);
    }
}
