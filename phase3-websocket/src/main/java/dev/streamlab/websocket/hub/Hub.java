package dev.streamlab.websocket.hub;

import dev.streamlab.websocket.WsCloseCodes;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Issue 4's broadcast hub: named topics, each with subscribers; a message published to a topic goes to every
 * subscriber of it, each through its own bounded send queue drained by its own virtual thread
 * ({@link Subscription}). A subscriber that reads slowly fills only its own queue, and its {@link Overflow} policy
 * decides what it misses; the publisher and the other subscribers never wait for it.
 *
 * {@snippet :
 * Hub hub = new Hub();
 * hub.subscribe("news", HubSink.of(connection), QueuePolicy.skipToLatestMarked(32));
 * hub.publish("news", HubMessage.binary(segment, true)); // marked: a subscriber may resume here after a gap
 * }
 *
 * <p><b>Copies per published byte: none per subscriber.</b> A message is one buffer; each subscriber gets a
 * {@code duplicate()} of it (a ~50-byte view object), taken by its sender thread, and a WebSocket subscriber writes
 * that view as the payload half of one gathering write ({@link dev.streamlab.websocket.server.WsConnection}). The
 * publisher's cost per subscriber is a few stores into a preallocated ring. Copies from publisher to socket, in
 * user space: 0 for a direct buffer published with {@link HubMessage#binary}; 1 per message for what a WebSocket
 * client publishes ({@link HubMessage#copyOf}, out of the session's reused read buffer into a direct one); plus,
 * for a <em>heap</em> buffer only, 1 per subscriber inside the JDK (a socket write copies a heap buffer into a
 * temporary direct buffer). Shown by {@link #copiedBytes()} and {@link #heapDeliveredBytes()} against
 * {@link #deliveredBytes()} ({@code streamlab_ws_hub_copies_per_byte} at {@code /metrics}), by
 * {@code HubZeroCopyTest} (the views share the publisher's memory; bytes allocated per publish do not grow with the
 * payload) and by {@code HubFanoutBenchmark} ({@code -prof gc}: bytes per publish, views against a copy per
 * subscriber).
 *
 * <p><b>Order.</b> Publishes to one topic are serialized by a per-topic lock (a few microseconds per subscriber),
 * so every subscriber of a topic sees its messages in the same order, gaps aside.
 *
 * <p><b>Cleanup.</b> A subscription that ends leaves its topic at once; a topic without subscribers is removed
 * ({@link #topicCount()}); each sender thread ends with its subscription ({@link #senderThreads()}).
 */
public final class Hub implements AutoCloseable {
    /** Topic names: what fits in a URL path segment without escaping, and in a Close reason. */
    public static final int MAX_TOPIC_LENGTH = 64;
    private static final Subscription[] NONE = new Subscription[0];

    /** One topic: its subscribers (copy-on-write, so publishing iterates without allocating) and its publish lock. */
    private static final class Topic {
        final ReentrantLock publishing = new ReentrantLock();
        volatile Subscription[] subscribers = NONE;
    }

    /** The hub's own counters for one policy. */
    private static final class Counters {
        final LongAdder delivered = new LongAdder();
        final LongAdder deliveredBytes = new LongAdder();
        final LongAdder dropped = new LongAdder();
        final LongAdder skips = new LongAdder();
        final LongAdder disconnects = new LongAdder();
        final AtomicInteger highWater = new AtomicInteger();
    }

    private final HubEvents events;
    private final ConcurrentHashMap<String, Topic> topics = new ConcurrentHashMap<>();
    private final Counters[] byPolicy = new Counters[Overflow.values().length];
    private final AtomicInteger senders = new AtomicInteger();
    private final LongAdder published = new LongAdder();
    private final LongAdder copied = new LongAdder();
    private final LongAdder heapDelivered = new LongAdder();
    private final LongAdder subscribed = new LongAdder();
    private volatile boolean closed;

    /**
     * A subscriber's queue is also full at this many bytes of messages, whatever its count ({@link Subscription}): a
     * slot is a reference, but it keeps its message alive, and 4,096 slots of 16 MiB messages behind a subscriber
     * that stopped reading were 64 GiB. 64 MiB holds the deepest queue the tests and benchmarks use (256 messages of
     * 256 KiB).
     */
    public static final long DEFAULT_MAX_QUEUED_BYTES = 64 << 20;

    private final long maxQueuedBytes;

    /** A hub that keeps its counters to itself ({@link #stats}). */
    public Hub() {
        this(HubEvents.NONE);
    }

    /** A hub that also reports to {@code events} (phase 3's {@code /metrics}). */
    public Hub(HubEvents events) {
        this(events, DEFAULT_MAX_QUEUED_BYTES);
    }

    /** @param maxQueuedBytes the bytes of messages a subscriber's queue holds at most (an empty one takes any) */
    public Hub(HubEvents events, long maxQueuedBytes) {
        this.events = Objects.requireNonNull(events, "events");
        if (maxQueuedBytes < 1) throw new IllegalArgumentException("maxQueuedBytes " + maxQueuedBytes);
        this.maxQueuedBytes = maxQueuedBytes;
        for (int i = 0; i < byPolicy.length; i++) byPolicy[i] = new Counters();
    }

    /**
     * Subscribes {@code sink} to {@code topic} (created if new) and starts its sender thread.
     *
     * @throws IllegalArgumentException for a topic name outside {@code [a-z0-9-]{1,64}}
     * @throws IllegalStateException    when the hub is closed
     */
    public Subscription subscribe(String topic, HubSink sink, QueuePolicy policy) {
        String problem = topicNameProblem(topic);
        if (problem != null) throw new IllegalArgumentException(problem);
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(policy, "policy");
        if (closed) throw new IllegalStateException("the hub is closed");
        Subscription s = new Subscription(this, topic, policy, sink, maxQueuedBytes);
        topics.compute(topic, (name, t) -> {
            Topic to = t == null ? new Topic() : t;
            Subscription[] old = to.subscribers;
            Subscription[] grown = Arrays.copyOf(old, old.length + 1);
            grown[old.length] = s;
            to.subscribers = grown;
            return to;
        });
        subscribed.increment();
        senders.incrementAndGet();
        try {
            Thread.ofVirtual().name("hub-sender-" + topic).start(s::run);
        } catch (RuntimeException | Error e) {
            senders.decrementAndGet();
            detach(s);
            throw e;
        }
        if (closed) s.disconnect(WsCloseCodes.GOING_AWAY, "the server is shutting down"); // raced with close()
        return s;
    }

    /** {@link #publish(String, HubMessage, Subscription)} to every subscriber. */
    public int publish(String topic, HubMessage message) {
        return publish(topic, message, null);
    }

    /**
     * Queues {@code message} for every subscriber of {@code topic} except {@code except} (the publisher's own
     * subscription, when a subscriber publishes). Returns at once: it waits for no subscriber, only for a publish
     * to the same topic already in progress.
     *
     * @return how many subscribers it was offered to (a full queue may drop it, by that subscriber's policy)
     */
    public int publish(String topic, HubMessage message, Subscription except) {
        Objects.requireNonNull(message, "message");
        Topic t = topics.get(topic);
        int n = 0;
        if (t != null) {
            t.publishing.lock();
            try {
                for (Subscription s : t.subscribers) {
                    if (s == except) continue;
                    if (!s.offer(message)) detach(s); // overflowed a DISCONNECT queue: out of the topic now
                    n++;
                }
            } finally {
                t.publishing.unlock();
            }
        }
        published.increment();
        copied.add(message.copiedBytes());
        events.published(n, message.copiedBytes());
        return n;
    }

    /** Whether {@code name} is a valid topic name: 1 to 64 characters of {@code a-z}, {@code 0-9} and {@code -}. */
    public static boolean isValidTopic(String name) {
        return topicNameProblem(name) == null;
    }

    /** Why {@code name} is not a valid topic name (a sentence fit for a Close reason), or null when it is. */
    static String topicNameProblem(String name) {
        boolean ok = name != null && !name.isEmpty() && name.length() <= MAX_TOPIC_LENGTH;
        for (int i = 0; ok && i < name.length(); i++) {
            char c = name.charAt(i);
            ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        }
        if (ok) return null;
        String shown = name == null ? "null" : "'" + QueuePolicy.shorten(name) + "'";
        return "bad topic name " + shown + ": use 1-64 of a-z, 0-9 and -";
    }

    /** Topics with at least one subscriber. */
    public int topicCount() {
        return topics.size();
    }

    /** Subscribers over all topics. */
    public int subscriberCount() {
        int n = 0;
        for (Topic t : topics.values()) n += t.subscribers.length;
        return n;
    }

    /** Subscribers of {@code topic} now. */
    public int subscribers(String topic) {
        Topic t = topics.get(topic);
        return t == null ? 0 : t.subscribers.length;
    }

    /** Sender threads alive: one per subscription until it has fully ended. */
    public int senderThreads() {
        return senders.get();
    }

    /** Messages published, to any number of subscribers (0 included). */
    public long published() {
        return published.sum();
    }

    /** Subscriptions ever made. */
    public long subscriptionsOpened() {
        return subscribed.sum();
    }

    /** Bytes the hub copied to make messages ({@link HubMessage#copyOf}: once per message, never per subscriber). */
    public long copiedBytes() {
        return copied.sum();
    }

    /** Bytes handed to sinks, all policies. */
    public long deliveredBytes() {
        long n = 0;
        for (Counters c : byPolicy) n += c.deliveredBytes.sum();
        return n;
    }

    /** The part of {@link #deliveredBytes()} that came from heap buffers (a socket write copies those once more). */
    public long heapDeliveredBytes() {
        return heapDelivered.sum();
    }

    /** The counters of one policy, summed over every subscriber that used it. */
    public PolicyStats stats(Overflow policy) {
        Counters c = byPolicy[policy.ordinal()];
        return new PolicyStats(c.delivered.sum(), c.deliveredBytes.sum(), c.dropped.sum(), c.skips.sum(),
                c.disconnects.sum(), c.highWater.get());
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Refuses new subscriptions and closes every subscriber with 1001 (going away) once its write in progress is
     * done; their sender threads then end.
     */
    @Override
    public void close() {
        closed = true;
        for (Topic t : topics.values()) {
            for (Subscription s : t.subscribers) s.disconnect(WsCloseCodes.GOING_AWAY, "the server is shutting down");
        }
    }

    // Called by subscriptions.

    /** Takes {@code s} out of its topic, removing the topic when it was the last subscriber. Idempotent. */
    void detach(Subscription s) {
        topics.computeIfPresent(s.topic(), (name, t) -> {
            Subscription[] old = t.subscribers;
            int i = Arrays.asList(old).indexOf(s);
            if (i < 0) return t;
            Subscription[] left = new Subscription[old.length - 1];
            System.arraycopy(old, 0, left, 0, i);
            System.arraycopy(old, i + 1, left, i, old.length - i - 1);
            t.subscribers = left;
            return left.length == 0 ? null : t; // null removes the topic
        });
    }

    void senderEnded() {
        senders.decrementAndGet();
    }

    void delivered(Overflow policy, HubMessage m) {
        Counters c = byPolicy[policy.ordinal()];
        if (!m.isDirect()) heapDelivered.add(m.length());
        c.deliveredBytes.add(m.length());
        c.delivered.increment(); // last: whoever sees the count sees the bytes
        events.delivered(policy, m.length(), !m.isDirect());
    }

    void dropped(Overflow policy, int messages) {
        byPolicy[policy.ordinal()].dropped.add(messages);
        events.dropped(policy, messages);
    }

    void skipped(Overflow policy) {
        byPolicy[policy.ordinal()].skips.increment();
        events.skipped(policy);
    }

    void disconnected(Overflow policy) {
        byPolicy[policy.ordinal()].disconnects.increment();
        events.disconnected(policy);
    }

    /** A queue of this policy reached {@code depth}: raises the policy's high-water mark if that is a new maximum. */
    void queueDepth(Overflow policy, int depth) {
        AtomicInteger hw = byPolicy[policy.ordinal()].highWater;
        int previous;
        do {
            previous = hw.get();
            if (depth <= previous) return;
        } while (!hw.compareAndSet(previous, depth));
        events.queueHighWater(policy, previous, depth);
    }
}
