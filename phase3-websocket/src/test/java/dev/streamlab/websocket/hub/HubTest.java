package dev.streamlab.websocket.hub;

import static dev.streamlab.websocket.hub.HubTestServer.await;
import static dev.streamlab.websocket.hub.HubTestServer.message;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.websocket.WsCloseCodes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The hub with in-memory sinks: fan-out, order, a publisher that never waits, ends of subscriptions. */
class HubTest {
    static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void everySubscriberGetsEveryMessageInPublishOrder() throws InterruptedException {
        Hub hub = new Hub();
        List<GateSink> sinks = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            GateSink s = GateSink.open();
            sinks.add(s);
            hub.subscribe("news", s, QueuePolicy.dropOldest(1000));
        }
        for (int i = 0; i < 1000; i++) assertEquals(20, hub.publish("news", message(i, 32, false)));
        long[] all = LongStream.range(0, 1000).toArray();
        for (GateSink s : sinks) {
            assertTrue(await(() -> s.views.size() == 1000, WAIT));
            assertArrayEquals(all, s.seqs());
        }
        assertTrue(await(() -> hub.stats(Overflow.DROP_OLDEST).delivered() == 20_000, WAIT));
        assertEquals(0, hub.stats(Overflow.DROP_OLDEST).dropped());
    }

    @Test
    void concurrentPublishersStillGiveEverySubscriberTheSameOrder() throws InterruptedException {
        Hub hub = new Hub();
        List<GateSink> sinks = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            GateSink s = GateSink.open();
            sinks.add(s);
            hub.subscribe("news", s, QueuePolicy.dropOldest(4096));
        }
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> publishers = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            long base = p * 1000L;
            publishers.add(Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 500; i++) hub.publish("news", message(base + i, 16, false));
            }));
        }
        go.countDown();
        for (Thread t : publishers) t.join();
        for (GateSink s : sinks) assertTrue(await(() -> s.views.size() == 2000, WAIT));
        long[] first = sinks.get(0).seqs();
        for (GateSink s : sinks) assertArrayEquals(first, s.seqs(), "one order per topic");
    }

    @Test
    void aStalledSubscriberNeverMakesThePublisherOrTheOthersWait() throws InterruptedException {
        Hub hub = new Hub();
        GateSink stalled = GateSink.closed(); // its sender blocks in deliver for good, like a socket nobody reads
        GateSink fast = GateSink.open();
        hub.subscribe("live", stalled, QueuePolicy.dropOldest(8));
        hub.subscribe("live", fast, QueuePolicy.dropOldest(4096));
        long start = System.nanoTime();
        hub.publish("live", message(0, 1024, false));
        stalled.awaitInFlight();
        for (int i = 1; i < 4000; i++) hub.publish("live", message(i, 1024, false));
        long publishMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(await(() -> fast.views.size() == 4000, WAIT), fast.views.size() + " of 4000");
        assertTrue(publishMillis < 5_000, "4000 publishes took " + publishMillis + " ms");
        assertEquals(0, stalled.views.size());
        assertEquals(4000 - 1 - 8, hub.stats(Overflow.DROP_OLDEST).dropped(), "one in flight, 8 queued");
        stalled.openGate();
    }

    @Test
    void aSubscriberDoesNotReceiveWhatItPublishes() throws InterruptedException {
        Hub hub = new Hub();
        GateSink a = GateSink.open();
        GateSink b = GateSink.open();
        Subscription sa = hub.subscribe("chat", a, QueuePolicy.DEFAULT);
        hub.subscribe("chat", b, QueuePolicy.DEFAULT);
        assertEquals(1, hub.publish("chat", message(1, 16, true), sa));
        assertEquals(2, hub.publish("chat", message(2, 16, true)));
        assertTrue(await(() -> b.views.size() == 2 && a.views.size() == 1, WAIT));
        assertArrayEquals(new long[] {2}, a.seqs());
    }

    @Test
    void publishingToATopicNobodyFollowsReachesNoOne() {
        Hub hub = new Hub();
        assertEquals(0, hub.publish("nobody", message(1, 16, false)));
        assertEquals(0, hub.topicCount());
        assertEquals(1, hub.published());
    }

    @Test
    void closingASubscriptionRemovesItAndThenItsEmptyTopicAndEndsItsThread() throws InterruptedException {
        Hub hub = new Hub();
        Subscription a = hub.subscribe("x", GateSink.open(), QueuePolicy.DEFAULT);
        Subscription b = hub.subscribe("x", GateSink.open(), QueuePolicy.DEFAULT);
        assertEquals(1, hub.topicCount());
        assertEquals(2, hub.subscribers("x"));
        a.close();
        a.close(); // idempotent
        assertEquals(1, hub.subscribers("x"));
        b.close();
        assertEquals(0, hub.topicCount());
        assertTrue(await(() -> hub.senderThreads() == 0, WAIT));
        assertFalse(a.isOpen());
    }

    @Test
    void aSinkThatFailsEndsOnlyItsOwnSubscription() throws InterruptedException {
        Hub hub = new Hub();
        GateSink ok = GateSink.open();
        hub.subscribe("x", (m, view) -> {
            throw new IOException("connection reset");
        }, QueuePolicy.DEFAULT);
        hub.subscribe("x", (m, view) -> {
            throw new IllegalStateException("a bug in a sink");
        }, QueuePolicy.DEFAULT);
        hub.subscribe("x", ok, QueuePolicy.DEFAULT);
        hub.publish("x", message(1, 16, false));
        assertTrue(await(() -> hub.subscribers("x") == 1, WAIT));
        hub.publish("x", message(2, 16, false));
        assertTrue(await(() -> ok.views.size() == 2, WAIT));
        assertTrue(await(() -> hub.senderThreads() == 1, WAIT));
    }

    @Test
    void closingTheHubClosesEverySubscriberWith1001AndRefusesNewOnes() throws InterruptedException {
        Hub hub = new Hub();
        GateSink a = GateSink.open();
        GateSink b = GateSink.open();
        hub.subscribe("x", a, QueuePolicy.DEFAULT);
        hub.subscribe("y", b, QueuePolicy.skipToLatestMarked(4));
        hub.close();
        assertTrue(await(() -> a.closeCode == WsCloseCodes.GOING_AWAY && b.closeCode == WsCloseCodes.GOING_AWAY, WAIT));
        assertTrue(await(() -> hub.senderThreads() == 0 && hub.topicCount() == 0, WAIT));
        assertThrows(IllegalStateException.class, () -> hub.subscribe("x", GateSink.open(), QueuePolicy.DEFAULT));
    }

    @Test
    void topicNamesAreOneToSixtyFourLowercaseLettersDigitsOrDashes() {
        for (String ok : new String[] {"a", "news", "cam-1", "0", "-", "a".repeat(64)}) {
            assertTrue(Hub.isValidTopic(ok), ok);
        }
        for (String bad : new String[] {"", "a".repeat(65), "News", "a_b", "a/b", "a b", "é", "a.b", "%41"}) {
            assertFalse(Hub.isValidTopic(bad), bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Hub().subscribe(bad, GateSink.open(), QueuePolicy.DEFAULT));
            assertTrue(e.getMessage().startsWith("bad topic name"), e.getMessage());
        }
        assertFalse(Hub.isValidTopic(null));
    }

    @Test
    void textMessagesMustBeValidUtf8() {
        byte[] bad = {(byte) 0xC3, (byte) 0x28};
        assertThrows(IllegalArgumentException.class, () -> HubMessage.text(ByteBuffer.wrap(bad), false));
        HubMessage ok = HubMessage.text("héllo");
        assertTrue(ok.isText() && ok.marked() && ok.isDirect());
        assertEquals(6, ok.length());
    }
}
