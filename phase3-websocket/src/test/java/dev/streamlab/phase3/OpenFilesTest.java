package dev.streamlab.phase3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.http1.Http1Settings;
import dev.streamlab.phase2.RawHttp;
import dev.streamlab.testing.Await;
import dev.streamlab.testing.ExternalTools;
import dev.streamlab.testing.LogCapture;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link OpenFiles}: a video's channel is opened once and reused while the file is unchanged, never serves a
 * changed file under old validators, and is opened again when an interrupt has closed it — checked on the table
 * itself and over a socket.
 */
class OpenFilesTest {
    @TempDir
    Path dir;

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void anUnchangedFileKeepsItsChannel() throws Exception {
        Path f = Files.write(dir.resolve("a.mp4"), bytes(1000, 1));
        try (OpenFiles files = new OpenFiles()) {
            OpenFiles.Open first = files.get(f);
            for (int i = 0; i < 10; i++) assertSame(first, files.get(f));
            assertEquals(1, files.opens());
            assertEquals(1000, first.size());
        }
    }

    @Test
    void aRewrittenFileIsOpenedAgainWithNewValidators() throws Exception {
        Path f = Files.write(dir.resolve("a.mp4"), bytes(1000, 1));
        try (OpenFiles files = new OpenFiles()) {
            OpenFiles.Open before = files.get(f);
            Files.write(f, bytes(1200, 2));
            OpenFiles.Open after = files.get(f);
            assertNotSame(before, after);
            assertEquals(1200, after.size());
            assertNotEquals(before.validators().etag(), after.validators().etag());
            assertEquals(2, files.opens());
        }
    }

    @Test
    void aFileReplacedBySameSizeAndMtimeIsStillSeenThroughItsInode() throws Exception {
        Path f = Files.write(dir.resolve("a.mp4"), bytes(1000, 1));
        FileTime mtime = Files.getLastModifiedTime(f);
        try (OpenFiles files = new OpenFiles()) {
            OpenFiles.Open before = files.get(f);
            // mv new.mp4 a.mp4 with the same size and a copied mtime: only the file identity tells them apart.
            Path replacement = Files.write(dir.resolve("new.mp4"), bytes(1000, 3));
            Files.setLastModifiedTime(replacement, mtime);
            Files.move(replacement, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            OpenFiles.Open after = files.get(f);
            assertNotSame(before, after);
            ByteBuffer b = ByteBuffer.allocate(1000);
            after.channel().read(b, 0);
            assertArrayEquals(bytes(1000, 3), b.array());
            // A response still sending from the old channel reads the old bytes, which its validators described.
            ByteBuffer old = ByteBuffer.allocate(1000);
            before.channel().read(old, 0);
            assertArrayEquals(bytes(1000, 1), old.array());
        }
    }

    @Test
    void aDeletedFileLeavesTheTable() throws Exception {
        Path f = Files.write(dir.resolve("a.mp4"), bytes(10, 1));
        try (OpenFiles files = new OpenFiles()) {
            files.get(f);
            assertEquals(1, files.size());
            Files.delete(f);
            assertThrows(NoSuchFileException.class, () -> files.get(f));
            assertEquals(0, files.size());
        }
    }

    @Test
    void aChangedFilesOldChannelClosesWhenItsLastResponseEnds() throws Exception {
        Path f = Files.write(dir.resolve("a.mp4"), bytes(1000, 1));
        try (OpenFiles files = new OpenFiles()) {
            OpenFiles.Open sending = files.get(f); // a response still sending from the first version
            Files.write(f, bytes(1200, 2));
            try (OpenFiles.Open after = files.get(f)) {
                assertTrue(sending.channel().isOpen(), "the response holding it keeps it open");
                sending.close();
                assertFalse(sending.channel().isOpen(), "closed as its last response ends, not at the next GC");
                assertTrue(after.channel().isOpen());
            }
            assertTrue(files.get(f).channel().isOpen(), "the table's own hold keeps the current one open");
        }
    }

    @Test
    void manyRewritesLeaveOnlyTheCurrentChannelOpen() throws Exception {
        Path f = Files.write(dir.resolve("a.mp4"), bytes(100, 0));
        List<FileChannel> seen = new ArrayList<>();
        try (OpenFiles files = new OpenFiles()) {
            for (int i = 1; i <= 50; i++) {
                try (OpenFiles.Open o = files.get(f)) {
                    seen.add(o.channel());
                }
                Files.write(f, bytes(100 + i, i)); // a new size each time: a change whatever the clock's grain
            }
            try (OpenFiles.Open current = files.get(f)) {
                assertEquals(51, files.opens());
                for (FileChannel old : seen) assertFalse(old.isOpen(), "a replaced, unheld channel is closed");
                assertTrue(current.channel().isOpen());
            }
            FileChannel last;
            try (OpenFiles.Open o = files.get(f)) {
                last = o.channel();
            }
            files.close();
            assertFalse(last.isOpen(), "closing the table closes what no response holds");
        }
    }

    @Test
    void aDeletedFilesChannelClosesWhenItsLastResponseEnds() throws Exception {
        Path f = Files.write(dir.resolve("a.mp4"), bytes(10, 1));
        try (OpenFiles files = new OpenFiles()) {
            OpenFiles.Open sending = files.get(f);
            Files.delete(f);
            assertThrows(NoSuchFileException.class, () -> files.get(f));
            assertTrue(sending.channel().isOpen());
            sending.close();
            assertFalse(sending.channel().isOpen());
        }
    }

    @Test
    void overASocketRewritesLeaveOneDescriptorPerFile() throws Exception {
        Path fds = Path.of("/proc/self/fd");
        ExternalTools.requireThat(Files.isDirectory(fds),
                "no /proc/self/fd: this test counts the JVM's descriptors there, which only Linux has");
        Path f = Files.write(dir.resolve("v.mp4"), bytes(10_000, 0));
        Phase3Server server = Phase3Server.start("127.0.0.1", 0, dir,
                Phase3Server.Settings.of(ExternalTools.root().resolve("frontend")));
        try {
            for (int i = 1; i <= 30; i++) {
                assertEquals(206, RawHttp.get(server.uri(), "/videos/v", "Range: bytes=0-1").status());
                Files.write(f, bytes(10_000 + i, i));
            }
            assertEquals(206, RawHttp.get(server.uri(), "/videos/v", "Range: bytes=0-1").status());
            assertEquals(31, metric(server.uri(), "streamlab_http_file_opens_total"));
            // Each response gives its hold back before the client has read it all, so no waiting is needed here;
            // before the holds, the 30 old descriptors stayed open until a full GC ran their cleaners.
            assertEquals(1, descriptorsOf(f.toRealPath(), fds), "descriptors open on " + f);
        } finally {
            server.close();
        }
    }

    static long descriptorsOf(Path file, Path fds) throws Exception {
        try (var links = Files.list(fds)) {
            return links.filter(l -> {
                try {
                    return Files.readSymbolicLink(l).equals(file);
                } catch (Exception gone) { // the listing's own descriptor, closed by now
                    return false;
                }
            }).count();
        }
    }

    @Test
    void overASocketRequestsReuseOneOpenAndAChangeIsServedAtOnce() throws Exception {
        Path f = Files.write(dir.resolve("v.mp4"), bytes(100_000, 1));
        Phase3Server server = Phase3Server.start("127.0.0.1", 0, dir,
                Phase3Server.Settings.of(ExternalTools.root().resolve("frontend")));
        try {
            URI uri = server.uri();
            RawHttp.Response first = RawHttp.get(uri, "/videos/v", "Range: bytes=0-99");
            for (int i = 0; i < 20; i++) {
                RawHttp.Response r = RawHttp.get(uri, "/videos/v", "Range: bytes=" + i * 100 + "-" + (i * 100 + 99));
                assertEquals(206, r.status());
                assertArrayEquals(Arrays.copyOfRange(bytes(100_000, 1), i * 100, i * 100 + 100), r.body());
            }
            assertEquals(1, metric(uri, "streamlab_http_file_opens_total"));
            assertEquals(1, metric(uri, "streamlab_http_open_files"));

            Files.write(f, bytes(90_000, 2)); // rewritten in place: new size, new mtime
            RawHttp.Response changed = RawHttp.get(uri, "/videos/v", "Range: bytes=0-99");
            assertEquals(206, changed.status());
            assertEquals("bytes 0-99/90000", changed.header("Content-Range"));
            assertArrayEquals(Arrays.copyOf(bytes(90_000, 2), 100), changed.body());
            assertNotEquals(first.header("ETag"), changed.header("ETag"));
            assertEquals(2, metric(uri, "streamlab_http_file_opens_total"));

            Files.delete(f);
            assertEquals(404, RawHttp.get(uri, "/videos/v").status());
        } finally {
            server.close();
        }
    }

    /**
     * Closes {@code channel} the way the JDK does when a thread is interrupted in a read of it: a thread with its
     * interrupt status set reads one byte, at an absolute position as the responses do.
     */
    static void closeByInterrupt(FileChannel channel) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            Thread.currentThread().interrupt();
            try {
                channel.read(ByteBuffer.allocate(1), 0);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        reader.join();
        assertInstanceOf(ClosedByInterruptException.class, failure.get());
        assertFalse(channel.isOpen(), "the JDK closed the shared channel");
    }

    @Test
    void aChannelClosedByAnInterruptIsOpenedAgain() throws Exception {
        Path f = Files.write(dir.resolve("a.mp4"), bytes(1000, 1));
        try (OpenFiles files = new OpenFiles(); LogCapture logs = LogCapture.warnings(OpenFiles.class)) {
            FileChannel first;
            try (OpenFiles.Open o = files.get(f)) {
                first = o.channel();
                closeByInterrupt(first);
            }
            try (OpenFiles.Open o = files.get(f)) {
                assertNotSame(first, o.channel());
                assertTrue(o.channel().isOpen());
                ByteBuffer b = ByteBuffer.allocate(1000);
                o.channel().read(b, 0);
                assertArrayEquals(bytes(1000, 1), b.array());
            }
            assertEquals(2, files.opens());
            assertEquals(1, files.size());
            assertEquals(1, logs.records().size(), "the reopening is logged once: " + logs.lines());
            // Once open again, the channel is kept as before.
            try (OpenFiles.Open o = files.get(f)) {
                assertTrue(o.channel().isOpen());
                assertEquals(2, files.opens());
            }
        }
    }

    @Test
    void aChannelClosedOutrightIsOpenedAgainAndAReplacedEntryStillClosesWithItsLastHold() throws Exception {
        Path f = Files.write(dir.resolve("a.mp4"), bytes(1000, 1));
        try (OpenFiles files = new OpenFiles(); LogCapture logs = LogCapture.warnings(OpenFiles.class)) {
            OpenFiles.Open sending = files.get(f); // a response sending when the channel goes
            sending.channel().close(); // what the JDK's interrupt handling does, from any thread
            try (OpenFiles.Open again = files.get(f)) {
                assertNotSame(sending, again);
                assertTrue(again.channel().isOpen());
                sending.close(); // the failed response gives its hold back: nothing to close twice, nothing thrown
                assertTrue(again.channel().isOpen());
            }
            assertTrue(files.get(f).channel().isOpen(), "the table holds the new channel");
            assertEquals(2, files.opens());
            assertEquals(1, logs.records().size(), logs.lines().toString());
        }
    }

    /**
     * Over a socket: a download is sending from the shared channel when another thread, interrupted in a read of
     * the same channel, makes the JDK close it. That response fails (short, and its connection closes, logged as
     * what it is), and the next requests for the video get the right bytes from a channel opened again.
     */
    @ParameterizedTest
    @EnumSource(Http1Settings.Threads.class)
    void overASocketAChannelClosedByAnInterruptFailsTheResponseUsingItAndTheNextOnesGetTheirBytes(
            Http1Settings.Threads threads) throws Exception {
        // 24 MiB: more than loopback socket buffers hold, so the download is still sending when the channel closes.
        byte[] content = bytes(24 << 20, 5);
        Path f = Files.write(dir.resolve("v.mp4"), content);
        Phase3Server server = Phase3Server.start("127.0.0.1", 0, dir,
                Phase3Server.Settings.of(ExternalTools.root().resolve("frontend"))
                        .withHttp(Http1Settings.DEFAULTS.withThreads(threads)));
        try (LogCapture connectionLogs = LogCapture.at(Level.WARNING, "dev.streamlab.http1.Http1Connection");
                LogCapture tableLogs = LogCapture.warnings(OpenFiles.class)) {
            URI uri = server.uri();
            assertEquals(206, RawHttp.get(uri, "/videos/v", "Range: bytes=0-99").status());
            long got;
            try (Socket download = new Socket()) {
                download.setReceiveBufferSize(16 * 1024); // before connecting, so TCP's window follows it
                download.connect(new InetSocketAddress("127.0.0.1", uri.getPort()), 5000);
                download.setSoTimeout(10_000);
                download.getOutputStream().write("GET /videos/v HTTP/1.1\r\nHost: t\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                InputStream in = download.getInputStream();
                String head = head(in);
                assertTrue(head.startsWith("HTTP/1.1 200") && head.contains("Content-Length: " + content.length),
                        head);
                byte[] start = in.readNBytes(64 * 1024);
                assertArrayEquals(Arrays.copyOf(content, start.length), start);
                try (OpenFiles.Open o = server.openFiles().get(f)) { // the download's channel: the file is unchanged
                    closeByInterrupt(o.channel());
                }
                got = start.length + drain(in);
            }
            assertTrue(got < content.length, "the response sending from the closed channel ended short: " + got);

            for (int i = 0; i < 3; i++) {
                RawHttp.Response r = RawHttp.get(uri, "/videos/v", "Range: bytes=" + (1000 + i) + "-" + (2999 + i));
                assertEquals(206, r.status());
                assertArrayEquals(Arrays.copyOfRange(content, 1000 + i, 3000 + i), r.body());
            }
            RawHttp.Response whole = RawHttp.get(uri, "/videos/v");
            assertEquals(200, whole.status());
            assertArrayEquals(content, whole.body());
            assertEquals(2, metric(uri, "streamlab_http_file_opens_total"), "opened once more, then kept");
            assertEquals(1, tableLogs.records().size(), "the reopening is logged: " + tableLogs.lines());

            // The failed response's line says what happened, not "closed (null)" at FINE as for a socket the
            // watchdog closed.
            Await.until(Duration.ofSeconds(5), () -> !connectionLogs.records().isEmpty());
            assertEquals(1, connectionLogs.records().size(), "one line for the failed response: "
                    + connectionLogs.lines());
            LogRecord failed = connectionLogs.records().getFirst();
            assertTrue(failed.getMessage().contains("a channel other than its socket was closed under the response"),
                    failed.getMessage());
            assertInstanceOf(ClosedChannelException.class, failed.getThrown());
            Path fds = Path.of("/proc/self/fd");
            if (Files.isDirectory(fds)) {
                assertEquals(1, descriptorsOf(f.toRealPath(), fds), "the failed response's hold was given back");
            }
        } finally {
            server.close();
        }
    }

    /**
     * The interrupted thread is the download's own (a platform thread, blocked in {@code sendfile}): the JDK closes
     * the shared file channel and the socket; the response fails with its thread's interrupt named in the log, and
     * the next requests get their bytes from the file opened again.
     */
    @Test
    void overASocketInterruptingAConnectionThreadInItsSendfileLeavesTheVideoServable() throws Exception {
        byte[] content = bytes(24 << 20, 6);
        Path f = Files.write(dir.resolve("v.mp4"), content);
        Phase3Server server = Phase3Server.start("127.0.0.1", 0, dir,
                Phase3Server.Settings.of(ExternalTools.root().resolve("frontend"))
                        .withHttp(Http1Settings.DEFAULTS.withThreads(Http1Settings.Threads.PLATFORM)));
        try (LogCapture connectionLogs = LogCapture.at(Level.WARNING, "dev.streamlab.http1.Http1Connection");
                LogCapture tableLogs = LogCapture.warnings(OpenFiles.class)) {
            URI uri = server.uri();
            String prefix = "http1-" + uri.getPort() + "-"; // Http1Server's names for connection threads
            long got;
            try (Socket download = new Socket()) {
                download.setReceiveBufferSize(16 * 1024);
                download.connect(new InetSocketAddress("127.0.0.1", uri.getPort()), 5000);
                download.setSoTimeout(10_000);
                download.getOutputStream().write("GET /videos/v HTTP/1.1\r\nHost: t\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                InputStream in = download.getInputStream();
                assertTrue(head(in).startsWith("HTTP/1.1 200"));
                byte[] start = in.readNBytes(64 * 1024);
                assertArrayEquals(Arrays.copyOf(content, start.length), start);
                List<Thread> connections = Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().startsWith(prefix)).toList();
                assertEquals(1, connections.size(), "the download's thread: " + connections);
                connections.getFirst().interrupt();
                got = start.length + drain(in);
            }
            assertTrue(got < content.length, "the interrupted response ended short: " + got);
            for (int i = 0; i < 3; i++) {
                RawHttp.Response r = RawHttp.get(uri, "/videos/v", "Range: bytes=" + (5000 + i) + "-" + (9999 + i));
                assertEquals(206, r.status());
                assertArrayEquals(Arrays.copyOfRange(content, 5000 + i, 10_000 + i), r.body());
            }
            Await.until(Duration.ofSeconds(5), () -> !connectionLogs.records().isEmpty());
            assertEquals(1, connectionLogs.records().size(), connectionLogs.lines().toString());
            LogRecord failed = connectionLogs.records().getFirst();
            assertTrue(failed.getMessage().contains("its thread was interrupted"), failed.getMessage());
            // Blocked in sendfile, the thread was in the file channel (closed, reopened: 2 opens); were it caught in
            // a socket write instead, only the socket would have closed (1 open). Either way the video is served.
            long opens = metric(uri, "streamlab_http_file_opens_total");
            assertTrue(opens == 1 || opens == 2, "opens: " + opens);
            assertEquals(opens - 1, tableLogs.records().size(), tableLogs.lines().toString());
        } finally {
            server.close();
        }
    }

    /** The response head, up to its blank line. */
    static String head(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        while (!b.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) throw new EOFException("closed in the head: " + b);
            b.append((char) c);
        }
        return b.toString();
    }

    /** Reads to the end of the stream (or a reset); the bytes read. */
    static long drain(InputStream in) {
        byte[] sink = new byte[64 * 1024];
        long n = 0;
        try {
            for (int r; (r = in.read(sink)) >= 0; ) n += r;
        } catch (IOException reset) {
            // the server closed: as good as the end of the stream here
        }
        return n;
    }

    static long metric(URI uri, String name) throws Exception {
        for (String l : RawHttp.get(uri, "/metrics").text().split("\n")) {
            if (l.startsWith(name + " ")) return Math.round(Double.parseDouble(l.substring(name.length() + 1)));
        }
        throw new AssertionError(name + " is not on /metrics");
    }
}
