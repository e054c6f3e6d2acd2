package dev.streamlab.phase3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.phase2.RawHttp;
import dev.streamlab.testing.ExternalTools;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OpenFiles}: a video's channel is opened once and reused while the file is unchanged, and never serves a
 * changed file under old validators — checked on the table itself and over a socket.
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

    static long metric(URI uri, String name) throws Exception {
        for (String l : RawHttp.get(uri, "/metrics").text().split("\n")) {
            if (l.startsWith(name + " ")) return Math.round(Double.parseDouble(l.substring(name.length() + 1)));
        }
        throw new AssertionError(name + " is not on /metrics");
    }
}
