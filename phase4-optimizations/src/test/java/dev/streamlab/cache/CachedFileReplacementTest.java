package dev.streamlab.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.streamlab.phase2.RawHttp;
import dev.streamlab.phase3.Phase3Main;
import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.testing.ExternalTools;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /cached/videos/{id}} when its file is replaced keeping size and mtime: the cache must not serve old bytes. */
class CachedFileReplacementTest {
    static final String ID = "sample-10s-360p-video-only";

    @TempDir
    Path media;

    @Test
    void aFileReplacedWithTheSameSizeAndMtimeIsServedAnew() throws Exception {
        Path video = media.resolve(ID + ".mp4");
        byte[] before = Files.readAllBytes(ExternalTools.media().resolve(ID + ".mp4"));
        Files.write(video, before);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setProperty("streamlab.frontend", ExternalTools.root().resolve("frontend").toString());
        Phase3Server server = Phase3Main.start(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err),
                "phase4-test", (s, ws) -> CacheRoutes.install(s, 16L << 20),
                "--port", "0", "--media", media.toString(), "--quiet");
        assertNotNull(server, err.toString(StandardCharsets.UTF_8));
        try {
            assertArrayEquals(before, RawHttp.get(server.uri(), "/cached/videos/" + ID).body(), "cached now");
            // What cp -p, rsync -a or tar x do: a new file (a new inode) with the old size and mtime.
            byte[] after = before.clone();
            for (int i = after.length / 2; i < after.length; i += 4096) after[i] ^= 1; // in mdat: still an MP4
            Path next = Files.write(media.resolve("next.tmp"), after);
            FileTime mtime = Files.getLastModifiedTime(video);
            Files.setLastModifiedTime(next, mtime);
            Files.move(next, video, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            assertEquals(mtime, Files.getLastModifiedTime(video));
            assertEquals(before.length, Files.size(video));
            org.junit.jupiter.api.Assertions.assertFalse(java.util.Arrays.equals(before, after), "different bytes");
            assertArrayEquals(after, RawHttp.get(server.uri(), "/videos/" + ID).body(), "/videos serves the new");
            assertArrayEquals(after, RawHttp.get(server.uri(), "/cached/videos/" + ID).body(),
                    "/cached serves the new bytes too, not its cached chunks of the old file");
        } finally {
            server.close();
        }
    }
}
