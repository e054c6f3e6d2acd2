package dev.streamlab.websocket.hub;

import static dev.streamlab.websocket.hub.HubTestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.websocket.WsCloseCodes;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Subscribing to a hub that is shutting down. {@link TopicEndpoint#opened} once asked {@link Hub#isClosed()} and then
 * called {@link Hub#subscribe}, which throws {@link IllegalStateException} if {@link Hub#close()} ran in between: that
 * exception left the session, the socket dropped with no Close frame (the client saw 1006) and a stack trace was
 * logged. The window was a few hundred nanoseconds (a gated stress test caught it only with a 2 ms pause put into
 * it); {@code opened} now has one path, subscribe and its refusal, so a client of a closed hub takes exactly the path
 * the racing client took, and this test covers it every time.
 */
class TopicShutdownTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static Phase3Server server;

    @BeforeAll
    static void start() throws IOException {
        server = HubTestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aClientOfAClosedHubGetsTryAgainLaterWithAReasonAndLeavesNothingBehind() throws Exception {
        Hub hub = new Hub();
        server.setUpgradeHandler(HubTestServer.topics(hub));
        hub.close();
        try (TopicClient c = TopicClient.connect(server, "/ws/topic/late").startReading()) {
            assertTrue(await(() -> c.ended || c.closeCode != -1, WAIT), "no Close, no end");
            assertEquals(WsCloseCodes.TRY_AGAIN_LATER, c.closeCode, "-1: the socket dropped without a Close frame");
            assertEquals("the hub is shutting down", c.closeReason);
        }
        assertEquals(0, hub.subscriberCount());
        assertEquals(0, hub.senderThreads());
    }
}
