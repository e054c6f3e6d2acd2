package dev.streamlab.phase3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.testing.Await;
import dev.streamlab.websocket.server.WsEndpoints;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RELIABILITY.md: "a ping flood must not starve the server". Virtual threads are never preempted: a connection whose
 * reads always find bytes and whose writes always find room never parks, so it keeps its carrier for as long as its
 * peer keeps it busy. With one such peer per carrier, nothing else would run — not even a new client's request.
 * Each test floods every carrier (and one more) from clients that read everything they are sent, then asks a new
 * client for one answer. For WebSocket peers the server's {@code WorkCap} is what makes room for it, and against many
 * peers at once the {@code WorkBudget} they share; HTTP/1.1 pipelining and whole-file downloads did not starve anyone
 * without either, and the tests guard that it stays so. {@code -Dflooders=N} (on the {@code mvn} command line)
 * floods with N clients instead of one more than the carriers.
 */
class CarrierStarvationTest {
    /** The virtual-thread scheduler's carriers: one per core unless the JVM was told otherwise. */
    private static final int CARRIERS = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
            Runtime.getRuntime().availableProcessors());
    private static final int FLOODERS = Integer.getInteger("flooders", CARRIERS + 1);
    /** Enough peers at their own cap to fill two carriers: sixty did (3.6 s for a new client) before the budget. */
    private static final int MANY_FLOODERS = 64;
    /** A flooder counts as answered once this much came back (about 800 Pongs): it has had a carrier. */
    private static final long ANSWERED_BYTES = 100_000;
    /**
     * How much the flooders' answers are counted over, once the new client has its own: about 1.3 s of Pongs at the
     * shared budget, a fraction of a second of any faster flood. The window ends when this much has come, not after a
     * fixed time, so a slow machine lengthens it instead of failing it.
     */
    private static final long RATE_BYTES = 8L << 20;
    /** How long the new client may wait while the flood goes on; without the cap it waited for ever. */
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final String VIDEO = "sample-10s-360p-video-only";
    private static final String BIG_VIDEO = "sample-30s-360p-h264-aac";

    static Phase3Server server;
    /** Hundreds of thousands of requests: their access log lines would be 14 MB of test output. */
    private static final Logger ACCESS = Logger.getLogger("streamlab.access");
    private static Level accessLevel;

    @BeforeAll
    static void start() throws IOException {
        accessLevel = ACCESS.getLevel();
        ACCESS.setLevel(Level.WARNING);
        server = SampleServer.start();
        server.setUpgradeHandler(Phase3Main.webSockets(server)); // as ./lab run phase3 wires it
    }

    @AfterAll
    static void stop() {
        server.close();
        ACCESS.setLevel(accessLevel);
    }

    @Test
    void pingFloodsOnEveryCarrierDoNotStarveANewWebSocketClient() throws Exception {
        assertAnEchoUnderPingFlood(FLOODERS);
    }

    @Test
    void pingFloodsFromSixtyFourPeersAtTheirCapDoNotStarveANewWebSocketClient() throws Exception {
        assertAnEchoUnderPingFlood(MANY_FLOODERS);
    }

    @Test
    void emptyContinuationFloodsOnEveryCarrierDoNotStarveANewWebSocketClient() throws Exception {
        // A text message started, then 6-byte continuation frames without FIN and without payload, for ever: no event,
        // no growth, so neither the per-event cap nor the message limit saw them (a black-box audit: four such peers
        // kept a plain GET waiting 8.8 s). The peers get no answers to count, so this floods without underFlood.
        byte[] start = {(byte) 0x01, (byte) 0x81, 0, 0, 0, 0, 'a'}; // text, no FIN, masked with key 0, "a"
        byte[] empty = {(byte) 0x00, (byte) 0x80, 0, 0, 0, 0};      // continuation, no FIN, masked, empty
        byte[] batch = new byte[empty.length * 4096];
        for (int i = 0; i < 4096; i++) System.arraycopy(empty, 0, batch, i * empty.length, empty.length);
        long overCap = metric("streamlab_ws_over_cap_total");
        AtomicBoolean stop = new AtomicBoolean();
        List<Socket> sockets = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        try {
            for (int i = 0; i < FLOODERS; i++) {
                Socket s = upgradedToEcho();
                sockets.add(s);
                s.getOutputStream().write(start);
                threads.add(Thread.ofPlatform().daemon().start(() -> flood(s, batch, stop)));
            }
            // The flood is on once the cap has held a flooder back: fragments are charged, or this never comes.
            assertTrue(Await.until(Duration.ofSeconds(10), () -> metric("streamlab_ws_over_cap_total") > overCap),
                    "the fragments were charged to the cap");
            long asked = System.nanoTime();
            try (Socket probe = upgradedToEcho()) {
                probe.setSoTimeout((int) PATIENCE.toMillis());
                probe.getOutputStream().write(new byte[] {(byte) 0x81, (byte) 0x82, 0, 0, 0, 0, 'o', 'k'});
                InputStream in = probe.getInputStream();
                assertEquals(0x81, in.read(), "a text frame back");
                assertEquals("ok", new String(in.readNBytes(in.read()), StandardCharsets.US_ASCII));
            }
            System.out.printf("a new client's echo under %d empty-continuation floods came in %d ms%n", FLOODERS,
                    (System.nanoTime() - asked) / 1_000_000);
        } finally {
            stop.set(true);
            for (Socket s : sockets) s.close();
            for (Thread t : threads) t.join(5000);
        }
    }

    /** Floods with Pings from {@code flooders} peers; a new client's text message must come back. */
    private void assertAnEchoUnderPingFlood(int flooders) throws Exception {
        byte[] frame = new byte[2 + 4 + 125];
        frame[0] = (byte) 0x89; // FIN, Ping
        frame[1] = (byte) (0x80 | 125); // masked (RFC 6455 §5.3), the most a control frame may carry
        for (int i = 6; i < frame.length; i++) frame[i] = 'p'; // mask key 0: the payload reads as sent
        long overCap = metric("streamlab_ws_over_cap_total");
        Flood flood = underFlood("WebSocket ping", flooders, this::upgradedToEcho, frame, 512, () -> {
            Socket s = upgradedToEcho();
            try (s) {
                s.setSoTimeout((int) PATIENCE.toMillis());
                byte[] text = "still here".getBytes(StandardCharsets.US_ASCII);
                byte[] f = new byte[6 + text.length];
                f[0] = (byte) 0x81;
                f[1] = (byte) (0x80 | text.length);
                System.arraycopy(text, 0, f, 6, text.length);
                s.getOutputStream().write(f);
                InputStream in = s.getInputStream();
                int b0 = in.read();
                assertEquals(0x81, b0, "a text frame (the first heartbeat is 30 s away)");
                return new String(in.readNBytes(in.read()), StandardCharsets.US_ASCII);
            }
        });
        assertEquals("still here", flood.answer());
        // All peers together got no more than their shared budget (plus slack for its burst and for Pongs in flight):
        // without the budget, 64 peers at their own cap got over 200,000 Pongs a second, filling both carriers.
        double pongs = flood.bytesPerSecond() / (frame.length - 4); // a Pong: the Ping without its mask key
        System.out.printf("%d peers' Pongs together: %,.0f a second (shared budget %,d)%n", flooders, pongs,
                WsEndpoints.SHARED_EVENTS_PER_SECOND);
        assertTrue(pongs < 1.5 * WsEndpoints.SHARED_EVENTS_PER_SECOND, "over the shared budget: " + pongs + "/s");
        assertTrue(metric("streamlab_ws_over_cap_total") > overCap,
                "the cap held the flooders back, and /metrics says so");
    }

    @Test
    void pipelinedRequestFloodsOnEveryCarrierDoNotStarveANewHttpClient() throws Exception {
        // One-byte ranges: each answer is a head and a transferTo, and the flooders read them all.
        assertACatalogUnderHttpFlood("pipelined request", "/videos/" + VIDEO, "Range: bytes=0-0\r\n", 64);
    }

    @Test
    void wholeFileDownloadsOnEveryCarrierDoNotStarveANewHttpClient() throws Exception {
        // Bodies far bigger than a request, read at once by the flooders: if transferTo never found the socket buffer
        // full, the sending thread would never park. Measured, it does often enough; this guards that it stays so.
        assertACatalogUnderHttpFlood("whole-file download", "/videos/" + BIG_VIDEO, "", 4);
    }

    /** Floods with {@code batch} pipelined GETs of {@code target} per write; a new client must get the catalog. */
    private void assertACatalogUnderHttpFlood(String what, String target, String fields, int batch) throws Exception {
        byte[] request = ("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + fields + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        String head = underFlood(what, FLOODERS, this::connected, request, batch, this::catalog).answer();
        assertTrue(head.startsWith("HTTP/1.1 200") && head.contains(VIDEO), head.lines().findFirst().orElse(""));
    }

    interface Opener {
        Socket open() throws IOException;
    }

    interface Probe {
        String run() throws IOException;
    }

    /** What the new client was answered, and how fast all flooders together were answered meanwhile. */
    record Flood(String answer, double bytesPerSecond) {}

    /**
     * Opens {@code flooders} connections, each sent {@code unit} repeated {@code batch} times per write for as long as
     * the test lasts and drained by a thread of its own; once every one is being answered, runs {@code probe}, then
     * times how long all flooders together take to receive {@link #RATE_BYTES} more. Clients are platform threads: they
     * must not share the server's carriers.
     */
    private static Flood underFlood(String what, int flooders, Opener opener, byte[] unit, int batch, Probe probe)
            throws Exception {
        byte[] all = new byte[unit.length * batch];
        for (int i = 0; i < batch; i++) System.arraycopy(unit, 0, all, i * unit.length, unit.length);
        AtomicBoolean stop = new AtomicBoolean();
        List<Socket> sockets = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        List<AtomicLong> received = new ArrayList<>();
        try {
            for (int i = 0; i < flooders; i++) {
                Socket s = opener.open();
                sockets.add(s);
                AtomicLong got = new AtomicLong();
                received.add(got);
                threads.add(Thread.ofPlatform().daemon().start(() -> flood(s, all, stop)));
                threads.add(Thread.ofPlatform().daemon().start(() -> drain(s, got)));
            }
            Await.until(Duration.ofSeconds(10), () -> received.stream().allMatch(r -> r.get() > ANSWERED_BYTES));
            assertTrue(received.stream().allMatch(r -> r.get() > ANSWERED_BYTES),
                    "every flooder is answered (bytes each; 0: a connection that never got a carrier): " + received);
            long asked = System.nanoTime();
            CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
                try {
                    return probe.run();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, r -> Thread.ofPlatform().daemon().start(r));
            String result;
            try {
                result = answer.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("a new client got no answer in " + PATIENCE.toSeconds() + " s while "
                        + flooders + " peers flooded " + CARRIERS + " carriers: starved");
            }
            System.out.printf("a new client's answer under %d %s floods (%d carriers) came in %d ms%n", flooders, what,
                    CARRIERS, (System.nanoTime() - asked) / 1_000_000);
            long first = received.getFirst().get();
            long before = total(received);
            long from = System.nanoTime();
            Await.until(Duration.ofSeconds(10),
                    () -> total(received) - before >= RATE_BYTES && received.getFirst().get() > first);
            double perSecond = (total(received) - before) / ((System.nanoTime() - from) / 1e9);
            assertTrue(received.getFirst().get() > first, "the flood was still on, and still answered");
            return new Flood(result, perSecond);
        } finally {
            stop.set(true);
            for (Socket s : sockets) s.close();
            for (Thread t : threads) t.join(5000);
        }
    }

    private static long total(List<AtomicLong> received) {
        return received.stream().mapToLong(AtomicLong::get).sum();
    }

    private static void flood(Socket s, byte[] batch, AtomicBoolean stop) {
        try {
            OutputStream out = s.getOutputStream();
            while (!stop.get()) out.write(batch);
        } catch (IOException closed) {
            // the test closed the socket, or the server dropped it: the flood ends either way
        }
    }

    private static void drain(Socket s, AtomicLong received) {
        byte[] sink = new byte[64 * 1024];
        try {
            InputStream in = s.getInputStream();
            for (int n; (n = in.read(sink)) >= 0; ) received.addAndGet(n);
        } catch (IOException closed) {
            // as above
        }
    }

    /** A sample's value on /metrics, 0 when absent. */
    private static long metric(String series) throws Exception {
        String text = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(server.uri().resolve("/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        return text.lines().filter(l -> l.startsWith(series + " ")).mapToLong(l -> (long) Double.parseDouble(
                l.substring(series.length() + 1).trim())).findFirst().orElse(0);
    }

    /** What a new client asks for while the flood goes on: the catalog, the whole answer. */
    private String catalog() throws IOException {
        try (Socket s = connected()) {
            s.setSoTimeout((int) PATIENCE.toMillis());
            s.getOutputStream().write("GET /api/videos HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            s.getInputStream().transferTo(b);
            return b.toString(StandardCharsets.UTF_8);
        }
    }

    private Socket connected() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", server.uri().getPort()), 5000);
        s.setTcpNoDelay(true);
        return s;
    }

    /** A socket after a completed handshake on /ws/echo. */
    private Socket upgradedToEcho() throws IOException {
        Socket s = connected();
        s.getOutputStream().write(("GET /ws/echo HTTP/1.1\r\nHost: 127.0.0.1:" + server.uri().getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) throw new IOException("closed during the handshake: " + head);
            head.write(c);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        if (!h.startsWith("HTTP/1.1 101")) throw new IOException("handshake refused: " + h);
        return s;
    }
}
