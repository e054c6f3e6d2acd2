package dev.streamlab.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark's floor server must send the right bytes, or its row in the load test measures nothing: ranges
 * byte for byte, keep-alive and pipelining, a body far larger than the socket buffer read slowly (the zero return
 * of {@code transferTo} and its fallback), and its two refusals.
 */
class FloorServerTest {
    private static final int SIZE = 8 << 20;

    @TempDir
    Path media;
    private byte[] content;
    private FloorServer server;

    @BeforeEach
    void start() throws IOException {
        content = new byte[SIZE];
        new Random(7).nextBytes(content);
        Files.write(media.resolve("clip.mp4"), content);
        server = FloorServer.start(media, 0);
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    @Test
    void rangeIsTheFileRegionByteForByte() throws IOException {
        try (Socket s = connect()) {
            send(s, get("clip", "bytes=1000-70999"));
            Response r = read(s);
            assertEquals(206, r.status);
            assertEquals("bytes 1000-70999/" + SIZE, r.header("Content-Range"));
            assertArrayEquals(Arrays.copyOfRange(content, 1000, 71000), r.body);
        }
    }

    @Test
    void pipelinedRequestsOnOneConnectionAreAnsweredInOrder() throws IOException {
        try (Socket s = connect()) {
            send(s, get("clip", "bytes=0-9") + get("clip", "bytes=" + (SIZE - 5) + "-") + get("clip", null));
            assertArrayEquals(Arrays.copyOfRange(content, 0, 10), read(s).body);
            Response suffixOpen = read(s);
            assertEquals("bytes " + (SIZE - 5) + "-" + (SIZE - 1) + "/" + SIZE, suffixOpen.header("Content-Range"));
            assertArrayEquals(Arrays.copyOfRange(content, SIZE - 5, SIZE), suffixOpen.body);
            Response whole = read(s);
            assertEquals(200, whole.status);
            assertArrayEquals(content, whole.body);
        }
    }

    @Test
    void aSlowReaderOfABodyLargerThanTheSocketBufferGetsEveryByte() throws IOException, InterruptedException {
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(16 * 1024);
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            s.setSoTimeout(20_000);
            send(s, get("clip", null));
            Thread.sleep(300); // the socket buffers fill: transferTo returns 0 and the server falls back
            Response r = read(s);
            assertEquals(200, r.status);
            assertArrayEquals(content, r.body);
            assertTrue(server.fallbackChunks() > 0, "the fallback was never taken: the test proves nothing");
        }
    }

    @Test
    void unsatisfiableOrMalformedRangesAre416AndUnknownFilesAre404() throws IOException {
        try (Socket s = connect()) {
            send(s, get("clip", "bytes=" + SIZE + "-") + get("clip", "bytes=x-y") + get("missing", null)
                    + get("..%2fetc", null));
            Response past = read(s);
            assertEquals(416, past.status);
            assertEquals("bytes */" + SIZE, past.header("Content-Range"));
            assertEquals(416, read(s).status);
            assertEquals(404, read(s).status);
            assertEquals(404, read(s).status);
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
        s.setSoTimeout(10_000);
        return s;
    }

    private static String get(String id, String range) {
        return "GET /videos/" + id + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + (range == null ? "" : "Range: " + range + "\r\n") + "\r\n";
    }

    private static void send(Socket s, String request) throws IOException {
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    private record Response(int status, String head, byte[] body) {
        String header(String name) {
            for (String line : head.split("\r\n")) {
                if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                    return line.substring(name.length() + 1).trim();
                }
            }
            return null;
        }
    }

    /** One response: the head up to its empty line, then Content-Length bytes of body. */
    private static Response read(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new IOException("closed after " + head.size() + " bytes of a head");
            head.write(b);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        Response r = new Response(Integer.parseInt(text.substring(9, 12)), text, null);
        int length = Integer.parseInt(r.header("Content-Length"));
        return new Response(r.status, text, in.readNBytes(length));
    }
}
