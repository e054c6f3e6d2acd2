package dev.streamlab.http1;

/**
 * The deadlines {@link Http1Server} keeps on every connection, and what happens when one passes. A socket read
 * timeout ({@code SO_TIMEOUT}) cannot do this job: it restarts with every byte, so a client trickling a byte a second
 * never trips it, and it covers reads only, never a write to a client that stopped reading.
 */
public enum Http1Timeout {
    /**
     * The whole request (header section and body) must arrive within the request timeout, counted from its first
     * byte (from the accept, for a new connection). Then the server answers 408 and closes: the slowloris defence.
     */
    REQUEST,
    /** A keep-alive connection may wait this long for its next request; then it is closed without a word. */
    IDLE,
    /** One write that makes no progress for the write-stall timeout closes the connection: the client stopped reading. */
    WRITE_STALL,
    /** A read with a timeout by an {@link UpgradeHandler} ({@link Http1Upgrade#read}); the connection is closed. */
    UPGRADE_READ,
    /** The bounded drain of unread input after an error response (a lingering close); not reported as a timeout. */
    LINGER;

    /**
     * Whether this deadline shortens to {@link Http1Watchdog#FULL_TIMEOUT} while the server is at its connection cap:
     * those that wait on a client that sends or takes too little; not a WebSocket's reads, nor the lingering close.
     */
    boolean shortensAtTheCap() {
        return this == REQUEST || this == IDLE || this == WRITE_STALL;
    }
}
