package dev.streamlab.y4m;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamlab.testing.ExternalTools;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The proxy cache shared by concurrent readers (the processed view, the thumbnails). */
class Y4mProxiesTest {
    private static final String ID = "sample-10s-360p-video-only";

    @TempDir
    Path dir;

    /** Which file a reader read in the end: inode and mtime (a new proxy is a new file moved into place). */
    private record Seen(Object fileKey, FileTime mtime) {
        static Seen of(Path file) throws java.io.IOException {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Seen(a.fileKey(), a.lastModifiedTime());
        }
    }

    @Test
    void twoReadersOfOneDamagedProxyKeepTheFreshProxyTheFirstOneMade() throws Exception {
        Path mp4 = ExternalTools.media().resolve(ID + ".mp4");
        Y4mProxies proxies = new Y4mProxies(dir.resolve("cache"), ExternalTools.ffmpeg().toString());
        Path y4m = proxies.proxy(ID, mp4, null);
        try (FileChannel ch = FileChannel.open(y4m, StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(y4m) / 3); // damage from outside the server
        }
        // Both readers open the damaged proxy; the first then discards it, has it made again and reads the fresh
        // one; only then does the second go on from its failed read. Before the fix its discard deleted the fresh
        // proxy (a second ffmpeg run, and a failed open for anyone opening it meanwhile).
        CountDownLatch bothSawDamage = new CountDownLatch(2);
        CountDownLatch firstDone = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Seen> first = pool.submit(() -> {
                try {
                    return proxies.read(ID, mp4, null, p -> readOrWait(p, bothSawDamage, null));
                } finally {
                    firstDone.countDown();
                }
            });
            Future<Seen> second = pool.submit(() -> proxies.read(ID, mp4, null, p -> readOrWait(p, bothSawDamage, firstDone)));
            Seen fresh = first.get(120, TimeUnit.SECONDS);
            assertEquals(fresh, second.get(120, TimeUnit.SECONDS), "the second reader read the first one's fresh proxy");
            assertEquals(fresh, Seen.of(y4m), "which is still the cached proxy: made once");
        }
        assertEquals(List.of(y4m.getFileName()), names(y4m.getParent()), "no .part or log left over");
    }

    /** Opens the proxy; on damage, waits until both readers saw it (and, for the second, until the first is done). */
    private static Seen readOrWait(Path y4m, CountDownLatch bothSawDamage, CountDownLatch after)
            throws java.io.IOException, Y4mFormatException {
        try (Y4mReader r = Y4mReader.open(y4m)) {
            return Seen.of(y4m);
        } catch (Y4mFormatException damaged) {
            bothSawDamage.countDown();
            await(bothSawDamage);
            if (after != null) await(after);
            throw damaged;
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(120, TimeUnit.SECONDS)) throw new AssertionError("the other reader never got there");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static List<Path> names(Path folder) throws java.io.IOException {
        try (var files = Files.list(folder)) {
            return files.map(Path::getFileName).toList();
        }
    }
}
