package dev.streamlab.phase2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.testing.ExternalTools;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Slowloris: a client that opens a connection and sends its request headers never, or a byte at a time, holds a
 * connection forever on a JDK server left at its defaults. Phase 2 sets {@code sun.net.httpserver.maxReqTime}
 * (20 s; the unit is seconds). This class runs in its own JVM (phase 2's surefire does not reuse forks) so it
 * can shorten that to 2 s before the JDK reads it, once, at class-load time.
 */
class SlowlorisTest {
    static Phase2Server server;

    @BeforeAll
    static void start() throws Exception {
        System.setProperty("sun.net.httpserver.maxReqTime", "2");
        server = Phase2Server.start("127.0.0.1", 0, ExternalTools.media(),
                new Phase2Server.Settings("mapped", 30_000, ExternalTools.root().resolve("frontend")));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Returns true when the server closed the connection within {@code seconds}. */
    static boolean closedWithin(Socket s, int seconds) throws IOException {
        s.setSoTimeout(seconds * 1000);
        InputStream in = s.getInputStream();
        try {
            while (in.read() != -1) {
                // a 4xx body would be read here; we only care that the connection ends
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset by the server: closed too
        }
    }

    @Test
    void headersThatNeverFinishAreDroppedAfterMaxReqTime() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.uri().getPort()), 5000);
            s.getOutputStream().write("GET /videos/x HTTP/1.1\r\nHost: t\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(closedWithin(s, 15), "the server kept a half-sent request open");
        }
    }

    @Test
    void aByteByByteTrickleIsDroppedToo() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.uri().getPort()), 5000);
            OutputStream out = s.getOutputStream();
            byte[] req = "GET /videos/x HTTP/1.1\r\nHost: t\r\nX-A: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
                    .getBytes(StandardCharsets.US_ASCII);
            boolean dropped = false;
            long deadline = System.nanoTime() + 15_000_000_000L;
            for (int i = 0; !dropped && System.nanoTime() < deadline; i = (i + 1) % req.length) {
                try {
                    out.write(req[i]);
                    out.flush();
                } catch (IOException e) {
                    dropped = true; // the server closed the connection under us
                    break;
                }
                s.setSoTimeout(200);
                try {
                    dropped = s.getInputStream().read() == -1;
                } catch (SocketTimeoutException e) {
                    // still open: keep trickling
                } catch (IOException e) {
                    dropped = true;
                }
            }
            assertTrue(dropped, "a trickling client held the connection for 15 s");
        }
    }

    @Test
    void anOrdinaryRequestStillWorks() throws Exception {
        assertEquals(200, RawHttp.get(server.uri(), "/api/videos").status());
    }
}
