package dev.streamlab.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link StaticFiles}: found by name from a list, the list rebuilt for a missing name at most once a second. */
class StaticFilesTest {
    @TempDir
    Path dir;

    @Test
    void aFileAddedAfterStartIsFoundWithoutARestart() throws Exception {
        Files.writeString(dir.resolve("index.html"), "<p>hi");
        StaticFiles statics = new StaticFiles(dir);
        assertEquals(dir.resolve("index.html").toRealPath(), statics.find("/").orElseThrow());
        Files.createDirectories(dir.resolve("js"));
        Files.writeString(dir.resolve("js/new.js"), "1");
        assertTrue(Await.until(Duration.ofSeconds(5), () -> statics.find("/js/new.js").isPresent()),
                "a new file shows up within the rescan interval");
    }

    @Test
    void aFloodOfMissesWalksTheFolderAtMostOnceASecond() throws Exception {
        Files.writeString(dir.resolve("index.html"), "<p>hi");
        StaticFiles statics = new StaticFiles(dir);
        long start = System.nanoTime();
        for (int i = 0; i < 5_000; i++) assertEquals(Optional.empty(), statics.find("/nope-" + i));
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        // The walk at start, then at most one per second that passed (plus one for the second that began).
        assertTrue(statics.scans() <= 2 + seconds, statics.scans() + " walks in " + seconds + " s");
        assertTrue(statics.find("/").isPresent(), "the files are still listed");
    }

    @Test
    void namesOutsideTheListAreNotFoundWhateverTheyLookLike() throws Exception {
        Files.writeString(dir.resolve("index.html"), "<p>hi");
        Files.writeString(dir.resolve(".hidden"), "secret");
        StaticFiles statics = new StaticFiles(dir);
        for (String p : new String[] {"/.hidden", "/../index.html", "/./index.html", "//index.html",
                dir.resolve("index.html").toString()}) {
            assertEquals(Optional.empty(), statics.find(p), p);
        }
    }
}
