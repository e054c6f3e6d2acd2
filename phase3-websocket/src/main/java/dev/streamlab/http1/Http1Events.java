package dev.streamlab.http1;

/**
 * What {@link Http1Server} tells its owner about connections, for metrics. Every method has a no-op default and is
 * called on the thread where the event happens (a connection's, or the watchdog's), so implementations must be
 * thread-safe and quick: count, do not block.
 */
public interface Http1Events {
    /** Does nothing. */
    Http1Events NONE = new Http1Events() {};

    /** A connection was accepted. */
    default void connectionOpened() {}

    /** A connection was closed, whoever closed it (called also when {@link #connectionOpened} threw). */
    default void connectionClosed() {}

    /** A request was refused before reaching a handler (400, 408, 411, 413, 414, 417, 431, 501, 505). */
    default void requestRejected(int status) {}

    /** A deadline passed and the connection was cut off (never called for {@link Http1Timeout#LINGER}). */
    default void timedOut(Http1Timeout kind) {}

    /**
     * The deadline of {@code kind} was due only because the server was at its connection cap: the connection had
     * waited {@code Http1Watchdog.FULL_TIMEOUT} on its client. Called just before {@link #timedOut}.
     */
    default void shedAtTheCap(Http1Timeout kind) {}

    /**
     * {@code FileChannel.transferTo} returned 0 because the socket buffer was full, and one chunk went through the
     * pooled-buffer fallback instead ({@link Http1Exchange#transferFrom}).
     */
    default void transferToReturnedZero() {}
}
