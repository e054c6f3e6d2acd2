package dev.streamlab.websocket.hub;

import static dev.streamlab.websocket.hub.HubTestServer.await;
import static dev.streamlab.websocket.hub.HubTestServer.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.phase3.Phase3Server;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No leaks: 1,000 in-process subscribe/unsubscribe cycles and 10,000 WebSocket connect/subscribe/disconnect cycles
 * (issue 4's count) leave no subscriber, topic, sender thread, connection thread, descriptor or platform thread.
 */
class HubCleanupTest {
    static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void aThousandSubscribeCloseCyclesLeaveNothingBehind() throws InterruptedException {
        Hub hub = new Hub();
        int threads = Thread.activeCount();
        for (int i = 0; i < 1000; i++) {
            String topic = "cycle-" + (i % 10);
            Subscription s = hub.subscribe(topic, GateSink.open(), QueuePolicy.skipToLatestMarked(4));
            hub.publish(topic, message(i, 64, true));
            if (i % 3 == 0) s.close(); // a third close at once; the rest pile up, then close below
            if (i % 3 != 0 && i % 7 == 0) hub.subscribe("other", GateSink.open(), QueuePolicy.DEFAULT).close();
        }
        assertTrue(hub.subscriberCount() > 0);
        hub.close(); // the rest, through the hub's 1001
        assertTrue(await(() -> hub.senderThreads() == 0, WAIT), hub.senderThreads() + " sender threads");
        assertEquals(0, hub.subscriberCount());
        assertEquals(0, hub.topicCount());
        assertTrue(Thread.activeCount() - threads < 5, "platform threads " + threads + " → " + Thread.activeCount());
    }

    @Test
    void tenThousandWebSocketConnectSubscribeDisconnectCyclesLeaveNothingBehind() throws Exception {
        Phase3Server server = HubTestServer.start();
        Hub hub = new Hub();
        server.setUpgradeHandler(HubTestServer.topics(hub));
        try {
            for (int i = 0; i < 50; i++) TopicClient.connect(server, "/ws/topic/warm-up").close();
            awaitQuiet(server, hub);
            long fds = fds();
            int threads = Thread.activeCount();
            long subscribedBefore = hub.subscriptionsOpened();
            int cycles = 10_000;
            for (int i = 0; i < cycles; i++) {
                String path = "/ws/topic/cycle-" + (i % 10) + (i % 3 == 0 ? "?policy=skip-to-marked&queue=4" : "");
                try (TopicClient c = TopicClient.connect(server, path)) {
                    if (i % 2 == 0) c.socket.setSoLinger(true, 0); // half of them reset instead of closing
                    if (i % 5 == 0) c.send(false, new byte[] {1, 2, 3}); // and some publish before leaving
                }
            }
            awaitQuiet(server, hub);
            // Every connection got its 101 before it closed, and opened() subscribes before the read loop starts.
            assertEquals(cycles, hub.subscriptionsOpened() - subscribedBefore);
            assertTrue(fds() - fds < 20, "descriptors " + fds + " → " + fds());
            assertTrue(Thread.activeCount() - threads < 10, "platform threads " + threads + " → " + Thread.activeCount());
        } finally {
            server.close();
        }
    }

    /** Waits (bounded) until no connection, subscriber, topic or sender thread is left, and asserts it. */
    private static void awaitQuiet(Phase3Server server, Hub hub) throws InterruptedException {
        await(() -> server.openConnections() == 0 && hub.subscriberCount() == 0 && hub.topicCount() == 0
                && hub.senderThreads() == 0, WAIT);
        assertEquals(0, server.openConnections(), "connections left open");
        assertEquals(0, hub.subscriberCount(), "subscribers left");
        assertEquals(0, hub.topicCount(), "topics left");
        assertEquals(0, hub.senderThreads(), "sender threads left");
    }

    private static long fds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }
}
