package dev.streamlab.y4m;

import dev.streamlab.shared.io.FileStamp;
import dev.streamlab.shared.io.MediaFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * Low-resolution raw-video proxies of the catalog's MP4s: the project cannot decode H.264 itself, so ffmpeg decodes
 * each video once into a .y4m ({@link #WIDTH} wide, {@link #FPS} fps) that the processed view and the thumbnails
 * read frame by frame. Made on first use into a cache folder, keyed by the MP4's size and modification time (an
 * edited file gets a new proxy).
 *
 * <p>Size: 320x180 at 15 fps is 86,400 bytes a frame, 39 MB for the 30 s samples — cheap in a temp folder, too big
 * for git; so they are generated, never committed.
 */
public final class Y4mProxies {
    private static final Logger LOG = Logger.getLogger(Y4mProxies.class.getName());
    public static final int WIDTH = 320;
    public static final int FPS = 15;
    /** Longest stretch of a video turned into a proxy (the samples are 10–30 s). */
    static final int MAX_SECONDS = 60;
    static final long FFMPEG_TIMEOUT_SECONDS = 120;

    private final Path cacheDir;
    private final String ffmpeg;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    /**
     * @param cacheDir where proxies go (created when needed)
     * @param ffmpeg   the ffmpeg program: a path or a name looked up on the PATH
     */
    public Y4mProxies(Path cacheDir, String ffmpeg) {
        this.cacheDir = cacheDir;
        this.ffmpeg = ffmpeg;
    }

    /** {@code streamlab-cache/y4m} in the system temp folder, or {@code -Dstreamlab.cache}; ffmpeg from the PATH. */
    public static Y4mProxies defaults() {
        Path base = Path.of(System.getProperty("streamlab.cache",
                Path.of(System.getProperty("java.io.tmpdir"), "streamlab-cache").toString()));
        return new Y4mProxies(base.resolve("y4m"), "ffmpeg");
    }

    public Path cacheDir() {
        return cacheDir;
    }

    /**
     * The video's size and modification time (milliseconds) as the catalog listed it. The catalog decides 404 or 422
     * from a listing up to a second old, while a proxy is keyed by the file as it is now: given a listing, only a
     * proxy of that version is made or read.
     */
    public record Listed(long size, long lastModified) {}

    /**
     * The proxy of the version of {@code mp4} the catalog listed, made now if it is not cached (one ffmpeg run per
     * video at a time; callers for the same video wait for it).
     *
     * @param id     a file-name-safe id for the video (the catalog's)
     * @param listed the catalog's size and mtime of {@code mp4}; null takes the file as it is
     * @throws ProxyUnavailableException when ffmpeg is missing or fails; with
     *         {@link ProxyUnavailableException#retryAfterSeconds()} 1 when the file differs from {@code listed}
     * @throws java.nio.file.FileSystemException about {@code mp4} when it is gone, not a regular file any more
     *         ({@link MediaFiles.NotRegularFileException}) or cannot be stat'ed (a link loop)
     */
    public Path proxy(String id, Path mp4, Listed listed) throws IOException, ProxyUnavailableException {
        Path target = target(id, mp4, listed);
        if (Files.isRegularFile(target)) return target;
        ReentrantLock lock = locks.computeIfAbsent(target.toString(), k -> new ReentrantLock());
        lock.lock();
        try {
            if (Files.isRegularFile(target)) return target; // made while we waited
            Files.createDirectories(cacheDir);
            Path tmp = Files.createTempFile(cacheDir, id, ".part");
            try {
                run(List.of(ffmpeg, "-nostdin", "-v", "error", "-y", "-i", mp4.toString(), "-an", "-t",
                        Integer.toString(MAX_SECONDS), "-vf", "fps=" + FPS + ",scale=" + WIDTH + ":-2",
                        "-pix_fmt", "yuv420p", "-f", "yuv4mpegpipe", tmp.toString()), id, mp4);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return target;
        } finally {
            lock.unlock();
        }
    }

    /** What a caller does with a proxy's file: open it, make thumbnails of it; it may find the file unreadable. */
    @FunctionalInterface
    public interface Reading<T> {
        T read(Path y4m) throws IOException, Y4mFormatException;
    }

    /**
     * Runs {@code reading} on the proxy of {@code mp4} ({@link #proxy}), made now if it is not cached. A cached proxy
     * that does not read as a .y4m — truncated or overwritten outside the server, since this class writes a
     * {@code .part} and moves it into place — is deleted and made again, once, rather than failing every request
     * until someone deletes it.
     *
     * @throws Y4mFormatException when even a fresh proxy does not read
     */
    public <T> T read(String id, Path mp4, Listed listed, Reading<T> reading)
            throws IOException, ProxyUnavailableException, Y4mFormatException {
        Path y4m = proxy(id, mp4, listed);
        BasicFileAttributes seen = attributes(y4m); // which file this reader is about to find damaged, if it does
        try {
            return reading.read(y4m);
        } catch (Y4mFormatException damaged) {
            discard(y4m, seen);
            return reading.read(proxy(id, mp4, listed));
        }
    }

    /** {@link #read} that opens the proxy. */
    public Y4mReader open(String id, Path mp4, Listed listed)
            throws IOException, ProxyUnavailableException, Y4mFormatException {
        return read(id, mp4, listed, Y4mReader::open);
    }

    /**
     * Deletes {@code y4m}, found unreadable, so the next {@link #proxy} makes it again: if it is still the file that
     * was read ({@code damaged}). Every reader that opened the damaged file comes here; the first one's
     * {@link #proxy} may have made a fresh proxy already, and deleting that one made ffmpeg run once per reader (and
     * failed whoever was opening it meanwhile).
     */
    private void discard(Path y4m, BasicFileAttributes damaged) throws IOException {
        ReentrantLock lock = locks.computeIfAbsent(y4m.toString(), k -> new ReentrantLock());
        lock.lock();
        try {
            BasicFileAttributes now = attributes(y4m);
            // Inode, mtime and size: a fresh proxy is a new file moved into place, and may reuse a freed inode number.
            if (damaged != null && now != null && FileStamp.of(damaged).matches(now)) {
                Files.deleteIfExists(y4m);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The file's attributes, or null when it is not there. */
    private static BasicFileAttributes attributes(Path file) throws IOException {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException gone) {
            return null;
        }
    }

    /** The proxy's file: keyed by the MP4's size and mtime, so an edited video gets a new one. */
    private Path target(String id, Path mp4, Listed listed) throws IOException, ProxyUnavailableException {
        if (!id.matches("[A-Za-z0-9._-]{1,200}")) throw new IllegalArgumentException("bad id for a file name: " + id);
        BasicFileAttributes a = Files.readAttributes(mp4, BasicFileAttributes.class);
        // The catalog's listing may be a second old: a FIFO at the path now would hold ffmpeg in its open until a
        // writer came, and the request with it for FFMPEG_TIMEOUT_SECONDS (MediaFiles).
        if (!a.isRegularFile()) throw new MediaFiles.NotRegularFileException(mp4);
        long size = a.size(), mtime = a.lastModifiedTime().toMillis();
        if (listed != null && (size != listed.size() || mtime != listed.lastModified())) {
            // Checked on the stat that keys the proxy: frames of a version the catalog never listed (a file ffmpeg -y
            // is rewriting) went out, or a sprite of it while the index, after the next listing, was a 422.
            throw new ProxyUnavailableException("'" + id + "' changed since it was listed; try again in a moment", 1);
        }
        return cacheDir.resolve(id + "-" + size + "-" + mtime + "-" + WIDTH + "w" + FPS + "fps.y4m");
    }

    /**
     * ffmpeg's message as a client may read it: with {@code -v error} it names the input by the path it was given
     * ({@code /srv/media/x.mp4: Invalid data found when processing input}), and may name the proxy's file, so the
     * 503 and the Close told any client where the server keeps its media and cache. The input is named by its id,
     * the cache folder left out, and the demuxer's heap addresses ({@code [mov,mp4,... @ 0x55...]}) too.
     */
    private String forClient(String out, String id, Path mp4) {
        String told = out;
        for (Path p : List.of(mp4.toAbsolutePath(), mp4)) told = told.replace(p.toString(), "'" + id + "'");
        for (Path p : List.of(cacheDir.toAbsolutePath(), cacheDir)) told = told.replace(p.toString(), "<cache>");
        return told.replaceAll(" @ 0x[0-9a-fA-F]+\\]", "]");
    }

    private void run(List<String> command, String id, Path mp4) throws IOException, ProxyUnavailableException {
        Path log = Files.createTempFile(cacheDir, "ffmpeg", ".log");
        try {
            Process p;
            try {
                p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            } catch (IOException e) {
                throw new ProxyUnavailableException("ffmpeg is not installed (or not on the PATH), and frames of "
                        + mp4.getFileName() + " need it: the project decodes .y4m, not H.264, and ffmpeg makes the "
                        + ".y4m proxy. Install it (apt-get install ffmpeg) and reload.");
            }
            boolean done;
            try {
                done = p.waitFor(FFMPEG_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new ProxyUnavailableException("interrupted while ffmpeg made the proxy of " + mp4.getFileName());
            }
            if (!done) {
                p.destroyForcibly();
                throw new ProxyUnavailableException("ffmpeg took over " + FFMPEG_TIMEOUT_SECONDS + " s on "
                        + mp4.getFileName());
            }
            if (p.exitValue() != 0) {
                String out = new String(Files.readAllBytes(log), java.nio.charset.StandardCharsets.UTF_8);
                LOG.warning("ffmpeg failed (exit " + p.exitValue() + ") on " + mp4 + ": " + out.strip());
                String told = forClient(out, id, mp4);
                throw new ProxyUnavailableException("ffmpeg failed (exit " + p.exitValue() + ") on '" + id + "': "
                        + (told.length() > 300 ? told.substring(0, 300) : told).strip());
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
