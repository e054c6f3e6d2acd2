package dev.streamlab.websocket.hub;

import java.io.IOException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One subscriber of one topic: a bounded send queue filled by publishers and drained by the subscriber's own
 * virtual thread, which hands each message to the {@link HubSink}. A publisher only takes the queue's lock for a
 * few array stores, so a subscriber whose socket has stopped draining never delays it, nor the other subscribers.
 *
 * <p>The queue is a ring of {@link QueuePolicy#capacity()} references to shared {@link HubMessage}s; the sender
 * takes a {@link HubMessage#view()} as it hands a message over. On overflow (a message arrives, the queue is full:
 * {@code capacity} messages, or the new one would take it past the hub's byte bound,
 * {@link Hub#DEFAULT_MAX_QUEUED_BYTES} unless the hub says otherwise):
 * <dl>
 *   <dt>{@link Overflow#DROP_OLDEST}</dt>
 *   <dd>The oldest queued messages are dropped until the new one fits, and it is queued. Once the subscriber
 *       catches up, it holds the newest messages that fit.</dd>
 *   <dt>{@link Overflow#SKIP_TO_LATEST_MARKED}</dt>
 *   <dd>A <em>run</em> is a marked message and the unmarked ones after it. On overflow the subscriber skips to the
 *       newest run that fits: if the new message is marked, everything queued is dropped and it alone is queued;
 *       otherwise, if a marked message is queued behind the head, everything before the newest one is dropped and the
 *       new message queued after it; otherwise (the newest run is longer than the queue, or nothing queued is
 *       marked) everything queued and the new message are dropped, and so is every later unmarked message until
 *       the next marked one, which is queued. So after a gap delivery always resumes at a marked message: the
 *       subscriber never gets a run without its start, or with a hole in it (a run already being sent can lose its
 *       tail). Each overflow counts one skip.</dd>
 *   <dt>{@link Overflow#DISCONNECT}</dt>
 *   <dd>Everything queued and the new message are dropped, the subscription leaves its topic at once, and the sender
 *       — once its write in progress is done — closes the sink with {@link QueuePolicy#closeCode()} (1008 or 1013)
 *       and the reason "too slow for topic NAME: queue of N messages full" (or "... of messages over M MiB").</dd>
 * </dl>
 *
 * <p>Ends when its owner calls {@link #close()} (the WebSocket closed), when the sink throws (the socket failed),
 * on a disconnect, or when the hub closes; then it is no longer in its topic and its sender thread is finished.
 */
public final class Subscription {
    private static final Logger LOG = Logger.getLogger(Subscription.class.getName());

    private enum State { OPEN, CLOSING, CLOSED }

    private final Hub hub;
    private final String topic;
    private final QueuePolicy policy;
    private final HubSink sink;
    private final ReentrantLock lock = new ReentrantLock(); // not synchronized: a virtual thread parks in it
    private final Condition ready = lock.newCondition();
    // Guarded by lock:
    private final HubMessage[] ring;
    private int head;
    private int size;
    private long queuedBytes; // of the messages in the ring, at most maxBytes unless one message alone is more
    private final long maxBytes;
    private boolean awaitingMark;
    private State state = State.OPEN;
    private int closeCode;
    private String closeReason;
    private int highWater;
    // Written under lock (dropped, skips) or by the sender thread alone (delivered); read by anyone:
    private volatile long dropped;
    private volatile long skips;
    private volatile long delivered;

    Subscription(Hub hub, String topic, QueuePolicy policy, HubSink sink, long maxBytes) {
        this.maxBytes = maxBytes;
        this.hub = hub;
        this.topic = topic;
        this.policy = policy;
        this.sink = sink;
        this.ring = new HubMessage[policy.capacity()];
    }

    public String topic() {
        return topic;
    }

    public QueuePolicy policy() {
        return policy;
    }

    /** Whether it still receives what is published (false once closing or closed). */
    public boolean isOpen() {
        lock.lock();
        try {
            return state == State.OPEN;
        } finally {
            lock.unlock();
        }
    }

    /** Messages waiting in the queue now. */
    public int queued() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    /** The deepest the queue has been. */
    public int highWater() {
        lock.lock();
        try {
            return highWater;
        } finally {
            lock.unlock();
        }
    }

    public long delivered() {
        return delivered;
    }

    public long dropped() {
        return dropped;
    }

    public long skips() {
        return skips;
    }

    /**
     * Unsubscribes: leaves the topic, drops what is queued, and lets the sender thread end (after the write in
     * progress, if any: it is not interrupted, since interrupting a thread in a socket write closes the socket).
     * Does not close the sink. Idempotent.
     */
    public void close() {
        lock.lock();
        try {
            if (state == State.CLOSED) return;
            state = State.CLOSED;
            clear();
            ready.signal();
        } finally {
            lock.unlock();
        }
        hub.detach(this);
    }

    /** The hub gives up on this subscriber: the sender closes the sink with {@code code} and ends. */
    void disconnect(int code, String reason) {
        lock.lock();
        try {
            if (state != State.OPEN) return;
            enterClosing(code, reason);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A publisher queues {@code m}, applying the overflow policy (see the class comment). Never waits for the
     * sender beyond a few array stores under the lock.
     *
     * @return false when this message overflowed a {@link Overflow#DISCONNECT} queue: the caller detaches it
     */
    boolean offer(HubMessage m) {
        int droppedNow = 0;
        boolean skipped = false;
        boolean disconnect = false;
        int newHigh = 0;
        lock.lock();
        try {
            if (state != State.OPEN) return true; // leaving: not a subscriber any more, nothing to count
            if (awaitingMark && !m.marked()) {
                droppedNow = 1; // still inside the run we skipped
            } else {
                awaitingMark = false;
                if (full(m)) {
                    switch (policy.overflow()) {
                        case DROP_OLDEST -> {
                            do {
                                take();
                                droppedNow++;
                            } while (full(m));
                        }
                        case SKIP_TO_LATEST_MARKED -> {
                            skipped = true;
                            droppedNow = skipAhead(m);
                        }
                        case DISCONNECT -> {
                            droppedNow = size + 1;
                            disconnect = true;
                            enterClosing(policy.closeCode(), "too slow for topic " + topic + ": queue of "
                                    + (size == ring.length ? ring.length + " messages full"
                                            : "messages over " + (maxBytes >> 20) + " MiB"));
                        }
                    }
                }
                if (!disconnect && !awaitingMark) {
                    ring[(head + size) % ring.length] = m;
                    size++;
                    queuedBytes += m.length();
                    if (size > highWater) newHigh = highWater = size;
                    ready.signal();
                }
            }
            if (droppedNow > 0) dropped += droppedNow;
            if (skipped) skips++;
        } finally {
            lock.unlock();
        }
        // Counted outside the lock: the hub's counters (and a metrics listener) are not this queue's business.
        if (droppedNow > 0) hub.dropped(policy.overflow(), droppedNow);
        if (skipped) hub.skipped(policy.overflow());
        if (newHigh > 0) hub.queueDepth(policy.overflow(), newHigh);
        if (disconnect) hub.disconnected(policy.overflow());
        return !disconnect;
    }

    /**
     * SKIP_TO_LATEST_MARKED on a full queue with {@code m} arriving: cuts the queue to start at the newest marked
     * message and returns how many messages were dropped; sets {@link #awaitingMark} when no run fits.
     */
    private int skipAhead(HubMessage m) {
        if (m.marked()) {
            int n = size;
            clear();
            return n; // m starts the newest run: queued next by offer
        }
        int newest = -1;
        for (int i = size - 1; i >= 0; i--) {
            if (ring[(head + i) % ring.length].marked()) {
                newest = i;
                break;
            }
        }
        int n = 0;
        if (newest > 0) {
            for (int i = 0; i < newest; i++) take();
            // The run from the newest mark, plus m, fits in count (size - newest + 1 <= capacity); in bytes it may not.
            if (!full(m)) return newest;
            n = newest;
        }
        // The newest run starts at the head and fills the queue (or no run has started): it cannot fit whole.
        n += size + 1;
        clear();
        awaitingMark = true;
        return n;
    }

    private void enterClosing(int code, String reason) {
        state = State.CLOSING;
        closeCode = code;
        closeReason = reason;
        clear();
        ready.signal();
    }

    private HubMessage take() {
        HubMessage m = ring[head];
        ring[head] = null;
        head = (head + 1) % ring.length;
        size--;
        queuedBytes -= m.length();
        return m;
    }

    /** Whether {@code m} does not fit: the ring is full, or it would take a non-empty queue past the byte bound. */
    private boolean full(HubMessage m) {
        return size == ring.length || (size > 0 && queuedBytes + m.length() > maxBytes);
    }

    private void clear() {
        while (size > 0) take();
        head = 0;
    }

    /** The sender: runs on this subscription's own virtual thread until the subscription ends. */
    void run() {
        try {
            int code;
            String reason;
            while (true) {
                HubMessage m;
                lock.lock();
                try {
                    while (size == 0 && state == State.OPEN) ready.await();
                    if (state == State.CLOSED) return;
                    if (state == State.CLOSING) {
                        code = closeCode;
                        reason = closeReason;
                        break;
                    }
                    m = take();
                } finally {
                    lock.unlock();
                }
                sink.deliver(m, m.view()); // may block for as long as the subscriber takes: only this thread waits
                hub.delivered(policy.overflow(), m);
                delivered++; // this thread is the only writer; last, so a reader of it sees the hub's counts too
            }
            sink.close(code, reason);
        } catch (IOException e) {
            // The subscriber's connection is gone (or closing): nothing left to send to.
        } catch (InterruptedException e) {
            // Nobody interrupts senders; if someone does, the subscription ends like a close().
        } catch (RuntimeException e) {
            // A broken sink: end this subscription only, and say why.
            LOG.log(Level.WARNING, "hub sink " + sink + " failed on topic " + topic + "; unsubscribed", e);
        } finally {
            lock.lock();
            try {
                state = State.CLOSED;
                clear();
            } finally {
                lock.unlock();
            }
            hub.detach(this);
            hub.senderEnded();
        }
    }

    @Override
    public String toString() {
        return "Subscription[" + topic + ", " + policy.overflow().queryName() + " " + ring.length + ", " + sink + "]";
    }
}
