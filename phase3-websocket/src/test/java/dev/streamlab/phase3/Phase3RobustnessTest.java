package dev.streamlab.phase3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.http1.Http1Settings;
import dev.streamlab.phase2.RawHttp;
import dev.streamlab.testing.ExternalTools;
import dev.streamlab.testing.Fifos;
import dev.streamlab.testing.LogCapture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The bad clients of shared/RELIABILITY.md against phase 3: hang-ups mid-download, clients that stop reading,
 * path tricks, oversized requests — and big {@code transferTo} bodies, byte for byte, with the zero-return
 * fallback counted.
 */
class Phase3RobustnessTest {
    /** Short enough for a test; the watchdog's behaviour does not depend on the value. */
    static final Duration STALL = Duration.ofSeconds(1);

    @TempDir
    static Path media;
    static byte[] big;
    static Phase3Server virtual;
    static Phase3Server platform;

    @BeforeAll
    static void start() throws Exception {
        Files.copy(ExternalTools.media().resolve("sample-10s-360p-video-only.mp4"), media.resolve("small.mp4"));
        // 24 MiB: more than loopback socket buffers hold, so a client that stops reading really blocks the server.
        big = new byte[24 << 20];
        new Random(42).nextBytes(big);
        Files.write(media.resolve("big.mp4"), big);
        Http1Settings http = Http1Settings.DEFAULTS.withTimeouts(Duration.ofSeconds(20), Duration.ofSeconds(30), STALL);
        Phase3Server.Settings settings = Phase3Server.Settings.of(ExternalTools.root().resolve("frontend"));
        virtual = Phase3Server.start("127.0.0.1", 0, media, settings.withHttp(http));
        platform = Phase3Server.start("127.0.0.1", 0, media,
                settings.withHttp(http.withThreads(Http1Settings.Threads.PLATFORM)));
    }

    @AfterAll
    static void stop() throws Exception {
        for (Phase3Server s : List.of(virtual, platform)) {
            System.out.printf("%s: transferTo returned 0 %s times in this class; %d of %d body bytes copied%n",
                    s == virtual ? "virtual" : "platform", metric(s, "streamlab_http_transferto_zero_returns_total"),
                    s.provenance().bytesCopied(), s.provenance().bytesSent());
        }
        virtual.close();
        platform.close();
    }

    static Phase3Server server(Http1Settings.Threads t) {
        return t == Http1Settings.Threads.VIRTUAL ? virtual : platform;
    }

    static long openFileDescriptors() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    static String metric(Phase3Server s, String name) throws IOException {
        for (String line : RawHttp.get(s.uri(), "/metrics").text().split("\n")) {
            if (line.startsWith(name + " ")) return line.substring(name.length() + 1);
        }
        return "0";
    }

    /** Waits (bounded) until the only open connection is the one asking. */
    static void awaitIdle(Phase3Server s) throws Exception {
        dev.streamlab.testing.Await.until(java.time.Duration.ofSeconds(10),
                () -> metric(s, "streamlab_http_open_connections").equals("1"));
    }

    @ParameterizedTest
    @EnumSource(Http1Settings.Threads.class)
    void bigTransferToBodiesArriveByteForByteAndTheZeroReturnFallbackIsCounted(Http1Settings.Threads threads)
            throws Exception {
        Phase3Server s = server(threads);
        long zeros = Long.parseLong(metric(s, "streamlab_http_transferto_zero_returns_total"));
        long copied = s.provenance().bytesCopied();
        long sent = s.provenance().bytesSent();
        // A reader a little slower than the server, with a small receive buffer: the socket buffer fills up.
        try (Socket sock = new Socket()) {
            sock.setReceiveBufferSize(64 * 1024);
            sock.connect(new InetSocketAddress("127.0.0.1", s.uri().getPort()), 5000);
            sock.setSoTimeout(10_000);
            sock.getOutputStream().write("GET /videos/big HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            RawHttp.Response r = readPaced(sock.getInputStream(), 1);
            assertEquals(200, r.status());
            assertArrayEquals(big, r.body(), "every byte, in order");
        }
        awaitIdle(s);
        long zeroReturns = Long.parseLong(metric(s, "streamlab_http_transferto_zero_returns_total")) - zeros;
        long copies = s.provenance().bytesCopied() - copied;
        assertEquals(big.length, s.provenance().bytesSent() - sent);
        if (threads == Http1Settings.Threads.PLATFORM) {
            // A platform thread's socket stays blocking: sendfile waits, never returns 0, nothing is copied.
            assertEquals(0, zeroReturns);
            assertEquals(0, copies);
        } else {
            // A virtual thread's socket is non-blocking underneath: transferTo returns 0 when the buffer is full,
            // and each time one chunk of at most 16 KiB goes through the counted, parking fallback.
            assertTrue(zeroReturns > 0, "the socket buffer never filled?");
            assertTrue(copies > 0 && copies <= zeroReturns * 16 * 1024, copies + " bytes, " + zeroReturns + " zeros");
            assertTrue(copies < big.length / 2, "most bytes still went by sendfile: " + copies + " copied");
        }
        System.out.printf("%s threads: 24 MiB to a paced reader, transferTo returned 0 %d times, %d bytes (%.2f%%)"
                + " copied%n", threads, zeroReturns, copies, 100.0 * copies / big.length);
    }

    @Test
    void aFullSocketBufferParksTheVirtualThreadInsteadOfSpinningOnTransferTo() throws Exception {
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        long zeros = Long.parseLong(metric(virtual, "streamlab_http_transferto_zero_returns_total"));
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(64 * 1024);
            s.connect(new InetSocketAddress("127.0.0.1", virtual.uri().getPort()), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /videos/big HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            in.readNBytes(1024); // the server is sending; now stop reading (for less than the 1 s stall timeout)
            Thread.sleep(200);  // let the socket buffers fill
            long cpu = os.getProcessCpuTime();
            Thread.sleep(700);
            double busy = (os.getProcessCpuTime() - cpu) / 1e9 / 0.7;
            // A transferTo retry loop would keep a core busy (~1.0) for the whole pause.
            assertTrue(busy < 0.5, "the process used " + busy + " cores while the client read nothing");
            long rest = in.readAllBytes().length;
            assertTrue(rest > big.length / 2, "and the download then completes: " + rest);
        }
        assertTrue(Long.parseLong(metric(virtual, "streamlab_http_transferto_zero_returns_total")) > zeros,
                "the full buffer was met by the fallback");
    }

    @Test
    void aThousandClientsHangingUpMidDownloadLeakNothingAndLogNoErrors() throws Exception {
        try (LogCapture warnings = LogCapture.everyWarning()) {
            awaitIdle(virtual);
            long before = openFileDescriptors();
            byte[] request = "GET /videos/big HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 1000; i++) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", virtual.uri().getPort()), 5000);
                    s.setSoLinger(true, 0); // close with a reset, as a killed tab does
                    s.getOutputStream().write(request);
                    s.getInputStream().readNBytes(1 + i % 3000); // somewhere in the headers or the body
                }
            }
            awaitIdle(virtual);
            long after = openFileDescriptors();
            // Sockets and video files are both closed: a leak would be ~2000.
            assertTrue(after - before < 10, "file descriptors " + before + " -> " + after);
            assertEquals(List.of(), warnings.lines());
        }
        assertEquals(200, RawHttp.get(virtual.uri(), "/videos/small").status(), "still serving");
    }

    @ParameterizedTest
    @EnumSource(Http1Settings.Threads.class)
    void aClientThatStopsReadingIsCutOffButASlowSteadyReaderIsNot(Http1Settings.Threads threads) throws Exception {
        Phase3Server server = server(threads);
        long stalledBefore = Long.parseLong(metric(server, "streamlab_http_stalled_writes_total"));
        // 1) requests 24 MiB and never reads: the server's write blocks, the watchdog closes the connection.
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(64 * 1024);
            s.connect(new InetSocketAddress("127.0.0.1", server.uri().getPort()), 5000);
            s.getOutputStream().write("GET /videos/big HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            dev.streamlab.testing.Await.until(java.time.Duration.ofSeconds(20),
                    () -> Long.parseLong(metric(server, "streamlab_http_stalled_writes_total")) != stalledBefore);
            long stalled = Long.parseLong(metric(server, "streamlab_http_stalled_writes_total"));
            assertEquals(stalledBefore + 1, stalled, "the watchdog cut off the stalled response");
            s.setSoTimeout(10_000);
            long got = drain(s.getInputStream());
            assertTrue(got < big.length, "received " + got + " of " + big.length);
        }
        // 2) slower than the stall timeout in total, but never stopped for a whole one: gets every byte.
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(64 * 1024);
            s.connect(new InetSocketAddress("127.0.0.1", server.uri().getPort()), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /videos/big HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            RawHttp.Response r = readPaced(s.getInputStream(), 25);
            assertEquals(200, r.status());
            assertArrayEquals(big, r.body(), "every byte, in order");
        }
        assertEquals(stalledBefore + 1, Long.parseLong(metric(server, "streamlab_http_stalled_writes_total")),
                "the slow reader was not cut off");
    }

    @Test
    void pathTricksFindNothing() throws Exception {
        URI s = virtual.uri();
        for (String target : List.of("/videos/../pom.xml", "/videos/..%2f..%2fpom.xml", "/videos/%2e%2e%2fpom.xml",
                "/videos/%2fetc%2fpasswd", "/videos/..%5c..%5cpom.xml", "/videos//etc/passwd", "/videos/small.mp4",
                "/videos/SMALL", "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/js/../../pom.xml",
                "/..%2f..%2fpom.xml", "/etc/passwd", "/.hidden", "/api/videos/..%2fsmall",
                "http://evil/../../etc/passwd")) {
            int status = RawHttp.get(s, target).status();
            assertTrue(status == 404 || status == 400, target + " → " + status);
        }
        assertEquals(400, RawHttp.get(s, "/videos/small%00.mp4").status(), "NUL");
    }

    @Test
    void symlinksLeadingOutOfTheMediaFolderAreNotServed(@TempDir Path outside) throws Exception {
        Path secret = Files.writeString(outside.resolve("secret.mp4"), "not for you");
        Files.createSymbolicLink(media.resolve("escape.mp4"), secret);
        try {
            virtual.catalog().rescan();
            assertEquals(404, RawHttp.get(virtual.uri(), "/videos/escape").status());
            assertFalse(RawHttp.get(virtual.uri(), "/api/videos").text().contains("escape"));
        } finally {
            Files.delete(media.resolve("escape.mp4"));
        }
    }

    /**
     * A listed video replaced by a FIFO before the next listing (the catalog answers from its last one for a second):
     * opening a FIFO for reading blocks until a writer comes, so the connection thread would hang for good. Requested
     * once first, so the kept channel ({@link OpenFiles}) is there and has to be found stale.
     */
    @Test
    void aVideoReplacedByAFifoIsNotOpened() throws Exception {
        Path file = media.resolve("soon-a-fifo.mp4");
        Files.copy(media.resolve("small.mp4"), file);
        try {
            virtual.catalog().rescan();
            assertEquals(200, RawHttp.get(virtual.uri(), "/videos/soon-a-fifo").status());
            Files.delete(file);
            Fifos.make(file);
            RawHttp.Response r = RawHttp.get(virtual.uri(), "/videos/soon-a-fifo");
            assertEquals(404, r.status(), r.text());
            assertTrue(r.text().contains("soon-a-fifo") && !r.text().contains(media.toString()), r.text());
        } finally {
            Fifos.release(file);
            Files.deleteIfExists(file);
            virtual.catalog().rescan();
        }
    }

    /** The same race with a symbolic-link loop: its stat fails (ELOOP), and the client must still get an answer. */
    @Test
    void aVideoReplacedByASymlinkLoopGetsA404() throws Exception {
        Path file = media.resolve("soon-a-loop.mp4");
        Files.copy(media.resolve("small.mp4"), file);
        try {
            virtual.catalog().rescan();
            assertEquals(200, RawHttp.get(virtual.uri(), "/videos/soon-a-loop").status());
            Files.delete(file);
            Files.createSymbolicLink(file, file.getFileName());
            RawHttp.Response r = RawHttp.get(virtual.uri(), "/videos/soon-a-loop");
            assertEquals(404, r.status(), r.text());
            assertTrue(r.text().contains("soon-a-loop") && !r.text().contains(media.toString()), r.text());
        } finally {
            Files.deleteIfExists(file);
            virtual.catalog().rescan();
        }
    }

    /**
     * The player's files are listed once and looked up by name, and a student may delete one, or put a FIFO in its
     * place, while the server runs: phase 2's fix. Reading a FIFO would wait for a writer with the request unanswered.
     */
    @Test
    void aStaticFileRemovedOrReplacedByAFifoWhileRunningIsA404NotAnEmptyReplyOrAHang(@TempDir Path frontend)
            throws Exception {
        Files.writeString(frontend.resolve("index.html"), "<!doctype html>");
        Path removed = Files.writeString(frontend.resolve("removed.js"), "let x = 1;");
        Path fifo = Files.writeString(frontend.resolve("piped.js"), "let y = 2;");
        try (Phase3Server s = Phase3Server.start("127.0.0.1", 0, media, Phase3Server.Settings.of(frontend))) {
            try {
                assertEquals(200, RawHttp.get(s.uri(), "/removed.js").status());
                assertEquals(200, RawHttp.get(s.uri(), "/piped.js").status());
                Files.delete(removed);
                Files.delete(fifo);
                Fifos.make(fifo);
                for (String name : List.of("/removed.js", "/piped.js")) {
                    RawHttp.Response r = RawHttp.get(s.uri(), name);
                    assertEquals(404, r.status(), name + ": " + r.text());
                    assertTrue(r.text().contains(name) && !r.text().contains(frontend.toString()), r.text());
                }
            } finally {
                Fifos.release(fifo); // before close(): a thread stuck in open(2) would outlive the server
                Files.deleteIfExists(fifo);
            }
        }
    }

    /**
     * A video truncated in place after it was listed (as {@code ffmpeg -y} does to the file it rewrites): the parse
     * the catalog kept maps its moov, and reading the box tree from that mapping faults on the missing pages.
     */
    @Test
    void boxesOfAVideoTruncatedSinceItWasListedAreAClearErrorNotAnUncaughtFault() throws Exception {
        Path file = media.resolve("rewritten.mp4");
        Files.copy(media.resolve("small.mp4"), file);
        try {
            virtual.catalog().rescan();
            assertEquals(200, RawHttp.get(virtual.uri(), "/api/videos/rewritten/boxes").status());
            try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(0);
            }
            RawHttp.Response r = RawHttp.get(virtual.uri(), "/api/videos/rewritten/boxes");
            // 503 while the catalog still has the old parse; 422 (an empty file) once it has listed the folder again.
            assertTrue(r.status() == 503 || r.status() == 422, r.status() + " " + r.text());
            assertTrue(r.text().contains("rewritten"), r.text());
        } finally {
            Files.deleteIfExists(file);
            virtual.catalog().rescan();
        }
    }

    @Test
    void oversizedRequestsGetAClear4xx() throws Exception {
        URI s = virtual.uri();
        RawHttp.Response longUri = RawHttp.get(s, "/videos/" + "a".repeat(10_000));
        assertEquals(414, longUri.status());
        assertTrue(longUri.body().length < 1000, "the error does not echo the whole URI back");
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 150; i++) many.add("X-Filler-" + i + ": 1");
        assertEquals(431, RawHttp.get(s, "/videos/small", many.toArray(String[]::new)).status());
        assertEquals(431, RawHttp.get(s, "/videos/small", "X-Big: " + "b".repeat(20_000)).status());
    }

    /** Reads a response 128 KiB at a time, pausing {@code millis} after each. */
    static RawHttp.Response readPaced(InputStream in, long millis) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[128 * 1024];
        for (int n; (n = in.readNBytes(buf, 0, buf.length)) > 0; ) {
            all.write(buf, 0, n);
            Thread.sleep(millis);
        }
        byte[] bytes = all.toByteArray();
        String text = new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        int status = Integer.parseInt(text.substring(9, 12));
        return new RawHttp.Response(status, java.util.Map.of(), Arrays.copyOfRange(bytes, end + 4, bytes.length));
    }

    private static long drain(InputStream in) {
        long n = 0;
        byte[] buf = new byte[64 * 1024];
        try {
            for (int r; (r = in.read(buf)) != -1; ) n += r;
        } catch (IOException e) {
            // reset by the server: also an end
        }
        return n;
    }
}
