package dev.streamlab.catalog;

import dev.streamlab.mp4.Mp4File;
import dev.streamlab.shared.io.MediaFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The videos in a media folder, each parsed once with phase 1's MP4 parser.
 *
 * <p>New and removed files show up without a restart: the folder is listed again when the last listing is older
 * than {@link #RESCAN_MILLIS}, or when an unknown id is asked for. A file is parsed again only when its size or
 * modification time changes.
 *
 * <p>Requests never name a path: they name an id, and ids map to files found by listing the folder. A path
 * traversal attempt ({@code ..}, {@code %2f}, an absolute path) therefore has nothing to traverse; symbolic links
 * that lead out of the folder are left out of the catalog altogether.
 */
public final class Catalog {
    static final long RESCAN_MILLIS = 1000;
    private static final int MAX_DEPTH = 3;

    private final Path root;
    private final Path realRoot;
    private final Map<Path, VideoEntry> parsed = new ConcurrentHashMap<>();
    private volatile Map<String, VideoEntry> byId = Map.of();
    private volatile long scannedAt = Long.MIN_VALUE;
    private int scans; // guarded by this
    private volatile long scanStartedNanos = System.nanoTime() - Long.MAX_VALUE / 2; // "long ago"
    private final java.util.concurrent.atomic.AtomicBoolean refreshing = new java.util.concurrent.atomic.AtomicBoolean();

    public Catalog(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.realRoot = this.root.toRealPath();
    }

    public Path root() {
        return root;
    }

    /** Every video, sorted by id; the folder is listed again first if the last listing is stale. */
    public List<VideoEntry> list() {
        if (System.currentTimeMillis() - scannedAt > RESCAN_MILLIS) rescanUnlessStartedSince(System.nanoTime());
        return List.copyOf(byId.values());
    }

    /**
     * The video with this id. A stale listing is refreshed in the background, never on the request: the range
     * benchmark found every request arriving after the second elapsed queueing on {@link #rescan}'s lock for a
     * directory walk each (7% of server CPU and the p99). An unknown id does wait for a listing that started after
     * it arrived, so a file just copied in is found; concurrent misses share one listing, so a flood of random ids
     * costs a walk per batch, not per request.
     */
    public Optional<VideoEntry> find(String id) {
        long arrived = System.nanoTime();
        if (System.currentTimeMillis() - scannedAt > RESCAN_MILLIS && refreshing.compareAndSet(false, true)) {
            Thread.ofVirtual().name("catalog-rescan").start(() -> {
                try {
                    rescan();
                } finally {
                    refreshing.set(false);
                }
            });
        }
        VideoEntry e = byId.get(id);
        if (e == null) {
            rescanUnlessStartedSince(arrived);
            e = byId.get(id);
        }
        return Optional.ofNullable(e);
    }

    /** How many listings were made (tests: misses coalesce). */
    synchronized int scans() {
        return scans;
    }

    private synchronized void rescanUnlessStartedSince(long nanos) {
        if (scanStartedNanos - nanos < 0) rescan(); // nanoTime order: compare the difference
    }

    /** Lists the folder and re-parses what changed. Synchronized: two requests rescanning at once would waste work. */
    public synchronized void rescan() {
        scanStartedNanos = System.nanoTime();
        scans++;
        List<Path> files;
        try {
            files = MediaFiles.list(root, MAX_DEPTH, Catalog::looksLikeVideo).files(); // unlistable subfolders skipped
        } catch (IOException e) {
            // The folder itself vanished or is unreadable: keep serving what we had, try again next time.
            scannedAt = System.currentTimeMillis();
            return;
        }
        Map<String, VideoEntry> next = new LinkedHashMap<>();
        Map<Path, VideoEntry> seen = new ConcurrentHashMap<>();
        for (Path f : files) {
            Path real;
            BasicFileAttributes attrs;
            try {
                real = f.toRealPath();
                if (!real.startsWith(realRoot)) continue; // a symlink leading out of the media folder
                attrs = Files.readAttributes(real, BasicFileAttributes.class);
                if (!attrs.isRegularFile()) continue;
            } catch (IOException e) {
                continue; // removed between listing and now
            }
            String id = uniqueId(idFor(f), next);
            VideoEntry old = parsed.get(real);
            long mtime = attrs.lastModifiedTime().toMillis();
            VideoEntry entry;
            if (old != null && old.size() == attrs.size() && old.lastModified() == mtime) {
                entry = new VideoEntry(id, old.title(), real, old.relativeName(), old.size(), mtime, old.mp4(),
                        old.error());
            } else {
                entry = parse(id, real, root.relativize(f).toString(), attrs.size(), mtime);
            }
            seen.put(real, entry);
            next.put(id, entry);
        }
        parsed.keySet().retainAll(seen.keySet());
        parsed.putAll(seen);
        byId = Collections.unmodifiableMap(next);
        scannedAt = System.currentTimeMillis();
    }

    private static VideoEntry parse(String id, Path real, String relative, long size, long mtime) {
        try {
            return new VideoEntry(id, titleFor(id), real, relative, size, mtime, Mp4File.open(real), null);
        } catch (IOException e) {
            // One bad file must not hide the others: it is listed with its error.
            return new VideoEntry(id, titleFor(id), real, relative, size, mtime, null, e.getMessage());
        }
    }

    private static boolean looksLikeVideo(Path p) {
        String name = p.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        if (name.startsWith(".") || !(lower.endsWith(".mp4") || lower.endsWith(".m4v"))) return false;
        // Symbolic links pass here; rescan() resolves them and drops those that leave the media folder.
        return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(p);
    }

    /** {@code Sample 30s (360p).MP4} → {@code sample-30s-360p}: lower case, [a-z0-9] runs joined by dashes. */
    static String idFor(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        if (dot > 0) name = name.substring(0, dot);
        String id = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        return id.isEmpty() ? "video" : id;
    }

    private static String uniqueId(String id, Map<String, VideoEntry> taken) {
        if (!taken.containsKey(id)) return id;
        for (int i = 2; ; i++) if (!taken.containsKey(id + "-" + i)) return id + "-" + i;
    }

    private static final java.util.Set<String> ACRONYMS = java.util.Set.of("h264", "h265", "hevc", "aac", "av1",
            "vp9", "mp4", "hdr", "sdr", "abr");

    /** {@code sample-30s-360p-h264-aac} → {@code Sample 30s 360p H264 AAC}. */
    static String titleFor(String id) {
        StringBuilder sb = new StringBuilder();
        for (String w : id.split("-")) {
            if (w.isEmpty()) continue;
            if (!sb.isEmpty()) sb.append(' ');
            sb.append(ACRONYMS.contains(w) ? w.toUpperCase(Locale.ROOT)
                    : Character.toUpperCase(w.charAt(0)) + w.substring(1));
        }
        return sb.toString();
    }
}
