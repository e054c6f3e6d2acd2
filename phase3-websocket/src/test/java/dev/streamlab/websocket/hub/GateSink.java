package dev.streamlab.websocket.hub;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * An in-memory sink whose deliveries wait at a gate the test opens: a subscriber made slow on purpose, without
 * sockets. Records each view it is handed and the Close it gets.
 */
final class GateSink implements HubSink {
    final List<ByteBuffer> views = new CopyOnWriteArrayList<>();
    final List<HubMessage> messages = new CopyOnWriteArrayList<>();
    volatile int closeCode = -1;
    volatile String closeReason;
    private final Semaphore entered = new Semaphore(0);
    private final Semaphore gate;

    private GateSink(int permits) {
        this.gate = new Semaphore(permits);
    }

    /** Delivers at once. */
    static GateSink open() {
        return new GateSink(Integer.MAX_VALUE / 2);
    }

    /** Holds the first delivery (and all later ones) until {@link #open()} is called. */
    static GateSink closed() {
        return new GateSink(0);
    }

    @Override
    public void deliver(HubMessage message, ByteBuffer view) throws IOException {
        entered.release();
        try {
            gate.acquire();
        } catch (InterruptedException e) {
            throw new InterruptedIOException("interrupted at the gate");
        }
        messages.add(message);
        views.add(view);
    }

    @Override
    public void close(int code, String reason) {
        closeReason = reason;
        closeCode = code;
    }

    /** Lets every delivery through from now on. */
    void openGate() {
        gate.release(Integer.MAX_VALUE / 2);
    }

    /** Waits (bounded) until the sender thread is inside {@link #deliver}: the message in flight is off the queue. */
    void awaitInFlight() throws InterruptedException {
        if (!entered.tryAcquire(10, TimeUnit.SECONDS)) throw new AssertionError("no delivery started");
    }

    /** Sequence numbers of the test messages delivered, in order. */
    long[] seqs() {
        return views.stream().mapToLong(v -> v.getLong(0)).toArray();
    }
}
