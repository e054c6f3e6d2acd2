package dev.streamlab.websocket.hub;

import static dev.streamlab.websocket.hub.HubTestServer.await;
import static dev.streamlab.websocket.hub.HubTestServer.message;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.websocket.WsCloseCodes;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A subscriber that stops reading, over real sockets: a client with a 4 KiB receive buffer that reads nothing
 * while the server publishes 120 messages of 256 KiB (30 MiB) to it and to three fast subscribers. The kernel
 * buffers take a few MiB at most (the server's send buffer grows toward {@code tcp_wmem}'s 4 MiB ceiling here), so
 * the stalled subscriber's sender ends up blocked in a socket write and its 8-message queue overflows. Checked: every publish returns at once, the fast subscribers get all 120 messages in
 * order within a bounded wait, and the stalled one gets its policy once it reads again.
 *
 * <p>Messages: {@code seq} 0–119, every 4th marked (a "run" of 4, shorter than the stalled queue, so a whole run
 * fits and skip-to-marked has something to resume at).
 */
class StalledSubscriberTest {
    static final int MESSAGES = 120;
    static final int SIZE = 256 * 1024;
    static final int MARK_EVERY = 4;
    static final int STALLED_QUEUE = 8;
    static final Duration WAIT = Duration.ofSeconds(20);
    static Phase3Server server;
    Hub hub;
    final List<TopicClient> fast = new ArrayList<>();
    TopicClient stalled;

    @BeforeAll
    static void start() throws IOException {
        server = HubTestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void newHub() {
        hub = new Hub();
        server.setUpgradeHandler(HubTestServer.topics(hub));
    }

    @AfterEach
    void closeClients() throws Exception {
        for (TopicClient c : fast) c.close();
        if (stalled != null) stalled.close();
        assertTrue(await(() -> hub.subscriberCount() == 0 && hub.senderThreads() == 0, WAIT), "subscribers left");
    }

    static boolean marked(long seq) {
        return seq % MARK_EVERY == 0;
    }

    /** Connects 3 fast subscribers and the stalled one (policy from {@code query}), publishes, checks the fast ones. */
    void publishPastAStalledSubscriber(String query) throws Exception {
        for (int i = 0; i < 3; i++) fast.add(TopicClient.connect(server, "/ws/topic/live?queue=256").startReading());
        stalled = TopicClient.connect(server, "/ws/topic/live?queue=" + STALLED_QUEUE + "&" + query, 4096);
        assertTrue(await(() -> hub.subscribers("live") == 4, WAIT));

        long start = System.nanoTime();
        long slowest = 0;
        for (int i = 0; i < MESSAGES; i++) {
            HubMessage m = message(i, SIZE, marked(i));
            long t = System.nanoTime();
            hub.publish("live", m);
            slowest = Math.max(slowest, System.nanoTime() - t);
        }
        long published = System.nanoTime();
        for (TopicClient c : fast) assertTrue(await(() -> c.count() == MESSAGES, WAIT), c.count() + " of " + MESSAGES);
        long received = System.nanoTime();
        System.out.printf("%s: %d publishes in %.1f ms (slowest %.2f ms); 3 fast subscribers had all %d MiB %.0f ms"
                        + " after the last publish; stalled: %d received so far%n", query,
                MESSAGES, (published - start) / 1e6, slowest / 1e6, MESSAGES * SIZE >> 20, (received - published) / 1e6,
                stalled.count());
        // A publish that waited for the stalled socket would wait for its 30 s write-stall timeout.
        assertTrue(slowest < 1_000_000_000L, "a publish took " + slowest / 1_000_000 + " ms");
        long[] all = LongStream.range(0, MESSAGES).toArray();
        for (TopicClient c : fast) {
            assertArrayEquals(all, c.seqs());
            assertTrue(c.got.stream().allMatch(TopicClient.Got::intact));
        }
    }

    @Test
    void dropOldestLeavesTheStalledSubscriberTheNewestMessages() throws Exception {
        publishPastAStalledSubscriber("policy=drop-oldest");
        PolicyStats st = hub.stats(Overflow.DROP_OLDEST);
        assertTrue(st.dropped() > 0, "the stalled queue overflowed");
        assertTrue(st.queueHighWater() >= STALLED_QUEUE && st.queueHighWater() <= 256, st.toString());
        stalled.startReading();
        assertTrue(await(() -> stalled.lastSeq() == MESSAGES - 1, WAIT));
        long[] got = stalled.seqs();
        assertTrue(got.length < MESSAGES, "some were dropped");
        System.out.println("drop-oldest, the stalled subscriber got " + Arrays.toString(got));
        for (int i = 1; i < got.length; i++) assertTrue(got[i] > got[i - 1], "in order");
        long[] newest = LongStream.range(MESSAGES - STALLED_QUEUE, MESSAGES).toArray();
        assertArrayEquals(newest, Arrays.copyOfRange(got, got.length - STALLED_QUEUE, got.length),
                "the queue held the newest " + STALLED_QUEUE);
        assertTrue(await(() -> hub.stats(Overflow.DROP_OLDEST).dropped() + stalled.count() == MESSAGES, WAIT),
                "each message delivered or dropped, once");
        assertTrue(stalled.got.stream().allMatch(TopicClient.Got::intact));
    }

    @Test
    void skipToMarkedResumesTheStalledSubscriberAtAMarkedMessage() throws Exception {
        publishPastAStalledSubscriber("policy=skip-to-marked");
        assertTrue(hub.stats(Overflow.SKIP_TO_LATEST_MARKED).skips() > 0, "the stalled queue overflowed");
        stalled.startReading();
        assertTrue(await(() -> stalled.lastSeq() == MESSAGES - 1, WAIT));
        long[] got = stalled.seqs();
        System.out.println("skip-to-marked, the stalled subscriber got " + Arrays.toString(got));
        int gaps = 0;
        for (int i = 1; i < got.length; i++) {
            assertTrue(got[i] > got[i - 1], "in order");
            if (got[i] != got[i - 1] + 1) {
                gaps++;
                assertTrue(marked(got[i]), "after the gap " + got[i - 1] + " → " + got[i] + ": not a marked message");
                assertTrue(stalled.got.get(i).marked(), "the mark travelled with the message");
            }
        }
        assertTrue(gaps > 0, "the stalled subscriber missed something");
        assertTrue(await(() -> {
            PolicyStats st = hub.stats(Overflow.SKIP_TO_LATEST_MARKED);
            return st.dropped() + st.delivered() == MESSAGES;
        }, WAIT));
    }

    @Test
    void disconnectClosesTheStalledSubscriberWith1008AndAReason() throws Exception {
        publishPastAStalledSubscriber("policy=disconnect");
        assertDisconnected(WsCloseCodes.POLICY_VIOLATION);
    }

    @Test
    void disconnectCanCloseWith1013TryAgainLater() throws Exception {
        publishPastAStalledSubscriber("policy=disconnect&close=1013");
        assertDisconnected(WsCloseCodes.TRY_AGAIN_LATER);
    }

    private void assertDisconnected(int code) throws Exception {
        assertEquals(1, hub.stats(Overflow.DISCONNECT).disconnects());
        assertEquals(3, hub.subscribers("live"), "out of the topic as soon as it overflowed");
        stalled.startReading();
        assertTrue(await(() -> stalled.closeCode != -1, WAIT), "no Close frame");
        assertEquals(code, stalled.closeCode);
        assertEquals("too slow for topic live: queue of " + STALLED_QUEUE + " messages full", stalled.closeReason);
        long[] got = stalled.seqs();
        System.out.println("disconnect, the stalled subscriber got " + Arrays.toString(got) + " then "
                + stalled.closeCode + " '" + stalled.closeReason + "'");
        assertArrayEquals(LongStream.range(0, got.length).toArray(), got, "what it got before the Close, no gaps");
        assertEquals(STALLED_QUEUE + 1, hub.stats(Overflow.DISCONNECT).dropped(), "the queue and the message too many");
    }
}
