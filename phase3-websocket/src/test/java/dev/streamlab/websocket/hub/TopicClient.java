package dev.streamlab.websocket.hub;

import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.websocket.WsEvent;
import dev.streamlab.websocket.WsHandshake;
import dev.streamlab.websocket.WsLimits;
import dev.streamlab.websocket.WsMessageAssembler;
import dev.streamlab.websocket.frame.FrameWriter;
import dev.streamlab.websocket.frame.WsCloseException;
import dev.streamlab.websocket.frame.WsOpcode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A raw-socket WebSocket client of {@code /ws/topic/...}: handshake, masked frames out, and a reader thread (started
 * on demand, so a test can play a client that stops reading) that records what arrives — test messages as
 * {@link Got} summaries, checked to the last byte, and the server's Close.
 */
final class TopicClient implements AutoCloseable {
    /**
     * One message received.
     *
     * @param seq    the test message's sequence number (-1 for text or short messages)
     * @param intact whether every fill byte was right
     * @param text   the text of a text message, else null
     */
    record Got(long seq, boolean marked, int length, boolean intact, String text) {}

    final Socket socket;
    final List<Got> got = new CopyOnWriteArrayList<>();
    volatile int closeCode = -1;
    volatile String closeReason;
    volatile boolean ended;
    private final FrameWriter writer = FrameWriter.client(new SplittableRandom(11)::nextInt);

    private TopicClient(Socket socket) {
        this.socket = socket;
    }

    static TopicClient connect(Phase3Server server, String path) throws IOException {
        return connect(server, path, 0);
    }

    /** @param receiveBuffer SO_RCVBUF to ask for before connecting (so the TCP window is small too), or 0 */
    static TopicClient connect(Phase3Server server, String path, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) s.setReceiveBufferSize(receiveBuffer);
        s.connect(new InetSocketAddress("127.0.0.1", server.uri().getPort()), 5000);
        s.setTcpNoDelay(true);
        s.setSoTimeout(30_000);
        String head = handshake(s, server.uri().getPort(), path);
        if (!head.startsWith("HTTP/1.1 101")) {
            s.close();
            throw new IOException("handshake refused: " + head);
        }
        return new TopicClient(s);
    }

    /** Sends the upgrade request and returns the response head. */
    static String handshake(Socket s, int port, String path) throws IOException {
        byte[] nonce = new byte[16];
        new SplittableRandom(path.hashCode()).nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        String head = readHead(s.getInputStream());
        if (head.startsWith("HTTP/1.1 101") && !head.contains(WsHandshake.acceptKey(key))) {
            throw new IOException("wrong accept key: " + head);
        }
        return head;
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int state = 0;
        for (int c; (c = in.read()) != -1; ) {
            b.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3))
                    ? state + 1 : (c == '\r' ? 1 : 0);
            if (state == 4) break;
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /** Starts the reader thread; it runs until the server's Close, EOF or a reset. */
    TopicClient startReading() {
        Thread.ofVirtual().name("topic-client").start(() -> {
            try {
                read(socket.getInputStream());
            } catch (IOException e) {
                // reset or closed under us: the test looks at what arrived
            } finally {
                ended = true;
            }
        });
        return this;
    }

    private void read(InputStream in) throws IOException {
        WsMessageAssembler client = WsMessageAssembler.client(WsLimits.DEFAULT);
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        byte[] chunk = new byte[64 * 1024];
        for (int n; (n = in.read(chunk)) >= 0; ) {
            if (buf.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n));
                bigger.put(buf.flip());
                buf = bigger;
            }
            buf.put(chunk, 0, n).flip();
            try {
                for (WsEvent e; (e = client.next(buf)) != null; ) {
                    switch (e) {
                        case WsEvent.Text t -> got.add(new Got(-1, false, t.payload().remaining(), true, t.text()));
                        case WsEvent.Binary b -> got.add(summarize(b.payload()));
                        case WsEvent.Close c -> {
                            closeReason = c.reason();
                            closeCode = c.code();
                            return;
                        }
                        default -> { } // heartbeat pings
                    }
                }
            } catch (WsCloseException e) {
                throw new AssertionError("the server's frames do not decode: " + e.getMessage(), e);
            }
            buf.compact();
        }
    }

    private static Got summarize(ByteBuffer p) {
        int length = p.remaining();
        if (length < HubTestServer.HEADER) return new Got(-1, false, length, true, null);
        int at = p.position();
        long seq = p.getLong(at);
        boolean marked = p.get(at + 8) == 1;
        boolean intact = true;
        byte fill = (byte) seq;
        for (int i = at + HubTestServer.HEADER; i < p.limit() && intact; i++) intact = p.get(i) == fill;
        return new Got(seq, marked, length, intact, null);
    }

    /** Sends one masked message. */
    void send(boolean text, byte[] payload) throws IOException {
        OutputStream out = socket.getOutputStream();
        for (ByteBuffer b : writer.frame(true, text ? WsOpcode.TEXT : WsOpcode.BINARY, ByteBuffer.wrap(payload))) {
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            out.write(bytes);
        }
        out.flush();
    }

    /** The sequence number of the last message received, or -1. */
    long lastSeq() {
        long[] s = seqs(); // one snapshot: the reader may add more meanwhile
        return s.length == 0 ? -1 : s[s.length - 1];
    }

    int count() {
        return got.size();
    }

    /** Sequence numbers received, in order. */
    long[] seqs() {
        return got.stream().mapToLong(Got::seq).toArray();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
