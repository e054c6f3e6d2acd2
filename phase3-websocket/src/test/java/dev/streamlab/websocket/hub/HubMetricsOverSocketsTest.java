package dev.streamlab.websocket.hub;

import static dev.streamlab.websocket.hub.HubTestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.phase2.RawHttp;
import dev.streamlab.phase3.Phase3Main;
import dev.streamlab.phase3.Phase3Server;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hub's counters as a student reads them: {@code /metrics} of a server wired as {@code ./lab run phase3} wires
 * it ({@link Phase3Main#webSockets}), after real clients published and one subscriber of each overflow policy
 * stopped reading.
 */
class HubMetricsOverSocketsTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    /** 16 MiB in all: more than a stalled subscriber's socket buffers hold, so every policy's queue overflows. */
    static final int MESSAGES = 256;
    static final int SIZE = 64 * 1024;

    Phase3Server server;
    final List<TopicClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = HubTestServer.start();
        server.setUpgradeHandler(Phase3Main.webSockets(server));
    }

    @AfterEach
    void stop() throws Exception {
        for (TopicClient c : clients) c.close();
        server.close();
    }

    TopicClient connect(String path, int receiveBuffer) throws Exception {
        TopicClient c = TopicClient.connect(server, path, receiveBuffer);
        clients.add(c);
        return c;
    }

    @Test
    void overflowPoliciesAreCountedOnMetricsByPolicy() throws Exception {
        TopicClient reader = connect("/ws/topic/m?queue=1024", 0).startReading();
        connect("/ws/topic/m?policy=drop-oldest&queue=4", 4096);
        connect("/ws/topic/m?policy=skip-to-marked&queue=4", 4096);
        TopicClient gone = connect("/ws/topic/m?policy=disconnect&queue=4", 4096);
        TopicClient publisher = connect("/ws/topic/m", 0).startReading();
        assertTrue(await(() -> metric("streamlab_ws_hub_subscribers") == 5, WAIT), "5 subscribers");

        for (int i = 0; i < MESSAGES; i++) {
            ByteBuffer b = ByteBuffer.allocate(SIZE).putLong(i).put((byte) 1);
            publisher.send(false, b.array()); // published to the 4 others; a client's message is marked
        }
        assertTrue(await(() -> reader.count() == MESSAGES, WAIT), "the reading subscriber got " + reader.count());

        assertEquals(MESSAGES, metric("streamlab_ws_hub_published_total"));
        assertEquals((long) MESSAGES * SIZE, metric("streamlab_ws_hub_copied_bytes_total"),
                "a client's message is copied once, whatever the number of subscribers");
        assertTrue(metric("streamlab_ws_hub_dropped_total{policy=\"drop_oldest\"}") > 0, "drop-oldest dropped");
        assertTrue(metric("streamlab_ws_hub_skips_total{policy=\"skip_to_marked\"}") > 0, "skip-to-marked skipped");
        assertEquals(1, metric("streamlab_ws_hub_disconnects_total{policy=\"disconnect\"}"));
        assertTrue(metric("streamlab_ws_hub_delivered_total{policy=\"drop_oldest\"}") >= MESSAGES,
                "the reader's and the publisher-side deliveries");
        gone.startReading();
        assertTrue(await(() -> gone.closeCode == 1008, WAIT), "the disconnect subscriber got 1008");
        assertEquals(4, metric("streamlab_ws_hub_subscribers"), "the disconnected one left the topic");
    }

    /** A sample's value on /metrics (name with labels as printed), 0 when absent. */
    long metric(String series) {
        try {
            for (String l : RawHttp.get(server.uri(), "/metrics").text().split("\n")) {
                if (l.startsWith(series + " ")) return Math.round(Double.parseDouble(l.substring(series.length() + 1)));
            }
            return 0;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
