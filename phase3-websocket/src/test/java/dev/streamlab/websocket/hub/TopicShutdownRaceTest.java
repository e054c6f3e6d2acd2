package dev.streamlab.websocket.hub;

import static dev.streamlab.websocket.hub.HubTestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.websocket.WsCloseCodes;
import dev.streamlab.websocket.WsEvent;
import dev.streamlab.websocket.WsHandshake;
import dev.streamlab.websocket.WsLimits;
import dev.streamlab.websocket.server.WsConnection;
import dev.streamlab.websocket.server.WsEndpoint;
import dev.streamlab.websocket.server.WsEndpoints;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Subscribing while the hub shuts down. {@link TopicEndpoint#opened} asks {@link Hub#isClosed()} and then calls
 * {@link Hub#subscribe}, which throws {@link IllegalStateException} if {@link Hub#close()} ran in between: that
 * exception left the session, the connection logged a WARNING with a stack trace and dropped the socket, and the
 * client saw no Close frame at all (1006) instead of the 1001/1013 and reason every other shutdown path sends.
 *
 * <p>The window is a few hundred nanoseconds, so on the code before the fix this test catches it only now and then;
 * with a 2 ms pause put between the check and the subscribe it failed in round 2 (the client saw -1, no Close), and
 * with the fix every one of 150 rounds passed with that pause.
 */
class TopicShutdownRaceTest {
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

    /**
     * Rounds of clients whose {@code opened} is held at a gate, then released together with the hub's close, so that
     * some land between the check and the subscribe. Whatever the interleaving, each must get a Close with a reason,
     * and nothing may be left subscribed or sending.
     */
    @Test
    void subscribersRacingTheHubsCloseGetAGoingAwayOrTryAgainCloseWithAReason() throws Exception {
        int rounds = 80;
        int clientsPerRound = 6;
        Set<Integer> shutdownCodes = Set.of(WsCloseCodes.GOING_AWAY, WsCloseCodes.TRY_AGAIN_LATER);
        for (int round = 0; round < rounds; round++) {
            Hub hub = new Hub();
            CountDownLatch arrived = new CountDownLatch(clientsPerRound);
            CountDownLatch go = new CountDownLatch(1);
            server.setUpgradeHandler(new WsEndpoints(WsHandshake.sameOrigin(), WsLimits.DEFAULT, Duration.ofSeconds(30))
                    .registerPrefix(TopicEndpoint.PREFIX, (name, query) ->
                            new Gated(TopicEndpoint.create(hub, name, query), arrived, go)));
            List<TopicClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < clientsPerRound; i++) {
                    clients.add(TopicClient.connect(server, "/ws/topic/race-" + i % 2).startReading());
                }
                assertTrue(arrived.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS), "round " + round);
                go.countDown();
                // Spread the close over the released threads' way through opened: a different point each round.
                for (int spin = round % 50 * 40; spin > 0; spin--) Thread.onSpinWait();
                hub.close();
                for (TopicClient c : clients) {
                    assertTrue(await(() -> c.ended || c.closeCode != -1, WAIT), "round " + round + ": no end");
                    assertTrue(shutdownCodes.contains(c.closeCode), "round " + round + ": the client saw close code "
                            + c.closeCode + " (-1: the socket dropped without a Close frame)");
                    assertFalse(c.closeReason == null || c.closeReason.isBlank(), "round " + round + ": no reason");
                }
                assertTrue(await(() -> hub.subscriberCount() == 0 && hub.senderThreads() == 0, WAIT),
                        "round " + round + ": " + hub.subscriberCount() + " subscribers, " + hub.senderThreads()
                                + " sender threads left");
            } finally {
                go.countDown();
                for (TopicClient c : clients) c.close();
            }
        }
    }

    /** The real endpoint, its {@code opened} held until the test lets every client of the round go at once. */
    private record Gated(WsEndpoint real, CountDownLatch arrived, CountDownLatch go) implements WsEndpoint {
        @Override
        public void opened(WsConnection connection) throws IOException {
            arrived.countDown();
            try {
                go.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted at the gate");
            }
            real.opened(connection);
        }

        @Override
        public void message(WsConnection connection, WsEvent message) throws IOException {
            real.message(connection, message);
        }

        @Override
        public void closed(WsConnection connection, int code) {
            real.closed(connection, code);
        }

        @Override
        public WsLimits limits(WsLimits server) {
            return real.limits(server);
        }
    }
}
