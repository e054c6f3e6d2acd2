package dev.streamlab.websocket.server;

import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.phase3.SampleServer;
import dev.streamlab.websocket.WsHandshake;
import dev.streamlab.websocket.WsLimits;
import dev.streamlab.websocket.deflate.DeflateEvents;
import dev.streamlab.websocket.deflate.PerMessageDeflate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Random;

/** A phase 3 server with the WebSocket endpoints registered, and a raw-socket handshake for tests. */
final class WsTestServer {
    private WsTestServer() {}

    static Phase3Server start(Duration heartbeat) throws IOException {
        Phase3Server s = SampleServer.start();
        s.setUpgradeHandler(new WsEndpoints(WsHandshake.sameOrigin(), WsLimits.DEFAULT, heartbeat)
                .register("/ws/echo", new EchoEndpoint()));
        return s;
    }

    /** {@link #start} with permessage-deflate offered on these terms, reporting to {@code events}. */
    static Phase3Server startWithDeflate(Duration heartbeat, PerMessageDeflate.Config config, DeflateEvents events)
            throws IOException {
        Phase3Server s = SampleServer.start();
        s.setUpgradeHandler(new WsEndpoints(WsHandshake.sameOrigin().withPermessageDeflate(config), WsLimits.DEFAULT,
                heartbeat).observeDeflate(events).register("/ws/echo", new EchoEndpoint()));
        return s;
    }

    /** A socket after a completed handshake, and the 101's head (to read the agreed extensions from). */
    record Upgraded(Socket socket, String head) {}

    /** Opens a socket and completes a handshake offering these extensions ({@code Sec-WebSocket-Extensions}). */
    static Upgraded connect(Phase3Server server, String path, String extensions) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", server.uri().getPort()), 5000);
        s.setTcpNoDelay(true);
        String key = "dGhlIHNhbXBsZSBub25jZQ==";
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.uri().getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key
                + "\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: " + extensions + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        String head = readHead(s.getInputStream());
        if (!head.startsWith("HTTP/1.1 101")) throw new IOException("handshake refused: " + head);
        return new Upgraded(s, head);
    }

    /** Opens a socket and completes the handshake; returns the socket positioned after the 101's blank line. */
    static Socket connect(Phase3Server server, String path) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", server.uri().getPort()), 5000);
        s.setTcpNoDelay(true);
        byte[] nonce = new byte[16];
        new Random(7).nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.uri().getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        String head = readHead(s.getInputStream());
        if (!head.startsWith("HTTP/1.1 101")) throw new IOException("handshake refused: " + head);
        if (!head.contains(WsHandshake.acceptKey(key))) throw new IOException("wrong accept key: " + head);
        return s;
    }

    static String readHead(InputStream in) throws IOException {
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
}
