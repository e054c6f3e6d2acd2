package dev.streamlab.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.testing.ExternalTools;
import dev.streamlab.testing.UnlistableFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogTest {
    @TempDir
    Path media;

    private Path sample() {
        return ExternalTools.media().resolve("sample-10s-360p-video-only.mp4");
    }

    @Test
    void idsAreUrlSafeAndStableAndTitlesReadable() {
        assertEquals("sample-30s-360p-h264-aac", Catalog.idFor(Path.of("sample-30s-360p-h264-aac.mp4")));
        assertEquals("my-holiday-2024-final", Catalog.idFor(Path.of("My Holiday (2024) FINAL.MP4")));
        assertEquals("video", Catalog.idFor(Path.of("....mp4")));
        assertEquals("Sample 30s 360p H264 AAC", Catalog.titleFor("sample-30s-360p-h264-aac"));
    }

    @Test
    void lookupsOfUnknownIdsWaitingTogetherShareOneListing() throws Exception {
        Catalog c = new Catalog(media);
        Files.copy(sample(), media.resolve("known.mp4"));
        c.rescan();
        int threads = 20;
        List<Thread> all = new java.util.ArrayList<>();
        int before;
        // Hold the catalog's lock (the one a listing takes) while 20 misses arrive, as they would during a slow
        // listing; each must then see a listing that started after it arrived, and one is enough for all of them.
        synchronized (c) {
            before = c.scans();
            for (int i = 0; i < threads; i++) {
                String id = "unknown-" + i;
                all.add(Thread.ofVirtual().start(() -> assertTrue(c.find(id).isEmpty())));
            }
            assertTrue(dev.streamlab.testing.Await.until(java.time.Duration.ofSeconds(10),
                    () -> all.stream().allMatch(t -> t.getState() == Thread.State.BLOCKED)), "misses waiting");
        }
        for (Thread t : all) t.join(10_000);
        assertEquals(1, c.scans() - before, threads + " misses that waited together made one listing");
    }

    @Test
    void aStaleListingIsRefreshedForKnownIdsWithoutAnExplicitRescan() throws Exception {
        Catalog c = new Catalog(media);
        Path f = media.resolve("changing.mp4");
        Files.copy(sample(), f);
        long size = c.find("changing").orElseThrow().size();
        Files.write(f, java.util.Arrays.copyOf(Files.readAllBytes(sample()), (int) size / 2));
        // No explicit rescan: lookups keep answering at once from the old listing until the background one lands.
        assertTrue(dev.streamlab.testing.Await.until(java.time.Duration.ofSeconds(10),
                () -> c.find("changing").orElseThrow().size() == size / 2), "the changed file was never re-read");
    }

    @Test
    void newAndRemovedFilesShowUpWithoutARestart() throws Exception {
        Catalog c = new Catalog(media);
        assertTrue(c.list().isEmpty());
        Files.copy(sample(), media.resolve("new one.mp4"));
        assertTrue(c.find("new-one").isPresent(), "an unknown id triggers a rescan");
        Files.delete(media.resolve("new one.mp4"));
        c.rescan();
        assertTrue(c.find("new-one").isEmpty());
    }

    @Test
    void aBrokenFileIsListedWithItsErrorAndHidesNothing() throws Exception {
        Files.copy(sample(), media.resolve("good.mp4"));
        Files.writeString(media.resolve("broken.mp4"), "not a video");
        Catalog c = new Catalog(media);
        c.rescan();
        assertEquals(2, c.list().size());
        VideoEntry broken = c.find("broken").orElseThrow();
        assertFalse(broken.ok());
        assertTrue(broken.error().contains("not an MP4"), broken.error());
        assertTrue(c.find("good").orElseThrow().ok());
    }

    @Test
    void aSubfolderThatCannotBeListedHidesNoOtherVideo(@TempDir Path tmp) throws Exception {
        try (UnlistableFolder folder = UnlistableFolder.under(tmp)) {
            Files.copy(sample(), folder.media().resolve("good.mp4"));
            Catalog c = new Catalog(folder.media());
            c.rescan();
            assertTrue(c.find("good").orElseThrow().ok(), "the video beside an unlistable folder is listed");
        }
    }

    @Test
    void collidingNamesGetDistinctIdsAndHiddenFilesAreSkipped() throws Exception {
        Files.copy(sample(), media.resolve("a b.mp4"));
        Files.copy(sample(), media.resolve("a-b.mp4"));
        Files.copy(sample(), media.resolve(".hidden.mp4"));
        Files.writeString(media.resolve("notes.txt"), "x");
        Catalog c = new Catalog(media);
        c.rescan();
        assertEquals(2, c.list().size());
        assertTrue(c.find("a-b").isPresent() && c.find("a-b-2").isPresent());
    }

    @Test
    void aChangedFileIsParsedAgain() throws Exception {
        Path f = media.resolve("v.mp4");
        Files.writeString(f, "garbage");
        Catalog c = new Catalog(media);
        c.rescan();
        assertFalse(c.find("v").orElseThrow().ok());
        Files.copy(sample(), f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        c.rescan();
        assertTrue(c.find("v").orElseThrow().ok());
    }
}
