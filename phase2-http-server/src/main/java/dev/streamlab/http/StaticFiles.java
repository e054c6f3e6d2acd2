package dev.streamlab.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The player's static files ({@code frontend/}), served by name from a list made by walking the folder.
 *
 * <p>A request path is looked up in that list and never resolved against the file system, so {@code ..},
 * {@code %2e%2e}, encoded slashes or absolute paths cannot reach anything else; hidden files and links leading
 * out of the folder are not listed. The list is rebuilt when a name is missing, at most once a second, so a student
 * who adds a file sees it without a restart, and a flood of 404s does not walk the folder once each (it did: a 404
 * cost about 4× a served file, every one queued behind one lock).
 */
public final class StaticFiles {
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"), Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"), Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("json", "application/json"), Map.entry("svg", "image/svg+xml"), Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"), Map.entry("ico", "image/x-icon"), Map.entry("vtt", "text/vtt"),
            Map.entry("txt", "text/plain; charset=utf-8"), Map.entry("webmanifest", "application/manifest+json"));

    private final Path root;
    private final Path realRoot;
    private static final long RESCAN_NANOS = 1_000_000_000L;

    private volatile Map<String, Path> files = Map.of();
    private long scannedAt; // System.nanoTime() of the last walk; guarded by this
    private long scans;     // guarded by this

    public StaticFiles(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.realRoot = this.root.toRealPath();
        rescan();
    }

    /** The file for a request path such as {@code /js/main.js}; {@code /} is {@code /index.html}. */
    public Optional<Path> find(String requestPath) {
        String key = requestPath.equals("/") ? "/index.html" : requestPath;
        Path p = files.get(key);
        if (p == null && rescanIfStale()) p = files.get(key);
        return Optional.ofNullable(p);
    }

    public static String contentType(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return TYPES.getOrDefault(ext, "application/octet-stream");
    }

    /** Walks the folder again unless it was walked within the last second; whether it did. */
    private synchronized boolean rescanIfStale() {
        if (System.nanoTime() - scannedAt < RESCAN_NANOS) return false;
        rescan();
        return true;
    }

    /** How many times the folder was walked (tests). */
    synchronized long scans() {
        return scans;
    }

    private synchronized void rescan() {
        scannedAt = System.nanoTime();
        scans++;
        Map<String, Path> next = new ConcurrentHashMap<>();
        try (Stream<Path> s = Files.walk(root, 6)) {
            s.forEach(p -> {
                Path rel = root.relativize(p);
                for (Path part : rel) if (part.toString().startsWith(".")) return;
                try {
                    Path real = p.toRealPath();
                    if (real.startsWith(realRoot) && Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
                        next.put("/" + rel.toString().replace('\\', '/'), real);
                    }
                } catch (IOException e) {
                    // vanished while walking: not listed
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            return; // keep the old list
        }
        files = next;
    }
}
