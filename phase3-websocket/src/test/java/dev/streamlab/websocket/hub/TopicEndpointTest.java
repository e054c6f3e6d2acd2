package dev.streamlab.websocket.hub;

import static dev.streamlab.websocket.hub.HubTestServer.await;
import static dev.streamlab.websocket.hub.HubTestServer.message;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.websocket.WsCloseCodes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code /ws/topic/{name}} over real sockets on 127.0.0.1: fan-out, clients publishing, refusals. */
class TopicEndpointTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static Phase3Server server;
    Hub hub;
    final List<TopicClient> clients = new ArrayList<>();

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
        for (TopicClient c : clients) c.close();
        assertTrue(await(() -> hub.subscriberCount() == 0 && hub.senderThreads() == 0, WAIT), "subscribers left");
    }

    TopicClient connect(String path) throws IOException {
        TopicClient c = TopicClient.connect(server, path);
        clients.add(c);
        return c;
    }

    @Test
    void fanOutDeliversEveryMessageInOrderToAllFastSubscribers() throws Exception {
        int subscribers = 5;
        for (int i = 0; i < subscribers; i++) connect("/ws/topic/fan?queue=512").startReading();
        assertTrue(await(() -> hub.subscribers("fan") == subscribers, WAIT));
        // Sizes across the frame-length boundaries (7-bit, 16-bit, 64-bit lengths), up to 70 KiB.
        int[] sizes = {9, 125, 126, 127, 65535, 65536, 65537, 70_000, 1000, 20_000};
        int n = 300;
        for (int i = 0; i < n; i++) hub.publish("fan", message(i, sizes[i % sizes.length], i % 10 == 0));
        long[] all = LongStream.range(0, n).toArray();
        for (TopicClient c : clients) {
            assertTrue(await(() -> c.count() == n, WAIT), c.count() + " of " + n);
            assertArrayEquals(all, c.seqs());
            for (int i = 0; i < n; i++) {
                TopicClient.Got g = c.got.get(i);
                assertTrue(g.intact(), "message " + i + " intact");
                assertEquals(sizes[i % sizes.length], g.length());
                assertEquals(i % 10 == 0, g.marked());
            }
        }
        assertEquals(0, hub.stats(Overflow.DROP_OLDEST).dropped());
        assertTrue(await(() -> hub.stats(Overflow.DROP_OLDEST).delivered() == (long) subscribers * n, WAIT));
        assertEquals(0, hub.copiedBytes(), "server-published direct buffers: no copy at all");
        assertEquals(0, hub.heapDeliveredBytes());
    }

    @Test
    void whatAClientSendsGoesAsIsToTheOtherSubscribersOnlyCopiedOnce() throws Exception {
        TopicClient publisher = connect("/ws/topic/chat").startReading();
        TopicClient b = connect("/ws/topic/chat").startReading();
        TopicClient c = connect("/ws/topic/chat?policy=skip-to-marked&queue=4").startReading();
        TopicClient elsewhere = connect("/ws/topic/other").startReading();
        assertTrue(await(() -> hub.subscribers("chat") == 3 && hub.subscribers("other") == 1, WAIT));
        byte[] binary = new byte[100_000];
        for (int i = 0; i < binary.length; i++) binary[i] = (byte) 7; // seq 7's fill: the client checks it
        java.nio.ByteBuffer.wrap(binary).putLong(0, 7).put(8, (byte) 1);
        publisher.send(true, "héllo, topic".getBytes(StandardCharsets.UTF_8));
        publisher.send(false, binary);
        for (TopicClient r : List.of(b, c)) {
            assertTrue(await(() -> r.count() == 2, WAIT));
            assertEquals("héllo, topic", r.got.get(0).text(), "text stays text");
            TopicClient.Got g = r.got.get(1);
            assertNull(g.text(), "binary stays binary");
            assertEquals(7, g.seq());
            assertTrue(g.intact() && g.length() == 100_000);
        }
        // Nothing came back to the publisher: the next thing it receives is what the server publishes now.
        hub.publish("chat", HubMessage.text("from the server"));
        assertTrue(await(() -> publisher.count() == 1, WAIT));
        assertEquals("from the server", publisher.got.get(0).text());
        assertEquals(0, elsewhere.count());
        assertEquals(13 + 100_000, hub.copiedBytes(), "one copy per message, not one per subscriber");
        assertTrue(await(() -> hub.deliveredBytes() == 2L * (13 + 100_000) + 3 * 15, WAIT), "" + hub.deliveredBytes());
    }

    @Test
    void aPublishOverTheTopicsMessageLimitIsClosedWith1009AndReachesNoOne() throws Exception {
        TopicClient publisher = connect("/ws/topic/big").startReading();
        TopicClient reader = connect("/ws/topic/big").startReading();
        assertTrue(await(() -> hub.subscribers("big") == 2, WAIT));
        publisher.send(false, new byte[TopicEndpoint.LIMITS.maxMessageSize() + 1]);
        assertTrue(await(() -> publisher.closeCode != -1, WAIT));
        assertEquals(1009, publisher.closeCode, publisher.closeReason);
        assertEquals(0, hub.copiedBytes(), "refused from its header: nothing copied, nothing published");
        assertEquals(0, reader.count());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            /ws/topic/Bad_Name                          | bad topic name 'Bad_Name'
            /ws/topic/a/b                               | bad topic name 'a/b'
            /ws/topic/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | bad topic name 'aaaaaaaaaaaaaaaaaaaaaaaa...'
            /ws/topic/caf%C3%A9                         | bad topic name 'café'
            /ws/topic/ok?policy=fastest                 | unknown policy 'fastest'
            /ws/topic/ok?queue=0                        | queue must be 1 to 4096 messages, not 0
            /ws/topic/ok?policy=disconnect&close=1000   | close must be 1008 or 1013, not 1000
            """)
    void aBadNameOrQueryIsClosedWith1008AndAReason(String path, String reason) throws Exception {
        TopicClient c = connect(path).startReading();
        assertTrue(await(() -> c.closeCode != -1, WAIT));
        assertEquals(WsCloseCodes.POLICY_VIOLATION, c.closeCode);
        assertTrue(c.closeReason.startsWith(reason), c.closeReason);
        assertEquals(0, hub.subscriberCount());
        assertEquals(0, hub.topicCount());
    }

    @Test
    void theTopicPrefixAloneIsNotAnEndpoint() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.uri().getPort()), 5000);
            String head = TopicClient.handshake(s, server.uri().getPort(), "/ws/topic/");
            assertTrue(head.startsWith("HTTP/1.1 404"), head);
        }
    }
}
