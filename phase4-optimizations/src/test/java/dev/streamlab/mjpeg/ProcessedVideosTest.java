package dev.streamlab.mjpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.phase3.Phase3Main;
import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.shared.json.JsonParser;
import dev.streamlab.testing.Await;
import dev.streamlab.testing.ExternalTools;
import dev.streamlab.y4m.Y4mProxies;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The processed streams over real sockets: phase 3's server with the frame-processing routes, a real ffmpeg proxy. */
class ProcessedVideosTest {
    static final String ID = "sample-10s-360p-video-only";
    @TempDir
    static Path cache;
    static Phase3Server server;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        Path ffmpeg = ExternalTools.ffmpeg();
        server = startWith(new Y4mProxies(cache.resolve("y4m"), ffmpeg.toString()));
    }

    static Phase3Server startWith(Y4mProxies proxies) {
        return startWith((srv, ws) -> FrameProcessing.install(srv, ws, proxies));
    }

    static Phase3Server startWith(Phase3Main.Extension extension) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Phase3Server s = Phase3Main.start(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err), "test",
                extension, "--port", "0", "--media", ExternalTools.media().toString(), "--quiet");
        assertNotNull(s, err.toString());
        return s;
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static HttpResponse<byte[]> get(Phase3Server s, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(s.uri().resolve(path)).timeout(Duration.ofSeconds(90)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The JPEG parts of a multipart body, by their Content-Length fields. */
    static List<BufferedImage> parts(byte[] body, String boundary) throws Exception {
        List<BufferedImage> out = new ArrayList<>();
        String text = new String(body, StandardCharsets.ISO_8859_1);
        int pos = 0;
        while (true) {
            int b = text.indexOf("--" + boundary, pos);
            assertTrue(b >= 0, "no closing boundary");
            if (text.startsWith("--" + boundary + "--", b)) return out;
            int headEnd = text.indexOf("\r\n\r\n", b);
            String head = text.substring(b, headEnd);
            assertTrue(head.contains("Content-Type: image/jpeg"), head);
            int len = Integer.parseInt(head.replaceAll("(?s).*Content-Length: (\\d+).*", "$1"));
            byte[] jpeg = Arrays.copyOfRange(body, headEnd + 4, headEnd + 4 + len);
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(jpeg));
            assertNotNull(img, "part " + out.size() + " is not a JPEG ImageIO can decode");
            out.add(img);
            pos = headEnd + 4 + len;
            assertEquals("\r\n", text.substring(pos, pos + 2));
        }
    }

    /** Mean of |R-G| + |G-B| over the picture: about 0 for a grey picture, larger for colour. */
    static double colourfulness(BufferedImage img) {
        long sum = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y), r = p >> 16 & 0xFF, g = p >> 8 & 0xFF, b = p & 0xFF;
                sum += Math.abs(r - g) + Math.abs(g - b);
            }
        }
        return (double) sum / (img.getWidth() * img.getHeight());
    }

    @Test
    void mjpegRouteSendsMultipartOfDecodableJpegs() throws Exception {
        HttpResponse<byte[]> r = get(server, "/mjpeg/" + ID + "?filter=grayscale&frames=3");
        assertEquals(200, r.statusCode());
        String type = r.headers().firstValue("Content-Type").orElseThrow();
        assertTrue(type.startsWith("multipart/x-mixed-replace; boundary="), type);
        assertTrue(r.headers().firstValue("Content-Length").isEmpty(), "a stream of unknown length, ended by close");
        List<BufferedImage> frames = parts(r.body(), type.substring(type.indexOf('=') + 1));
        assertEquals(3, frames.size());
        assertEquals(Y4mProxies.WIDTH, frames.get(0).getWidth());
        assertTrue(colourfulness(frames.get(0)) < 3, "grayscale frames have R = G = B (up to JPEG noise)");
    }

    @Test
    void framesAndTheOneFrameCopyAreCountedInMetrics() throws Exception {
        long before = server.metrics().scrape().lines()
                .filter(l -> l.startsWith("streamlab_processed_frames_total{transport=\"mjpeg\",filter=\"blur\"}"))
                .mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum();
        assertEquals(200, get(server, "/mjpeg/" + ID + "?filter=blur&frames=2").statusCode());
        String scrape = server.metrics().scrape();
        assertTrue(scrape.contains("streamlab_processed_frames_total{transport=\"mjpeg\",filter=\"blur\"} "
                + (before + 2)), scrape);
        long copied = scrape.lines().filter(l -> l.startsWith("streamlab_processed_frame_copy_bytes_total "))
                .mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum();
        assertTrue(copied > 0, scrape); // exported at 0 from the start: the frames must have moved it
    }

    @Test
    void downscaleFilterHalvesTheFrame() throws Exception {
        HttpResponse<byte[]> r = get(server, "/mjpeg/" + ID + "?filter=downscale&frames=1");
        String type = r.headers().firstValue("Content-Type").orElseThrow();
        assertEquals(Y4mProxies.WIDTH / 2, parts(r.body(), type.substring(type.indexOf('=') + 1)).get(0).getWidth());
    }

    @Test
    void badFilterIs400AndUnknownVideoIs404WithMessages() throws Exception {
        HttpResponse<byte[]> bad = get(server, "/mjpeg/" + ID + "?filter=sepia");
        assertEquals(400, bad.statusCode());
        assertTrue(new String(bad.body(), StandardCharsets.UTF_8).contains("unknown filter 'sepia'"));
        HttpResponse<byte[]> frames = get(server, "/mjpeg/" + ID + "?frames=0");
        assertEquals(400, frames.statusCode());
        HttpResponse<byte[]> missing = get(server, "/mjpeg/no-such-video");
        assertEquals(404, missing.statusCode());
        assertTrue(new String(missing.body(), StandardCharsets.UTF_8).contains("no-such-video"));
    }

    @Test
    void aParameterGivenTwiceIs400NamingItOverHttpAnd1008OverWebSocket() throws Exception {
        // The first value won, silently: ?filter=blur&filter=grayscale streamed blur, frames=1&frames=100000 one frame.
        for (String query : new String[] {"filter=blur&filter=grayscale", "frames=1&filter=none&frames=100000"}) {
            HttpResponse<byte[]> twice = get(server, "/mjpeg/" + ID + "?" + query);
            assertEquals(400, twice.statusCode(), query);
            assertTrue(new String(twice.body(), StandardCharsets.UTF_8).contains("given twice"), query);
        }
        Client c = new Client("/ws/processed/" + ID + "?filter=blur&filter=grayscale");
        Client.Closed closed = assertInstanceOf(Client.Closed.class, c.next());
        assertEquals(1008, closed.code());
        assertTrue(closed.reason().contains("'filter' given twice"), closed.reason());
    }

    @Test
    void missingFfmpegIs503SayingSo() throws Exception {
        Phase3Server noFfmpeg = startWith(new Y4mProxies(cache.resolve("none"), cache.resolve("no-ffmpeg").toString()));
        try {
            HttpResponse<byte[]> r = get(noFfmpeg, "/mjpeg/" + ID);
            assertEquals(503, r.statusCode());
            assertTrue(new String(r.body(), StandardCharsets.UTF_8).contains("ffmpeg is not installed"));
            assertEquals(503, get(noFfmpeg, "/thumbs/" + ID + "/thumbnails.vtt").statusCode());
        } finally {
            noFfmpeg.close();
        }
    }

    /** A client that queues what it receives. */
    static final class Client implements WebSocket.Listener {
        record Closed(int code, String reason) {}

        final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
        private final StringBuilder text = new StringBuilder();
        final WebSocket ws;

        Client(String pathAndQuery) {
            this(server, pathAndQuery);
        }

        Client(Phase3Server s, String pathAndQuery) {
            ws = HTTP.newWebSocketBuilder().header("Origin", "http://" + s.uri().getAuthority())
                    .buildAsync(URI.create("ws://" + s.uri().getAuthority() + pathAndQuery), this).join();
        }

        Object next() throws InterruptedException {
            Object m = received.poll(60, TimeUnit.SECONDS);
            assertNotNull(m, "nothing received in 60 s");
            return m;
        }

        BufferedImage nextImage() throws Exception {
            Object m;
            while (!((m = next()) instanceof byte[])) {
                assertInstanceOf(String.class, m, "expected frames, got " + m);
            }
            BufferedImage img = ImageIO.read(new ByteArrayInputStream((byte[]) m));
            assertNotNull(img, "a binary message is not a JPEG");
            return img;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            binary.writeBytes(b);
            if (last) {
                received.add(binary.toByteArray());
                binary.reset();
            }
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                received.add(text.toString());
                text.setLength(0);
            }
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
            received.add(new Closed(code, reason));
            return null;
        }
    }

    @Test
    void webSocketSendsJpegFramesAndSwitchesFilterOnATextMessage() throws Exception {
        Client c = new Client("/ws/processed/" + ID + "?filter=none");
        try {
            BufferedImage first = c.nextImage();
            assertEquals(Y4mProxies.WIDTH, first.getWidth());
            assertTrue(colourfulness(first) > 3, "the sample has colour: " + colourfulness(first));
            c.ws.sendText("grayscale", true).join();
            Object ack;
            while (!((ack = c.next()) instanceof String)) {
                // frames sent before the switch
            }
            Map<String, Object> json = JsonParser.parseObject((String) ack, 1000);
            assertEquals("grayscale", json.get("filter"));
            assertTrue(colourfulness(c.nextImage()) < 3, "frames after the switch are grey");
            c.ws.sendText("sepia", true).join();
            Object err;
            while (!((err = c.next()) instanceof String)) {
                // frames
            }
            assertTrue(((String) err).contains("unknown filter"), (String) err);
        } finally {
            c.ws.abort();
        }
    }

    @Test
    void pastItsStreamPermitsAStreamIsToldToTryAgainLaterUntilOneEnds() throws Exception {
        Y4mProxies proxies = new Y4mProxies(cache.resolve("y4m"), ExternalTools.ffmpeg().toString());
        Phase3Server one = startWith((srv, ws) ->
                ProcessedVideos.install(srv, ws, new ProcessedVideos(srv.catalog(), proxies, srv.metrics(), 1)));
        try {
            Client holder = new Client(one, "/ws/processed/" + ID + "?filter=none");
            holder.nextImage(); // the one permit is taken

            HttpResponse<byte[]> refused = get(one, "/mjpeg/" + ID + "?frames=1");
            String why = new String(refused.body(), StandardCharsets.UTF_8);
            assertEquals(503, refused.statusCode(), why);
            assertEquals("5", refused.headers().firstValue("Retry-After").orElse(null));
            assertTrue(why.contains("all 1 processed streams are in use"), why);
            Client second = new Client(one, "/ws/processed/" + ID + "?filter=none");
            Client.Closed closed = assertInstanceOf(Client.Closed.class, second.next());
            assertEquals(1013, closed.code());
            assertTrue(closed.reason().contains("try again in 5 s"), closed.reason());
            String metrics = new String(get(one, "/metrics").body(), StandardCharsets.UTF_8);
            assertTrue(metrics.contains("streamlab_processed_refused_total 2"), "both refusals counted");
            assertTrue(metrics.contains("streamlab_processed_streams 1"), "the one stream served, the permit it holds");

            holder.ws.sendClose(1000, "done").join(); // its stream ends and gives the permit back
            Await.until(Duration.ofSeconds(30), () -> get(one, "/mjpeg/" + ID + "?frames=1").statusCode() == 200);
            HttpResponse<byte[]> after = get(one, "/mjpeg/" + ID + "?frames=1");
            assertEquals(200, after.statusCode(), new String(after.body(), StandardCharsets.UTF_8));
            assertEquals(1, parts(after.body(), ProcessedVideos.BOUNDARY).size());
        } finally {
            one.close();
        }
    }

    /** A request over a plain socket whose response head was read; the body (a stream's frames) is left unread. */
    record Held(Socket socket, int status, String head) implements AutoCloseable {
        /** The rest of a response with a Content-Length: a refusal's message. */
        String body() throws IOException {
            int n = Integer.parseInt(head.replaceAll("(?is).*\r\ncontent-length: *(\\d+).*", "$1"));
            return new String(socket.getInputStream().readNBytes(n), StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /**
     * GET {@code target} from the loopback address {@code from}: Linux routes all of 127.0.0.0/8 to the loopback
     * interface, so 127.0.0.1 and 127.0.0.2 are two clients to the server.
     */
    static Held getFrom(Phase3Server s, String from, String target) throws IOException {
        Socket socket = new Socket();
        try {
            socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            socket.connect(new InetSocketAddress(s.uri().getHost(), s.uri().getPort()), 10_000);
            socket.setSoTimeout(60_000);
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: " + s.uri().getAuthority()
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (head.length() < 4 || head.lastIndexOf("\r\n\r\n") != head.length() - 4) {
                int c = in.read();
                if (c < 0) throw new EOFException("closed after " + head);
                head.append((char) c);
            }
            return new Held(socket, Integer.parseInt(head.substring(9, 12)), head.toString());
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    @Test
    void oneClientHoldsAtMostAQuarterOfTheStreamPermitsAndAnotherClientIsStillServed() throws Exception {
        Y4mProxies proxies = new Y4mProxies(cache.resolve("y4m"), ExternalTools.ffmpeg().toString());
        int permits = 8; // a quarter: 2 per client
        Phase3Server eight = startWith((srv, ws) ->
                ProcessedVideos.install(srv, ws, new ProcessedVideos(srv.catalog(), proxies, srv.metrics(), permits)));
        String stream = "/mjpeg/" + ID + "?filter=none";
        List<Held> held = new ArrayList<>();
        try {
            // One client opens streams and never reads their frames: each holds a permit all the same.
            for (int i = 0; i < permits / ProcessedVideos.CLIENT_SHARE; i++) {
                held.add(getFrom(eight, "127.0.0.1", stream));
                assertEquals(200, held.getLast().status(), held.getLast().head());
            }
            try (Held refused = getFrom(eight, "127.0.0.1", stream)) {
                assertEquals(503, refused.status(), "a third stream from the same client: " + refused.head());
                String why = refused.body();
                assertTrue(refused.head().contains("\r\nRetry-After: 5\r\n"), refused.head());
                assertTrue(why.contains("already has 2 processed streams, the most one client may have"), why);
            }
            Client ws = new Client(eight, "/ws/processed/" + ID + "?filter=none"); // the JDK's client: 127.0.0.1 too
            Client.Closed closed = assertInstanceOf(Client.Closed.class, ws.next());
            assertEquals(1013, closed.code());
            assertTrue(closed.reason().contains("the most one client may have; try again in 5 s"), closed.reason());
            // 6 permits are free: another client is served.
            held.add(getFrom(eight, "127.0.0.2", stream));
            assertEquals(200, held.getLast().status(), held.getLast().head());
            String metrics = new String(get(eight, "/metrics").body(), StandardCharsets.UTF_8);
            assertTrue(metrics.contains("streamlab_processed_refused_total 2"), "both refusals counted");
            assertTrue(metrics.contains("streamlab_processed_streams 3"), "the refusals gave their permits back");

            held.removeFirst().close(); // one of the first client's streams ends: it may have another
            Await.until(Duration.ofSeconds(30), () -> get(eight, stream + "&frames=1").statusCode() == 200);
            HttpResponse<byte[]> again = get(eight, stream + "&frames=1");
            assertEquals(200, again.statusCode(), new String(again.body(), StandardCharsets.UTF_8));
        } finally {
            for (Held h : held) h.close();
            eight.close();
        }
    }

    @Test
    void aBlankTextMessageIsAnErrorAndOneLongerThanAnyFilterNameIsClosedWith1009() throws Exception {
        // Took the server's 16 MiB message limit: 64 KiB of whitespace was read whole, stripped to "" and taken as
        // "none", switching the stream's filter without a word about what was wrong.
        Client c = new Client("/ws/processed/" + ID + "?filter=grayscale");
        try {
            c.nextImage();
            c.ws.sendText(" ", true).join();
            Object err;
            while (!((err = c.next()) instanceof String)) {
                // frames
            }
            assertTrue(((String) err).contains("\"error\"") && ((String) err).contains("grayscale"), (String) err);
            c.ws.sendText(" ".repeat(64 << 10), true).join();
            Object m;
            while (!((m = c.next()) instanceof Client.Closed)) {
                assertInstanceOf(byte[].class, m, "only frames until the Close: " + m);
            }
            assertEquals(1009, ((Client.Closed) m).code(), "" + m);
        } finally {
            c.ws.abort();
        }
    }

    @Test
    void webSocketWithBadFilterClosesWith1008AndUnknownVideoIs404() throws Exception {
        Client c = new Client("/ws/processed/" + ID + "?filter=sepia");
        Object m = c.next();
        Client.Closed closed = assertInstanceOf(Client.Closed.class, m);
        assertEquals(1008, closed.code());
        assertTrue(closed.reason().contains("unknown filter"), closed.reason());
        var failed = HTTP.newWebSocketBuilder().buildAsync(
                URI.create("ws://" + server.uri().getAuthority() + "/ws/processed/nope"), new WebSocket.Listener() {});
        Throwable t = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.CompletionException.class,
                failed::join).getCause();
        assertInstanceOf(java.net.http.WebSocketHandshakeException.class, t);
        assertEquals(404, ((java.net.http.WebSocketHandshakeException) t).getResponse().statusCode());
    }
}
