package dev.streamlab.websocket;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The heap every connection's large incoming messages may hold at once: bytes of message buffers past the 64 KiB each
 * connection keeps anyway ({@link WsMessageAssembler}). A message that would take the total past it fails with 1013
 * (try again later, RFC 6455 §7.4.1) instead of the JVM failing with {@code OutOfMemoryError}.
 *
 * <p>Why one for the whole JVM: the 16 MiB message limit is per connection, and with thousands of connections it
 * bounds nothing. A black-box audit held one compressed fragment inflating to 16 MiB on each of 40 connections —
 * 650 KB sent in all — and a 512 MB heap failed with {@code OutOfMemoryError}, taking other clients' handshakes with
 * it. Without compression the same takes 32 clients and 512 MB of real bytes: a budget is the bound in both cases.
 */
public final class MessageBudget {
    /** A quarter of the heap the JVM may grow to: room for the rest of the server, whatever the messages do. */
    public static final MessageBudget JVM = new MessageBudget(Runtime.getRuntime().maxMemory() / 4);
    /** No bound (clients, tests and tools reading what they trust). */
    public static final MessageBudget NONE = new MessageBudget(Long.MAX_VALUE);

    private final long limit;
    private final AtomicLong used = new AtomicLong();

    /** @param limit bytes all messages together may hold, at least 1 */
    public MessageBudget(long limit) {
        if (limit < 1) throw new IllegalArgumentException("limit " + limit);
        this.limit = limit;
    }

    /** Takes {@code bytes} if they fit; whether they did. */
    boolean reserve(long bytes) {
        for (long u = used.get(); ; u = used.get()) {
            if (u + bytes > limit) return false;
            if (used.compareAndSet(u, u + bytes)) return true;
        }
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    /** Bytes held now. */
    public long used() {
        return used.get();
    }

    public long limit() {
        return limit;
    }
}
