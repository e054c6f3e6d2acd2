package dev.streamlab.websocket.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.phase3.SampleServer;
import dev.streamlab.websocket.WsHandshake;
import dev.streamlab.websocket.WsLimits;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** /ws/echo with a real client no one here wrote (the JDK's), the handshake's refusals, heartbeats, and leaks. */
class WsServerTest {
    static final Duration HEARTBEAT = Duration.ofMillis(500);
    static Phase3Server server;

    @BeforeAll
    static void start() throws IOException {
        server = WsTestServer.start(HEARTBEAT);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    URI ws(String path) {
        return URI.create("ws://127.0.0.1:" + server.uri().getPort() + path);
    }

    /** Collects what the JDK client receives. */
    static final class Listener implements WebSocket.Listener {
        final List<String> texts = new CopyOnWriteArrayList<>();
        final List<byte[]> binaries = new CopyOnWriteArrayList<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        final CompletableFuture<Void> pong = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                texts.add(text.toString());
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        private final java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            binary.writeBytes(b); // the JDK client hands a large message over in parts
            if (last) {
                binaries.add(binary.toByteArray());
                binary.reset();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
            pong.complete(null);
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }
    }

    @Test
    void theJdkClientGetsItsMessagesEchoedAndItsCloseCodeBack() throws Exception {
        Listener l = new Listener();
        WebSocket client = HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Origin", "http://127.0.0.1:" + server.uri().getPort())
                .buildAsync(ws("/ws/echo"), l).get(10, TimeUnit.SECONDS);
        client.sendText("héllo, ", false).get(5, TimeUnit.SECONDS);
        client.sendText("wörld", true).get(5, TimeUnit.SECONDS); // fragmented, UTF-8 across the pieces
        byte[] blob = new byte[200_000];
        new java.util.Random(1).nextBytes(blob);
        client.sendBinary(ByteBuffer.wrap(blob), true).get(5, TimeUnit.SECONDS);
        client.sendPing(ByteBuffer.wrap("hb".getBytes(StandardCharsets.US_ASCII))).get(5, TimeUnit.SECONDS);
        l.pong.get(5, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while ((l.texts.isEmpty() || l.binaries.isEmpty()) && System.nanoTime() < deadline) Thread.onSpinWait();
        assertEquals(List.of("héllo, wörld"), l.texts);
        assertEquals(1, l.binaries.size(), "one binary message");
        assertEquals(blob.length, l.binaries.getFirst().length, "binary length");
        assertTrue(java.util.Arrays.equals(blob, l.binaries.getFirst()), "binary bytes");
        client.sendClose(4001, "bye").get(5, TimeUnit.SECONDS);
        assertEquals(4001, l.closed.get(5, TimeUnit.SECONDS), "the server echoes the close code");
    }

    @Test
    void handshakeRefusalsHaveTheRightStatus() throws Exception {
        int port = server.uri().getPort();
        String base = "GET /ws/echo HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\n";
        String key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
        assertTrue(raw(base + key + "Sec-WebSocket-Version: 12\r\n\r\n").startsWith("HTTP/1.1 426"));
        assertTrue(raw(base + key + "Sec-WebSocket-Version: 12\r\n\r\n").contains("Sec-WebSocket-Version: 13"));
        assertTrue(raw(base + "Sec-WebSocket-Version: 13\r\n\r\n").startsWith("HTTP/1.1 400"), "no key");
        assertTrue(raw(base + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZR==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .startsWith("HTTP/1.1 400"), "a key whose unused base64 bits are not zero");
        assertTrue(raw(base + key + "Sec-WebSocket-Version: 13\r\nOrigin: https://evil.example\r\n\r\n")
                .startsWith("HTTP/1.1 403"), "cross-site WebSocket hijacking");
        String ok = raw(base + key + "Sec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:" + port + "\r\n\r\n");
        assertTrue(ok.startsWith("HTTP/1.1 101") && ok.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), ok);
        assertTrue(raw("GET /ws/nowhere HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + key
                + "Sec-WebSocket-Version: 13\r\n\r\n").startsWith("HTTP/1.1 404"));
    }

    private String raw(String request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.uri().getPort()), 5000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return WsTestServer.readHead(s.getInputStream());
        }
    }

    @Test
    void theJdkClientAgreesOnASubprotocolTheServerSpeaks() throws Exception {
        Phase3Server s = SampleServer.start();
        try {
            s.setUpgradeHandler(new WsEndpoints(WsHandshake.create(List.of(), List.of("streamlab.v1")),
                    WsLimits.DEFAULT, HEARTBEAT).register("/ws/echo", new EchoEndpoint()));
            URI uri = URI.create("ws://127.0.0.1:" + s.uri().getPort() + "/ws/echo");
            // RFC 6455 §4.2.2: the server picks one of the client's offers, in the client's order of preference.
            WebSocket agreed = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("chat", "streamlab.v1")
                    .buildAsync(uri, new Listener()).get(10, TimeUnit.SECONDS);
            assertEquals("streamlab.v1", agreed.getSubprotocol());
            agreed.sendClose(1000, "").get(5, TimeUnit.SECONDS);
            // An offer the server does not speak: no Sec-WebSocket-Protocol in the 101, which the client accepts as
            // "none" (it is the client's call to go on without one).
            WebSocket none = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("chat")
                    .buildAsync(uri, new Listener()).get(10, TimeUnit.SECONDS);
            assertEquals("", none.getSubprotocol());
            none.sendClose(1000, "").get(5, TimeUnit.SECONDS);
        } finally {
            s.close();
        }
    }

    @Test
    void aPeerThatNeverAnswersOurCloseIsDroppedAfterTheCloseTimeout() throws Exception {
        try (Socket s = WsTestServer.connect(server, "/ws/echo")) {
            s.setSoTimeout(20_000);
            // An unmasked client frame (RFC 6455 §5.1: the server MUST close the connection): a text frame "x".
            s.getOutputStream().write(new byte[] {(byte) 0x81, 0x01, 'x'});
            long sent = System.nanoTime();
            InputStream in = s.getInputStream();
            int b0 = in.read();
            while (b0 == 0x89) { // a heartbeat Ping may come first: skip its empty payload
                assertEquals(0x00, in.read());
                b0 = in.read();
            }
            assertEquals(0x88, b0, "a Close frame");
            int len = in.read();
            assertEquals(1002, in.read() << 8 | in.read(), "protocol error");
            in.skipNBytes(len - 2);
            // We never send our Close: the server waits CLOSE_TIMEOUT for it (reading), then drops the TCP connection.
            int rest = 0;
            try {
                while (in.read() != -1) rest++;
            } catch (IOException reset) {
                // a reset is a drop too
            }
            long waited = (System.nanoTime() - sent) / 1_000_000;
            assertTrue(rest < 64, "nothing but heartbeats after the Close, got " + rest + " bytes");
            // A lower bound only (noise makes it later, never earlier): the server did wait for the peer's Close.
            assertTrue(waited >= WsSession.CLOSE_TIMEOUT.toMillis() - 200, "dropped after " + waited + " ms");
        }
    }

    @Test
    void aSilentPeerGetsPingedThenDropped() throws Exception {
        try (Socket s = WsTestServer.connect(server, "/ws/echo")) {
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            // The first bytes from the server are a Ping (opcode 9, FIN set, empty, unmasked): 0x89 0x00.
            assertEquals(0x89, in.read());
            assertEquals(0x00, in.read());
            // We never answer: within two more heartbeats the server drops the connection.
            long n = 0;
            try {
                while (in.read() != -1) n++;
            } catch (IOException reset) {
                // a reset is a drop too
            }
            assertTrue(n < 64, "only heartbeats before the drop, got " + n + " bytes");
        }
    }

    @Test
    void connectAndDisconnectCyclesLeaveNoThreadsOrDescriptors() throws Exception {
        for (int i = 0; i < 50; i++) WsTestServer.connect(server, "/ws/echo").close(); // warm up
        awaitQuiet();
        long fds = fds();
        int threads = Thread.activeCount();
        for (int i = 0; i < 1000; i++) {
            try (Socket s = WsTestServer.connect(server, "/ws/echo")) {
                if (i % 2 == 0) s.setSoLinger(true, 0); // half of them reset instead of closing
            }
        }
        awaitQuiet();
        assertTrue(fds() - fds < 20, "descriptors " + fds + " -> " + fds());
        assertTrue(Thread.activeCount() - threads < 10, "platform threads " + threads + " -> " + Thread.activeCount());
    }

    /**
     * {@link WsConnection#end()} says later sends fail with an IOException: every send method alike, checked before
     * the socket is touched — also {@code sendBinary(ByteBuffer...)}, the streams' gathering send, which once checked
     * only for a Close frame sent and so wrote to (or failed on) the socket of a session that had ended.
     */
    @Test
    void afterTheSessionEndsEverySendFailsTheSameWay() throws Exception {
        CompletableFuture<WsConnection> opened = new CompletableFuture<>();
        WsEndpoint keep = new WsEndpoint() {
            @Override
            public void opened(WsConnection c) {
                opened.complete(c);
            }

            @Override
            public void message(WsConnection c, dev.streamlab.websocket.WsEvent m) { }
        };
        Phase3Server s = SampleServer.start();
        try {
            s.setUpgradeHandler(new WsEndpoints(WsHandshake.sameOrigin(), WsLimits.DEFAULT, HEARTBEAT)
                    .register("/ws/keep", keep));
            Socket peer = WsTestServer.connect(s, "/ws/keep");
            WsConnection c;
            try {
                c = opened.get(5, TimeUnit.SECONDS);
            } finally {
                peer.close(); // the peer vanishes without a Close: the session ends with 1006 and sends none
            }
            dev.streamlab.testing.Await.until(Duration.ofSeconds(10), () -> s.openConnections() == 0);
            assertEquals(0, s.openConnections());
            assertFalse(c.closeSent(), "no Close frame was sent: only the session's end stops a send");
            List<org.junit.jupiter.api.function.Executable> sends = List.of(
                    () -> c.sendText(ByteBuffer.wrap(new byte[] {'x'})),
                    () -> c.sendBinary(ByteBuffer.allocate(1)),
                    () -> c.sendBinary(ByteBuffer.allocate(1), ByteBuffer.allocate(2)));
            for (org.junit.jupiter.api.function.Executable send : sends) {
                IOException e = assertThrows(IOException.class, send);
                assertEquals("the WebSocket is closing", e.getMessage(), e.toString());
            }
        } finally {
            s.close();
        }
    }

    /** Waits (bounded) until the server holds no connection. */
    private static void awaitQuiet() throws Exception {
        dev.streamlab.testing.Await.until(Duration.ofSeconds(10), () -> server.openConnections() == 0);
        assertEquals(0, server.openConnections(), "connections left open");
    }

    private static long fds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }
}
