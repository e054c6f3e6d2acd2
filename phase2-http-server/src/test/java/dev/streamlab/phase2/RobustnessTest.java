package dev.streamlab.phase2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.testing.Await;
import dev.streamlab.testing.ExternalTools;
import dev.streamlab.testing.Fifos;
import dev.streamlab.testing.LogCapture;
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
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad inputs trusted servers survive (shared/RELIABILITY.md): disconnects mid-download, path tricks, oversized
 * requests, clients that stop reading.
 */
class RobustnessTest {
    /** Short enough for a test; the watchdog's behaviour does not depend on the value. */
    static final long STALL_MILLIS = 1000;

    @TempDir
    static Path media;
    static Phase2Server server;
    static byte[] big;

    @BeforeAll
    static void start() throws Exception {
        Files.copy(ExternalTools.media().resolve("sample-10s-360p-video-only.mp4"), media.resolve("small.mp4"));
        // 24 MiB: more than loopback socket buffers hold, so a client that stops reading really blocks the server.
        big = new byte[24 << 20];
        new Random(42).nextBytes(big);
        Files.write(media.resolve("big.mp4"), big);
        server = Phase2Server.start("127.0.0.1", 0, media,
                new Phase2Server.Settings("reused", STALL_MILLIS, ExternalTools.root().resolve("frontend")));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static long openFileDescriptors() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    static String metric(String name) throws IOException {
        for (String line : RawHttp.get(server.uri(), "/metrics").text().split("\n")) {
            if (line.startsWith(name + " ")) return line.substring(name.length() + 1);
        }
        return "";
    }

    /** Waits (bounded) until the server has no request in flight other than the one asking. */
    static void awaitIdle() throws Exception {
        Await.until(Duration.ofSeconds(10), () -> metric("streamlab_http_active_requests").equals("1"));
    }

    @Test
    void aThousandClientsHangingUpMidDownloadLeakNothingAndLogNoErrors() throws Exception {
        try (LogCapture warnings = LogCapture.everyWarning()) {
            awaitIdle();
            long before = openFileDescriptors();
            byte[] request = ("GET /videos/big HTTP/1.1\r\nHost: t\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 1000; i++) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", server.uri().getPort()), 5000);
                    s.setSoLinger(true, 0); // close with a reset, as a killed tab does
                    s.getOutputStream().write(request);
                    s.getInputStream().readNBytes(1 + i % 3000); // somewhere in the headers or the body
                }
            }
            awaitIdle();
            long after = openFileDescriptors();
            // The server closes its side when it notices; a handful may still be in flight, a leak would be ~1000.
            assertTrue(after - before < 50, "file descriptors " + before + " -> " + after);
            assertEquals(List.of(), warnings.lines());
        }
        assertEquals(200, RawHttp.get(server.uri(), "/videos/small").status(), "still serving");
    }

    @Test
    void pathTricksFindNothing() throws Exception {
        URI s = server.uri();
        for (String target : List.of("/videos/../pom.xml", "/videos/..%2f..%2fpom.xml", "/videos/%2e%2e%2fpom.xml",
                "/videos/%2fetc%2fpasswd", "/videos/..%5c..%5cpom.xml", "/videos//etc/passwd", "/videos/small.mp4",
                "/videos/SMALL", "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/js/../../pom.xml",
                "/..%2f..%2fpom.xml", "/etc/passwd", "/.hidden", "/api/videos/..%2fsmall")) {
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
            server.catalog().rescan();
            assertEquals(404, RawHttp.get(server.uri(), "/videos/escape").status());
            assertFalse(RawHttp.get(server.uri(), "/api/videos").text().contains("escape"));
        } finally {
            Files.delete(media.resolve("escape.mp4"));
        }
    }

    /**
     * A listed video replaced by a FIFO before the next listing (the catalog answers from its last one for a second):
     * opening a FIFO for reading blocks until a writer comes, so the request thread would hang for good.
     */
    @Test
    void aVideoReplacedByAFifoIsNotOpened() throws Exception {
        Path file = media.resolve("soon-a-fifo.mp4");
        Files.copy(media.resolve("small.mp4"), file);
        try {
            server.catalog().rescan();
            Files.delete(file);
            Fifos.make(file);
            RawHttp.Response r = RawHttp.get(server.uri(), "/videos/soon-a-fifo");
            assertEquals(404, r.status(), r.text());
            assertTrue(r.text().contains("soon-a-fifo"), r.text());
        } finally {
            Fifos.release(file);
            Files.deleteIfExists(file);
            server.catalog().rescan();
        }
    }

    /** The same race with a symbolic-link loop: opening it fails (ELOOP), and the client must still get an answer. */
    @Test
    void aVideoReplacedByASymlinkLoopGetsA404() throws Exception {
        Path file = media.resolve("soon-a-loop.mp4");
        Files.copy(media.resolve("small.mp4"), file);
        try {
            server.catalog().rescan();
            Files.delete(file);
            Files.createSymbolicLink(file, file.getFileName());
            RawHttp.Response r = RawHttp.get(server.uri(), "/videos/soon-a-loop");
            assertEquals(404, r.status(), r.text());
            assertTrue(r.text().contains("soon-a-loop") && !r.text().contains(media.toString()), r.text());
        } finally {
            Files.deleteIfExists(file);
            server.catalog().rescan();
        }
    }

    /**
     * A video replaced by another file (a new inode, renamed over it) of the same size with its mtime copied over, as
     * {@code cp -p}, {@code rsync -t} or {@code touch -r} leave it: the mapped strategy must send the new bytes, not
     * those of the mapping it made of the old file. (The ETag is the same for both: see Validators.forFile.)
     */
    @Test
    void aVideoReplacedByAnotherOfTheSameSizeAndTimeIsSentFromTheNewFile(@TempDir Path dir) throws Exception {
        byte[] before = new byte[100_000];
        byte[] after = new byte[before.length];
        new Random(1).nextBytes(before);
        new Random(2).nextBytes(after);
        Path file = Files.write(dir.resolve("v.mp4"), before);
        try (Phase2Server mapped = Phase2Server.start("127.0.0.1", 0, dir,
                new Phase2Server.Settings("mapped", 30_000, ExternalTools.root().resolve("frontend")))) {
            assertArrayEquals(before, RawHttp.get(mapped.uri(), "/videos/v").body());
            Path next = Files.write(dir.resolve(".next"), after);
            Files.setLastModifiedTime(next, Files.getLastModifiedTime(file));
            Files.move(next, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            assertArrayEquals(after, RawHttp.get(mapped.uri(), "/videos/v").body());
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
            server.catalog().rescan();
            assertEquals(200, RawHttp.get(server.uri(), "/api/videos/rewritten/boxes").status());
            try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(0);
            }
            RawHttp.Response r = RawHttp.get(server.uri(), "/api/videos/rewritten/boxes");
            // 503 while the catalog still has the old parse; 422 (an empty file) once it has listed the folder again.
            assertTrue(r.status() == 503 || r.status() == 422, r.status() + " " + r.text());
            assertTrue(r.text().contains("rewritten"), r.text());
        } finally {
            Files.deleteIfExists(file);
            server.catalog().rescan();
        }
    }

    /** RFC 9110 §9.3.2: HEAD gets the header fields GET would, Content-Length: 0 of an empty file included. */
    @Test
    void headOfAnEmptyVideoHasTheContentLengthOfItsGet() throws Exception {
        Path file = Files.createFile(media.resolve("empty.mp4"));
        try {
            server.catalog().rescan();
            RawHttp.Response get = RawHttp.get(server.uri(), "/videos/empty");
            RawHttp.Response head = RawHttp.send(server.uri(), "HEAD", "/videos/empty");
            assertEquals(200, get.status());
            assertEquals(200, head.status());
            assertEquals("0", get.header("Content-Length"));
            assertEquals(get.header("Content-Length"), head.header("Content-Length"));
        } finally {
            Files.delete(file);
            server.catalog().rescan();
        }
    }

    /** The static files are listed once and looked up by name; a student may delete one while the server runs. */
    @Test
    void aStaticFileRemovedWhileRunningIsA404NotAnEmptyReply(@TempDir Path frontend) throws Exception {
        Files.writeString(frontend.resolve("index.html"), "<!doctype html>");
        Path extra = Files.writeString(frontend.resolve("extra.js"), "let x = 1;");
        try (Phase2Server s = Phase2Server.start("127.0.0.1", 0, media,
                new Phase2Server.Settings("reused", 30_000, frontend))) {
            assertEquals(200, RawHttp.get(s.uri(), "/extra.js").status());
            Files.delete(extra);
            RawHttp.Response r = RawHttp.get(s.uri(), "/extra.js");
            assertEquals(404, r.status(), r.text());
            assertTrue(r.text().contains("/extra.js"), r.text());
        }
    }

    @Test
    void oversizedRequestsGetAClear4xx() throws Exception {
        URI s = server.uri();
        RawHttp.Response longUri = RawHttp.get(s, "/videos/" + "a".repeat(10_000));
        assertEquals(414, longUri.status());
        assertTrue(longUri.body().length < 1000, "the error does not echo the whole URI back");
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 150; i++) many.add("X-Filler-" + i + ": 1");
        assertEquals(431, RawHttp.get(s, "/videos/small", many.toArray(String[]::new)).status());
        assertEquals(431, RawHttp.get(s, "/videos/small", "X-Big: " + "b".repeat(20_000)).status());
    }

    @Test
    void aClientThatStopsReadingIsCutOffButASlowSteadyReaderIsNot() throws Exception {
        long stalledBefore = Long.parseLong(metric("streamlab_http_stalled_writes_total").isEmpty() ? "0"
                : metric("streamlab_http_stalled_writes_total"));
        // 1) requests 24 MiB and never reads: the server's write blocks, the watchdog cuts it off.
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(64 * 1024);
            s.connect(new InetSocketAddress("127.0.0.1", server.uri().getPort()), 5000);
            s.getOutputStream().write("GET /videos/big HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Await.until(Duration.ofSeconds(20), () -> stalledWrites() != stalledBefore);
            assertEquals(stalledBefore + 1, stalledWrites(), "the watchdog cut off the stalled response");
            // Draining now ends early: the server closed the connection before sending everything.
            s.setSoTimeout(10_000);
            long got = drain(s.getInputStream());
            assertTrue(got < big.length, "received " + got + " of " + big.length);
        }
        // 2) a reader slower than the stall timeout in total, but making progress: gets every byte.
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(64 * 1024);
            s.connect(new InetSocketAddress("127.0.0.1", server.uri().getPort()), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /videos/big HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            RawHttp.Response r = readPaced(in);
            assertEquals(200, r.status());
            assertArrayEquals(big, r.body(), "every byte, in order");
        }
        assertEquals(stalledBefore + 1, Long.parseLong(metric("streamlab_http_stalled_writes_total")),
                "the slow reader was not cut off");
    }

    static long stalledWrites() throws IOException {
        String v = metric("streamlab_http_stalled_writes_total");
        return v.isEmpty() ? 0 : Long.parseLong(v);
    }

    /** Reads a response 128 KiB at a time with a pause after each: about 5 s for 24 MiB, five stall timeouts. */
    private static RawHttp.Response readPaced(InputStream in) throws Exception {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[128 * 1024];
        for (int n; (n = in.readNBytes(buf, 0, buf.length)) > 0; ) {
            all.write(buf, 0, n);
            Thread.sleep(25); // the point of this reader: slow, but never stopped for a whole stall timeout
        }
        byte[] bytes = all.toByteArray();
        String text = new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        int status = Integer.parseInt(text.substring(9, 12));
        return new RawHttp.Response(status, java.util.Map.of(), java.util.Arrays.copyOfRange(bytes, end + 4,
                bytes.length));
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
