package dev.streamlab.websocket.hub;

import static dev.streamlab.websocket.hub.HubTestServer.await;
import static dev.streamlab.websocket.hub.HubTestServer.message;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.websocket.WsCloseCodes;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each overflow policy, message by message, without sockets: the subscriber's sink holds message 0 "in flight" at a
 * gate, so every later message meets a queue the test can predict; then the gate opens and the test reads what the
 * subscriber got. (The socket version, with a client that really stops reading, is {@code StalledSubscriberTest}.)
 */
class OverflowPolicyTest {
    static final Duration WAIT = Duration.ofSeconds(10);

    /**
     * Subscribes a held sink, puts message 0 in flight, publishes 1..last, opens the gate, and waits until exactly
     * {@code expected} messages were delivered and nothing is left queued.
     */
    static GateSink run(Hub hub, QueuePolicy policy, long last, LongPredicate marked, int expected)
            throws InterruptedException {
        return run(hub, policy, 64, last, marked, expected);
    }

    /** {@link #run} with messages of {@code size} bytes. */
    static GateSink run(Hub hub, QueuePolicy policy, int size, long last, LongPredicate marked, int expected)
            throws InterruptedException {
        GateSink sink = GateSink.closed();
        Subscription s = hub.subscribe("t", sink, policy);
        hub.publish("t", message(0, size, marked.test(0)));
        sink.awaitInFlight();
        for (long i = 1; i <= last; i++) hub.publish("t", message(i, size, marked.test(i)));
        sink.openGate();
        assertTrue(await(() -> s.delivered() == expected && s.queued() == 0, WAIT),
                s.delivered() + " delivered, " + s.queued() + " queued");
        return sink;
    }

    @Test
    void dropOldestKeepsTheNewestMessagesOnceTheQueueIsFull() throws InterruptedException {
        Hub hub = new Hub();
        GateSink sink = run(hub, QueuePolicy.dropOldest(4), 10, i -> false, 5);
        assertArrayEquals(new long[] {0, 7, 8, 9, 10}, sink.seqs());
        PolicyStats st = hub.stats(Overflow.DROP_OLDEST);
        assertEquals(6, st.dropped());
        assertEquals(0, st.skips());
        assertEquals(4, st.queueHighWater());
        assertEquals(5, st.delivered());
    }

    /** 5 MiB: three fit in {@link #bounded}'s 16 MiB of queue, a fourth does not, whatever the queue's count. */
    static final int BIG = 5 << 20;

    /** A hub whose queues hold at most 16 MiB of messages (the default, 64 MiB, the same way at four times this). */
    static Hub bounded() {
        return new Hub(HubEvents.NONE, 16 << 20);
    }

    @Test
    void dropOldestAlsoKeepsTheQueueUnderItsByteBound() throws InterruptedException {
        // A queue of 4,096 slots behind a stalled subscriber once kept every 16 MiB message alive: 64 GiB.
        Hub hub = bounded();
        GateSink sink = run(hub, QueuePolicy.dropOldest(QueuePolicy.MAX_CAPACITY), BIG, 10, i -> false, 4);
        assertArrayEquals(new long[] {0, 8, 9, 10}, sink.seqs());
        assertEquals(7, hub.stats(Overflow.DROP_OLDEST).dropped());
        assertEquals(3, hub.stats(Overflow.DROP_OLDEST).queueHighWater());
    }

    @Test
    void skipToMarkedCountsTheByteBoundAsFullToo() throws InterruptedException {
        // Marks on even numbers: 1, [2], 3 fill 15 MiB; [4] overflows (20 > 16): start over at it; 5, [6] fit.
        Hub hub = bounded();
        GateSink sink = run(hub, QueuePolicy.skipToLatestMarked(QueuePolicy.MAX_CAPACITY), BIG, 6, i -> i % 2 == 0,
                4);
        assertArrayEquals(new long[] {0, 4, 5, 6}, sink.seqs());
        assertEquals(3, hub.stats(Overflow.SKIP_TO_LATEST_MARKED).dropped());
    }

    @Test
    void disconnectSaysWhichBoundTheQueuePassed() throws InterruptedException {
        Hub hub = bounded();
        GateSink sink = GateSink.closed();
        hub.subscribe("t", sink, QueuePolicy.disconnect(QueuePolicy.MAX_CAPACITY, WsCloseCodes.POLICY_VIOLATION));
        hub.publish("t", message(0, BIG, false));
        sink.awaitInFlight();
        for (int i = 1; i <= 4; i++) hub.publish("t", message(i, BIG, false)); // the 4th passes 16 MiB
        sink.openGate();
        assertTrue(await(() -> sink.closeCode != -1, WAIT));
        assertEquals("too slow for topic t: queue of messages over 16 MiB", sink.closeReason);
        assertEquals(4, hub.stats(Overflow.DISCONNECT).dropped());
    }

    @Test
    void skipToMarkedCutsTheQueueAtTheNewestQueuedMark() throws InterruptedException {
        // Marks every 3rd: 1 2 [3] 4 → 5 overflows: cut to [3] 4 5; 6 fits; 7 overflows: [6] 7; 8, [9] fit; 10: [9] 10.
        Hub hub = new Hub();
        GateSink sink = run(hub, QueuePolicy.skipToLatestMarked(4), 10, i -> i % 3 == 0, 3);
        assertArrayEquals(new long[] {0, 9, 10}, sink.seqs());
        PolicyStats st = hub.stats(Overflow.SKIP_TO_LATEST_MARKED);
        assertEquals(3, st.skips());
        assertEquals(8, st.dropped());
    }

    @Test
    void skipToMarkedDropsARunLongerThanTheQueueAndWaitsForTheNextMark() throws InterruptedException {
        // Marks every 6th, queue of 4: no run fits whole, so each overflow waits for the next mark.
        Hub hub = new Hub();
        GateSink sink = run(hub, QueuePolicy.skipToLatestMarked(4), 13, i -> i % 6 == 0, 3);
        assertArrayEquals(new long[] {0, 12, 13}, sink.seqs());
        PolicyStats st = hub.stats(Overflow.SKIP_TO_LATEST_MARKED);
        assertEquals(2, st.skips());
        assertEquals(11, st.dropped()); // 1-5, 7-11: every message not delivered
    }

    @Test
    void skipToMarkedStartsOverAtAMarkArrivingOnAFullQueue() throws InterruptedException {
        Hub hub = new Hub();
        GateSink sink = run(hub, QueuePolicy.skipToLatestMarked(4), 5, i -> i % 5 == 0, 2);
        assertArrayEquals(new long[] {0, 5}, sink.seqs());
        assertEquals(4, hub.stats(Overflow.SKIP_TO_LATEST_MARKED).dropped());
    }

    /** Random marks, a sink that stalls at random: whatever is lost, a gap always ends at a marked message. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void skipToMarkedNeverResumesInTheMiddleOfARun(long seed) throws InterruptedException {
        SplittableRandom r = new SplittableRandom(seed);
        int runMax = 1 + r.nextInt(8);
        int capacity = 1 + r.nextInt(8);
        boolean[] marks = new boolean[2000];
        for (int i = 0, left = 0; i < marks.length; i++, left--) {
            if (left <= 0) {
                marks[i] = true;
                left = 1 + r.nextInt(runMax);
            }
        }
        AtomicLong stallUntil = new AtomicLong();
        SplittableRandom sinkRandom = new SplittableRandom(seed * 31);
        GateSink sink = GateSink.open();
        HubSink slow = (m, view) -> {
            if (sinkRandom.nextInt(50) == 0) stallUntil.set(System.nanoTime() + 2_000_000); // now and then: 2 ms
            while (System.nanoTime() < stallUntil.get()) Thread.onSpinWait();
            sink.deliver(m, view);
        };
        Hub hub = new Hub();
        Subscription s = hub.subscribe("t", slow, QueuePolicy.skipToLatestMarked(capacity));
        for (int i = 0; i < marks.length; i++) {
            hub.publish("t", message(i, 16, marks[i]));
            if (r.nextInt(20) == 0) Thread.sleep(1);
        }
        assertTrue(await(() -> s.queued() == 0 && s.delivered() + s.dropped() == marks.length, WAIT),
                s.delivered() + " delivered + " + s.dropped() + " dropped");
        long[] got = sink.seqs();
        for (int i = 1; i < got.length; i++) {
            assertTrue(got[i] > got[i - 1], "order at " + i);
            if (got[i] != got[i - 1] + 1) {
                assertTrue(marks[(int) got[i]], "after a gap " + got[i - 1] + " → " + got[i] + " (not marked)");
            }
        }
        assertTrue(got.length == 0 || got[0] == 0 || marks[(int) got[0]]);
        System.out.printf("seed %d: capacity %d, runs ≤ %d: %d delivered, %d dropped, %d skips%n", seed, capacity,
                runMax, s.delivered(), s.dropped(), s.skips());
    }

    @Test
    void disconnectClosesWith1008AndAReasonAndLeavesTheTopicAtOnce() throws InterruptedException {
        Hub hub = new Hub();
        GateSink other = GateSink.open();
        hub.subscribe("t", other, QueuePolicy.dropOldest(64));
        GateSink sink = GateSink.closed();
        Subscription s = hub.subscribe("t", sink, QueuePolicy.disconnect(4, WsCloseCodes.POLICY_VIOLATION));
        hub.publish("t", message(0, 64, false));
        sink.awaitInFlight();
        for (int i = 1; i <= 4; i++) assertEquals(2, hub.publish("t", message(i, 64, false)));
        assertEquals(2, hub.subscribers("t"));
        hub.publish("t", message(5, 64, false)); // the queue holds 1-4: overflow
        assertEquals(1, hub.subscribers("t"), "removed by the publish that overflowed it");
        assertTrue(!s.isOpen());
        assertEquals(1, hub.publish("t", message(6, 64, false)));
        sink.openGate();
        assertTrue(await(() -> sink.closeCode != -1, WAIT));
        assertEquals(WsCloseCodes.POLICY_VIOLATION, sink.closeCode);
        assertEquals("too slow for topic t: queue of 4 messages full", sink.closeReason);
        assertArrayEquals(new long[] {0}, sink.seqs(), "only the message in flight");
        assertTrue(await(() -> other.views.size() == 7, WAIT));
        PolicyStats st = hub.stats(Overflow.DISCONNECT);
        assertEquals(1, st.disconnects());
        assertEquals(5, st.dropped()); // 1-4 queued, 5 arriving
        assertTrue(await(() -> hub.senderThreads() == 1, WAIT), "the disconnected sender ended");
    }

    @Test
    void disconnectCanSay1013TryAgainLater() throws InterruptedException {
        Hub hub = new Hub();
        GateSink sink = GateSink.closed();
        hub.subscribe("t", sink, QueuePolicy.disconnect(1, WsCloseCodes.TRY_AGAIN_LATER));
        hub.publish("t", message(0, 64, false));
        sink.awaitInFlight();
        hub.publish("t", message(1, 64, false));
        hub.publish("t", message(2, 64, false));
        sink.openGate();
        assertTrue(await(() -> sink.closeCode != -1, WAIT));
        assertEquals(WsCloseCodes.TRY_AGAIN_LATER, sink.closeCode);
        assertEquals(0, hub.topicCount());
        assertTrue(await(() -> hub.senderThreads() == 0, WAIT));
    }

    @Test
    void countersAreKeptPerPolicy() throws InterruptedException {
        Hub hub = new Hub();
        GateSink drop = GateSink.closed();
        GateSink skip = GateSink.closed();
        GateSink fast = GateSink.open();
        hub.subscribe("t", drop, QueuePolicy.dropOldest(2));
        hub.subscribe("t", skip, QueuePolicy.skipToLatestMarked(3));
        hub.subscribe("t", fast, QueuePolicy.disconnect(100, WsCloseCodes.POLICY_VIOLATION));
        hub.publish("t", message(0, 100, true));
        drop.awaitInFlight();
        skip.awaitInFlight();
        for (int i = 1; i < 10; i++) hub.publish("t", message(i, 100, i % 2 == 0));
        drop.openGate();
        skip.openGate();
        assertTrue(await(() -> hub.stats(Overflow.DROP_OLDEST).delivered() == 3, WAIT)); // 0, 8, 9
        assertTrue(await(() -> hub.stats(Overflow.SKIP_TO_LATEST_MARKED).delivered() == 3, WAIT)); // 0, [8], 9
        assertTrue(await(() -> hub.stats(Overflow.DISCONNECT).delivered() == 10, WAIT));
        assertEquals(new PolicyStats(3, 300, 7, 0, 0, 2), hub.stats(Overflow.DROP_OLDEST));
        // Queue of 3, marks on even numbers: 1 [2] 3 | [4] arrives: [4] | 5 [6] | 7: [6] 7 | [8] | 9: [8] 9.
        assertEquals(new PolicyStats(3, 300, 7, 3, 0, 3), hub.stats(Overflow.SKIP_TO_LATEST_MARKED));
        assertArrayEquals(new long[] {0, 8, 9}, skip.seqs());
        PolicyStats f = hub.stats(Overflow.DISCONNECT);
        assertEquals(new PolicyStats(10, 1000, 0, 0, 0, f.queueHighWater()), f);
        assertTrue(f.queueHighWater() >= 1 && f.queueHighWater() <= 10, f.toString()); // its sender may start late
        assertEquals(10, hub.published());
    }
}
